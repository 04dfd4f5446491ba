import { HeraldProcess, startHerald, stopAllHeralds } from '../support/herald-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { cleanupRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../support/test-redis';
import { openRawStream } from '../support/raw-stream';
import { makeToken } from '../support/tokens';
import { sseFrames } from './support/sse-frames';

// A worker asked to stop (SIGTERM, as a deploy does) hands its running job
// back to the queue at once; another worker continues the operation without
// repeating or losing a chunk — well before BullMQ's lock would have expired.

const SECRET = 'sigterm-secret-0123456789abcdefghijklm';
const auth = { Authorization: `Bearer ${makeToken(SECRET, 'deployer')}` };

describe('worker SIGTERM', () => {
  let db: TestDatabase;
  const prefix = uniqueRedisPrefix();
  let env: Record<string, string>;
  let api: HeraldProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET: SECRET,
      SIM_TOKENS_PER_SECOND: '20',
      WORKER_LOCK_DURATION_MS: '60000',
      WORKER_STALLED_INTERVAL_MS: '60000',
      LOG_LEVEL: 'warn',
    };
    api = await startHerald({ env, role: 'api' });
  }, 60_000);

  afterAll(async () => {
    await stopAllHeralds();
    await cleanupRedisPrefix(prefix);
    await db.drop();
  }, 60_000);

  it('hands the running job to the other worker, which continues it gap-free', async () => {
    const first = await startHerald({ env, role: 'worker' });
    const res = await fetch(`${api.url}/api/operations`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'text-generation', input: { prompt: 'a deploy in the middle', maxTokens: 300 } }),
    });
    const { id } = (await res.json()) as { id: string };
    const stream = await openRawStream(`${api.url}/api/events/operations/${id}`, auth);
    await stream.waitFor((t) => (t.match(/operation\.content/g) ?? []).length >= 10, 20_000);

    // 300 tokens at 20/s: the first worker is still generating when this one has booted, even on a loaded machine.
    await startHerald({ env, role: 'worker' });
    const stoppedAt = Date.now();
    await first.kill('SIGTERM');
    // Nest re-raises SIGTERM after its shutdown hooks, so a clean stop ends by the signal;
    // kill() would have escalated to SIGKILL after 10 s had the worker hung.
    expect(Date.now() - stoppedAt).toBeLessThan(9_000);
    // Resumed by the other worker far sooner than the 60 s lock: the job was handed back, not left to stall.
    await stream.waitFor('"status":"retrying"', 20_000);
    await stream.ended;

    const all = sseFrames(stream.text());
    const statuses = all.filter((f) => f.event === 'operation.status').map((f) => f.envelope.data.status);
    expect(statuses).toEqual(['queued', 'running', 'retrying', 'running', 'completed']);
    const chunks = all.filter((f) => f.event === 'operation.content').map((f) => f.envelope.data);
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    const op = (await (await fetch(`${api.url}/api/operations/${id}`, { headers: auth })).json()) as {
      result: { text: string; tokens: number };
    };
    expect(chunks.map((c) => c.text).join('')).toBe(op.result.text);
    expect(op.result.tokens).toBe(300);
  }, 90_000);
});
