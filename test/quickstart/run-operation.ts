/**
 * The quick start's proof, run by .ci/run: starts one operation on a running
 * Herald and follows it to the end through the SSE endpoint with the
 * `eventsource` package (a spec-conformant client that is not ours).
 * Usage: node dist/test/quickstart/run-operation.js <baseUrl> <token>
 */
import { EventSource } from 'eventsource';

async function main(): Promise<void> {
  const [baseUrl, token] = process.argv.slice(2);
  if (!baseUrl || !token) throw new Error('usage: run-operation <baseUrl> <token>');
  const auth = { Authorization: `Bearer ${token}` };
  const started = await fetch(`${baseUrl}/api/operations`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'text-generation', input: { prompt: 'A quick start', maxTokens: 30 } }),
  });
  if (started.status !== 202) throw new Error(`POST /api/operations answered ${started.status}`);
  const op = (await started.json()) as { id: string; links: { events: string } };

  const text = await new Promise<string>((resolve, reject) => {
    let streamed = '';
    const source = new EventSource(`${baseUrl}${op.links.events}`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...auth } }),
    });
    const timer = setTimeout(() => reject(new Error('no operation.completed within 30 s')), 30_000);
    source.addEventListener('operation.content', (e) => (streamed += JSON.parse(e.data).data.text));
    source.addEventListener('operation.completed', () => {
      clearTimeout(timer);
      source.close();
      resolve(streamed);
    });
    source.addEventListener('operation.failed', (e) => reject(new Error(`operation failed: ${e.data}`)));
  });

  const stored = (await (await fetch(`${baseUrl}/api/operations/${op.id}`, { headers: auth })).json()) as {
    status: string;
    result: { text: string };
  };
  if (stored.status !== 'completed' || stored.result.text !== text) {
    throw new Error(`streamed text differs from the stored result (status ${stored.status})`);
  }
  process.stdout.write(`quick start ok: operation ${op.id} streamed ${text.length} characters\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`quick start failed: ${error.message}\n`);
  process.exit(1);
});
