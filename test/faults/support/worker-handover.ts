import { HeraldProcess, startHerald, stopAllHeralds } from '../../support/herald-process';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { cleanupRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../../support/test-redis';
import { openRawStream, RawStream } from '../../support/raw-stream';
import { makeToken } from '../../support/tokens';
import { sseFrames } from './sse-frames';

const SECRET = 'handover-secret-0123456789abcdefghijklm';
const auth = { Authorization: `Bearer ${makeToken(SECRET, 'handover-user')}` };

/**
 * One API process on its own database and Redis prefix, for the worker fault
 * tests: they start and stop workers around an operation followed on the API.
 */
export function useWorkerCluster(workerEnv: Record<string, string>) {
  let db: TestDatabase;
  const prefix = uniqueRedisPrefix();
  const cluster = { env: {} as Record<string, string>, api: undefined as unknown as HeraldProcess };

  beforeAll(async () => {
    db = await createTestDatabase();
    cluster.env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      ...workerEnv,
    };
    cluster.api = await startHerald({ env: cluster.env, role: 'api' });
  }, 60_000);

  afterAll(async () => {
    await stopAllHeralds();
    await cleanupRedisPrefix(prefix);
    await db.drop();
  }, 60_000);

  return cluster;
}

/** Starts an operation and follows its view until `chunks` content events have arrived. */
export async function followOperation(api: HeraldProcess, maxTokens: number, chunks: number): Promise<{ id: string; stream: RawStream }> {
  const res = await fetch(`${api.url}/api/operations`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'text-generation', input: { prompt: 'a worker goes away', maxTokens } }),
  });
  const { id } = (await res.json()) as { id: string };
  const stream = await openRawStream(`${api.url}/api/events/operations/${id}`, auth);
  await stream.waitFor((t) => (t.match(/operation\.content/g) ?? []).length >= chunks, 20_000);
  return { id, stream };
}

/**
 * What a worker handover must look like to a client: retrying then running,
 * content indexes 0..n-1 once each, and the chunks concatenating to the result.
 */
export async function expectContinuedOnce(api: HeraldProcess, id: string, stream: RawStream, maxTokens: number): Promise<void> {
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
  expect(op.result.tokens).toBe(maxTokens);
}
