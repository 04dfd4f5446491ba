import { HeraldProcess, startHerald, stopAllHeralds } from '../support/herald-process';
import { openRawStream } from '../support/raw-stream';
import { makeToken } from '../support/tokens';

// /metrics is what operators alert on: after a client streams an operation,
// the counters it names must have moved.

const SECRET = 'metrics-secret-0123456789abcdefghijkl';
const auth = { Authorization: `Bearer ${makeToken(SECRET, 'm-user')}` };

function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('/metrics', () => {
  let herald: HeraldProcess;
  beforeAll(async () => {
    herald = await startHerald({ env: { JWT_SECRET: SECRET, SIM_TOKENS_PER_SECOND: '200', LOG_LEVEL: 'warn' } });
  }, 60_000);
  afterAll(() => stopAllHeralds());

  it('counts connections, delivered and replayed events, latency and operations by status', async () => {
    const scrape = async () => (await fetch(`${herald.url}/metrics`)).text();
    const before = await scrape();
    expect(before).toContain('# TYPE herald_delivery_latency_seconds histogram');

    const res = await fetch(`${herald.url}/api/operations`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'text-generation', input: { prompt: 'metrics', maxTokens: 20 } }),
    });
    const { id } = (await res.json()) as { id: string };
    const stream = await openRawStream(`${herald.url}/api/events/operations/${id}`, auth);
    await stream.waitFor('event: operation.content');
    expect(sample(await scrape(), 'herald_sse_connections', 'view="operation"')).toBe(1);
    await stream.ended;

    const after = await scrape();
    expect(sample(after, 'herald_sse_connections', 'view="operation"')).toBe(0);
    const written =
      sample(after, 'herald_events_delivered_total', 'type="operation.content"') +
      sample(after, 'herald_events_replayed_total', 'type="operation.content"');
    expect(written).toBe(20);
    expect(sample(after, 'herald_events_published_total', 'type="operation.content"')).toBe(20);
    expect(sample(after, 'herald_operations', 'status="completed"')).toBe(1);
    expect(after).toMatch(/herald_delivery_latency_seconds_count [1-9]/);
  }, 60_000);
});
