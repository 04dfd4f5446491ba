import { randomBytes } from 'node:crypto';
import { HeraldProcess, startHerald, stopAllHeralds } from '../../support/herald-process';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { cleanupRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../../support/test-redis';
import { makeToken, TokenOptions } from '../../support/tokens';

export interface ClusterOptions {
  apis: number;
  workers: number;
  /** Extra environment for every process (e.g. SIM_TOKENS_PER_SECOND). */
  env?: Record<string, string>;
  /** Environment for API process `index` (0-based) only, over `env`. */
  apiEnv?: (index: number) => Record<string, string>;
}

export interface Cluster {
  apis: HeraldProcess[];
  workers: HeraldProcess[];
  db: TestDatabase;
  redisPrefix: string;
  token(userId: string, opts?: TokenOptions): string;
  /** Every process's recent output, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A distributed deployment as an operator would run it: separate
 * `HERALD_ROLE=api` and `HERALD_ROLE=worker` processes sharing one database
 * and one Redis prefix.
 */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const db = await createTestDatabase();
  const redisPrefix = uniqueRedisPrefix();
  const secret = randomBytes(32).toString('hex');
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    JWT_SECRET: secret,
    ...opts.env,
  };
  const apis: HeraldProcess[] = [];
  const workers: HeraldProcess[] = [];
  const cluster: Cluster = {
    apis,
    workers,
    db,
    redisPrefix,
    token: (userId, tokenOpts) => makeToken(secret, userId, tokenOpts),
    output: () =>
      [...apis.map((p, i) => [`api#${i + 1}`, p] as const), ...workers.map((p, i) => [`worker#${i + 1}`, p] as const)]
        .map(([name, p]) => `--- ${name} (pid ${p.pid}) ---\n${p.output()}`)
        .join('\n'),
    async stop() {
      await stopAllHeralds();
      await db.drop();
      await cleanupRedisPrefix(redisPrefix);
    },
  };
  try {
    // The first process applies the migrations alone; two processes migrating
    // one fresh database at once would race on creating the same tables.
    const apiEnv = (index: number) => ({ ...env, ...opts.apiEnv?.(index) });
    apis.push(await startHerald({ role: 'api', env: apiEnv(0) }));
    const rest = await Promise.all([
      ...Array.from({ length: opts.apis - 1 }, (_, i) => startHerald({ role: 'api', env: apiEnv(i + 1) })),
      ...Array.from({ length: opts.workers }, () => startHerald({ role: 'worker', env })),
    ]);
    apis.push(...rest.slice(0, opts.apis - 1));
    workers.push(...rest.slice(opts.apis - 1));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** Runs a test body; when it fails, prints what the processes logged, which usually says why. */
export async function withProcessOutput<T>(cluster: Cluster, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    // The cluster may be missing when its own start-up failed (that error is reported already).
    if (cluster) process.stdout.write(`${cluster.output()}\n`);
    throw error;
  }
}
