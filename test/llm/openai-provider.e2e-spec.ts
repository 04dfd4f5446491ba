import { FakeLlmServer, statusReply, streamReply } from '../support/fake-llm-server';
import { HeraldProcess, startHerald, stopAllHeralds } from '../support/herald-process';
import { openRawStream } from '../support/raw-stream';
import { makeToken } from '../support/tokens';

// Herald with LLM_PROVIDER=openai against a fake OpenAI-compatible server:
// what the model streams is what clients receive and what is stored, provider
// errors end the operation with the right code, and a cancel reaches the
// provider's HTTP request.

const SECRET = 'openai-provider-e2e-secret-0123456789abcdef';
const auth = { Authorization: `Bearer ${makeToken(SECRET, 'llm-user')}` };
const TOKENS = Array.from({ length: 40 }, (_, i) => (i === 0 ? 'Token' : ` t${i}`));

interface Frame {
  event: string;
  data: { data: Record<string, unknown> };
}

function frames(text: string): Frame[] {
  const out: Frame[] = [];
  for (const block of text.split('\n\n')) {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (event && data && event.startsWith('operation.')) out.push({ event, data: JSON.parse(data) });
  }
  return out;
}

describe('LLM_PROVIDER=openai', () => {
  let fake: FakeLlmServer;
  let herald: HeraldProcess;

  async function start(prompt: string): Promise<string> {
    const res = await fetch(`${herald.url}/api/operations`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'text-generation', input: { prompt, maxTokens: 100 } }),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  }

  async function stored(id: string): Promise<Record<string, unknown>> {
    return (await (await fetch(`${herald.url}/api/operations/${id}`, { headers: auth })).json()) as Record<string, unknown>;
  }

  /** Every operation event, from the start until the stream closes after the terminal one. */
  async function allEvents(id: string): Promise<Frame[]> {
    const stream = await openRawStream(`${herald.url}/api/events/operations/${id}`, auth);
    await stream.ended;
    return frames(stream.text());
  }

  beforeAll(async () => {
    fake = await FakeLlmServer.start();
    herald = await startHerald({
      env: {
        JWT_SECRET: SECRET,
        LLM_PROVIDER: 'openai',
        OPENAI_BASE_URL: fake.url,
        OPENAI_API_KEY: 'sk-e2e',
        LLM_MODEL: 'fake-model',
        OPENAI_TIMEOUT_MS: '2000',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await stopAllHeralds();
    await fake.close();
  }, 30_000);

  it('streams the model text as content events equal to the stored result, across a dropped connection', async () => {
    fake.reset(streamReply(TOKENS, { intervalMs: 5 }));
    fake.script(streamReply(TOKENS, { intervalMs: 5, cut: { after: 15, how: 'drop' } }));
    const id = await start('write forty tokens');
    const events = await allEvents(id);

    const text = events
      .filter((f) => f.event === 'operation.content')
      .map((f) => f.data.data.text as string)
      .join('');
    expect(text).toBe(TOKENS.join(''));
    const op = await stored(id);
    expect(op.status).toBe('completed');
    expect((op.result as { text: string }).text).toBe(text);

    const [first, second] = fake.requests;
    expect(first.headers.authorization).toBe('Bearer sk-e2e');
    expect(first.body).toMatchObject({ model: 'fake-model', stream: true, max_tokens: 100 });
    // Herald may not have read every token sent before the drop (a slow reader loses what was still
    // buffered); the continuation must start from exactly what it delivered, which the fake checks
    // is a whole-token start of the answer.
    expect(second.prefix).not.toBeNull();
    expect(TOKENS.join('').startsWith(second.prefix as string)).toBe(true);
    expect(await second.ended).toBe('completed');
  }, 60_000);

  it('fails the operation with PROVIDER_REJECTED when the provider answers 400', async () => {
    fake.reset(statusReply(400, 'Unknown model: fake-model'));
    const id = await start('rejected');
    const events = await allEvents(id);

    const failed = events.find((f) => f.event === 'operation.failed');
    expect(failed?.data.data).toMatchObject({ code: 'PROVIDER_REJECTED', retryable: false });
    expect(failed?.data.data.message).toContain('Unknown model: fake-model');
    const op = await stored(id);
    expect(op.status).toBe('failed');
    expect(op.error).toMatchObject({ code: 'PROVIDER_REJECTED' });
    expect(fake.requests).toHaveLength(1);
  }, 60_000);

  it('aborts the provider request within about a second of a cancel', async () => {
    fake.reset(streamReply(TOKENS, { intervalMs: 200 }));
    const id = await start('cancel me');
    const [request] = await fake.waitForRequests(1);
    const stream = await openRawStream(`${herald.url}/api/events/operations/${id}`, auth);
    await stream.waitFor('event: operation.content');

    const cancelledAt = Date.now();
    const res = await fetch(`${herald.url}/api/operations/${id}/cancel`, { method: 'POST', headers: auth });
    expect(res.status).toBe(202);
    expect(await request.ended).toBe('client-closed');
    expect(Date.now() - cancelledAt).toBeLessThan(1_500);

    await stream.ended;
    expect(frames(stream.text()).map((f) => f.event)).toContain('operation.cancelled');
    expect((await stored(id)).status).toBe('cancelled');
    expect(fake.requests).toHaveLength(1);
  }, 60_000);

  it('refuses to start without OPENAI_BASE_URL or with a bad OPENAI_TIMEOUT_MS, naming the variable', async () => {
    const env = { JWT_SECRET: SECRET, LLM_PROVIDER: 'openai' };
    await expect(startHerald({ env: { ...env, OPENAI_BASE_URL: undefined } })).rejects.toThrow(
      /LLM_PROVIDER=openai needs OPENAI_BASE_URL/,
    );
    await expect(startHerald({ env: { ...env, OPENAI_BASE_URL: fake.url, OPENAI_TIMEOUT_MS: 'soon' } })).rejects.toThrow(
      /OPENAI_TIMEOUT_MS="soon" must be a whole number/,
    );
  }, 60_000);
});
