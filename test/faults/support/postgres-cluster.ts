import { HeraldProcess, startHerald, stopAllHeralds } from '../../support/herald-process';
import { openRawStream, RawStream } from '../../support/raw-stream';
import { cleanupRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../../support/test-redis';
import { makeToken } from '../../support/tokens';
import { PostgresServer } from './postgres-server';

const SECRET = 'pg-fault-secret-0123456789abcdefghijklmn';
/** The one user of the cluster: its stored events are exactly those of the operations the test starts. */
export const PG_FAULT_USER = 'pg-fault-user';

/**
 * An API process and a worker on a private PostgreSQL cluster (which the test
 * may stop and start) and their own Redis prefix, for the PostgreSQL fault tests.
 */
export function usePostgresFaultCluster(env: Record<string, string> = {}) {
  const prefix = uniqueRedisPrefix();
  const cluster = {
    pg: undefined as unknown as PostgresServer,
    api: undefined as unknown as HeraldProcess,
    worker: undefined as unknown as HeraldProcess,
    auth: { Authorization: `Bearer ${makeToken(SECRET, PG_FAULT_USER)}` },
  };

  beforeAll(async () => {
    cluster.pg = await PostgresServer.start();
    const all = { DATABASE_URL: cluster.pg.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, JWT_SECRET: SECRET, ...env };
    cluster.api = await startHerald({ env: all, role: 'api' });
    cluster.worker = await startHerald({ env: all, role: 'worker' });
  }, 90_000);

  afterAll(async () => {
    await stopAllHeralds();
    await cleanupRedisPrefix(prefix);
    await cluster.pg?.destroy();
  }, 60_000);

  return cluster;
}

/** Starts a text generation and follows its operation view until `chunks` content events have arrived. */
export async function followGeneration(
  cluster: ReturnType<typeof usePostgresFaultCluster>,
  prompt: string,
  maxTokens: number,
  chunks: number,
): Promise<{ id: string; live: RawStream }> {
  const { api, auth } = cluster;
  const res = await fetch(`${api.url}/api/operations`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'text-generation', input: { prompt, maxTokens } }),
  });
  if (res.status !== 202) throw new Error(`POST /api/operations: HTTP ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  const live = await openRawStream(`${api.url}/api/events/operations/${id}`, auth);
  await live.waitFor((t) => (t.match(/event: operation\.content/g) ?? []).length >= chunks, 30_000);
  return { id, live };
}
