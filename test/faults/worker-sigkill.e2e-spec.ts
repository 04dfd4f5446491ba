import { HeraldProcess, startHerald, stopAllHeralds } from '../support/herald-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { cleanupRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../support/test-redis';
import { openRawStream } from '../support/raw-stream';
import { makeToken } from '../support/tokens';
import { sseFrames } from './support/sse-frames';

// A worker killed outright (SIGKILL: no shutdown hooks, no hand-back) loses
// its BullMQ lock; the stalled-job check gives the job to the other worker,
// which continues the operation: clients see retrying then running, content
// indexes run 0..n-1 once each, and the chunks concatenate to the result.

const SECRET = 'sigkill-secret-0123456789abcdefghijklm';
const auth = { Authorization: `Bearer ${makeToken(SECRET, 'crash-victim')}` };

describe('worker SIGKILL mid-generation', () => {
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
      SIM_TOKENS_PER_SECOND: '25',
      // Notice a dead worker within seconds rather than BullMQ's default 30 s.
      WORKER_LOCK_DURATION_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      LOG_LEVEL: 'warn',
    };
    api = await startHerald({ env, role: 'api' });
  }, 60_000);

  afterAll(async () => {
    await stopAllHeralds();
    await cleanupRedisPrefix(prefix);
    await db.drop();
  }, 60_000);

  it('is recovered by the other worker and completes gap-free', async () => {
    const doomed = await startHerald({ env, role: 'worker' });
    const res = await fetch(`${api.url}/api/operations`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'text-generation', input: { prompt: 'the worker falls over', maxTokens: 200 } }),
    });
    const { id } = (await res.json()) as { id: string };
    const stream = await openRawStream(`${api.url}/api/events/operations/${id}`, auth);
    await stream.waitFor((t) => (t.match(/operation\.content/g) ?? []).length >= 15, 20_000);

    // Killed before the other worker exists, so the kill cannot lose a race with a slow boot.
    await doomed.kill('SIGKILL');
    await startHerald({ env, role: 'worker' });
    await stream.ended;

    const all = sseFrames(stream.text());
    const statuses = all.filter((f) => f.event === 'operation.status').map((f) => f.envelope.data.status);
    expect(statuses).toEqual(['queued', 'running', 'retrying', 'running', 'completed']);
    const chunks = all.filter((f) => f.event === 'operation.content').map((f) => f.envelope.data);
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    const op = (await (await fetch(`${api.url}/api/operations/${id}`, { headers: auth })).json()) as {
      status: string;
      attempts: number;
      result: { text: string; tokens: number };
    };
    expect(op.status).toBe('completed');
    expect(op.attempts).toBe(2);
    expect(chunks.map((c) => c.text).join('')).toBe(op.result.text);
    expect(op.result.tokens).toBe(200);
  }, 90_000);
});
