import { isDeepStrictEqual } from 'node:util';
import { readStoredRows } from '../distributed/support/resume-check';
import { sleep } from '../distributed/support/time';
import { HeraldProcess, startHerald, stopAllHeralds } from '../support/herald-process';
import { openRawStream } from '../support/raw-stream';
import { cleanupRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../support/test-redis';
import { makeToken } from '../support/tokens';
import { PostgresServer } from './support/postgres-server';
import { readiness } from './support/readiness';
import { sseFrames } from './support/sse-frames';

// PostgreSQL goes away mid-generation (stopped as if it crashed) and comes
// back: the worker's event writer retries with backoff instead of failing the
// operation, nothing reaches a client before it is stored, and the operation
// ends — here completed, with its chunks intact — rather than hanging in running.

const SECRET = 'pg-restart-secret-0123456789abcdefghijk';
const USER = 'pg-restart-user';
const auth = { Authorization: `Bearer ${makeToken(SECRET, USER)}` };
const OUTAGE_MS = 3000;

describe('PostgreSQL restarted mid-generation', () => {
  let pg: PostgresServer;
  const prefix = uniqueRedisPrefix();
  let api: HeraldProcess;
  let worker: HeraldProcess;

  beforeAll(async () => {
    pg = await PostgresServer.start();
    const env = {
      DATABASE_URL: pg.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET: SECRET,
      SIM_TOKENS_PER_SECOND: '25',
    };
    api = await startHerald({ env, role: 'api' });
    worker = await startHerald({ env, role: 'worker' });
  }, 90_000);

  afterAll(async () => {
    await stopAllHeralds();
    await cleanupRedisPrefix(prefix);
    await pg?.destroy();
  }, 60_000);

  it('the writer retries; the operation completes and every delivered event is a stored one', async () => {
    const res = await fetch(`${api.url}/api/operations`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'text-generation', input: { prompt: 'the database blinks', maxTokens: 150 } }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const stream = await openRawStream(`${api.url}/api/events/operations/${id}`, auth);
    await stream.waitFor((t) => (t.match(/operation\.content/g) ?? []).length >= 20, 30_000);

    await pg.stopImmediately();
    const during = await readiness(api.url);
    await sleep(OUTAGE_MS);
    await pg.start();
    await stream.waitFor(/event: operation\.(completed|failed)/, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n--- worker ---\n${worker.output()}`);
    });

    expect(during).toMatchObject({ status: 503, database: 'down' });
    // The fault hit a write, which was retried rather than failing the operation.
    expect(worker.output()).toMatch(/event write failed .*; retrying/);
    const frames = sseFrames(stream.text());
    const stored = new Map((await readStoredRows(pg.url, USER)).map((row) => [String(row.id), row]));
    const notStored = frames.filter((f) => {
      const row = stored.get(f.id);
      return !row || row.type !== f.event || !isDeepStrictEqual(row.data, f.envelope.data);
    });
    expect(notStored).toEqual([]);

    const op = (await (await fetch(`${api.url}/api/operations/${id}`, { headers: auth })).json()) as {
      status: string;
      result: { text: string; tokens: number };
    };
    expect(op.status).toBe('completed');
    const chunks = frames.filter((f) => f.event === 'operation.content').map((f) => f.envelope.data);
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    expect(chunks.map((c) => c.text).join('')).toBe(op.result.text);
    expect(op.result.tokens).toBe(150);
    const statuses = frames.filter((f) => f.event === 'operation.status').map((f) => f.envelope.data.status);
    expect(statuses).toEqual(['queued', 'running', 'completed']);
    expect((await readiness(api.url)).status).toBe(200);
  }, 90_000);
});
