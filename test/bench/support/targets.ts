import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { HeraldProcess, startHerald } from '../../support/herald-process';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { cleanupRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../../support/test-redis';
import { makeToken } from '../../support/tokens';
import { StreamRequest } from '../client/sse-stream';
import { HttpRequest } from '../client/http-pool';

/** Set by `--cpu-prof`: servers started from now on write CPU profiles here when stopped. */
let profileDir: string | null = null;

export function enableCpuProfiles(dir: string): void {
  mkdirSync(dir, { recursive: true });
  profileDir = dir;
}

function profilingEnv(name: string): Record<string, string> {
  if (!profileDir) return {};
  return {
    NODE_OPTIONS: `--require ${join(__dirname, 'cpu-profile-hook.js')}`,
    BENCH_CPU_PROFILE_DIR: profileDir,
    BENCH_CPU_PROFILE_NAME: name,
  };
}

/** Asks each profiled process for its profile and waits (briefly) until it is written. */
async function collectProfiles(procs: HeraldProcess[]): Promise<void> {
  if (!profileDir) return;
  const dir = profileDir;
  for (const p of procs) writeFileSync(join(dir, `${p.pid}.stop`), '');
  const deadline = Date.now() + 10_000;
  const written = () => {
    const files = readdirSync(dir);
    return procs.every((p) => files.some((f) => f.endsWith(`-${p.pid}.cpuprofile`)));
  };
  while (!written() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

export type TargetKind = 'herald' | 'herald-embedded' | 'better-sse' | 'naive-nest';

/** A server under test, seen the same way whatever it is. */
export interface Target {
  kind: TargetKind;
  label: string;
  port: number;
  /** The process whose memory is charged to the connections (the one holding them). */
  streamPid: number;
  /** Every server process (CPU accounting). */
  pids: number[];
  /** GET request of a user's stream, optionally resuming after an event id. */
  stream(userId: string, lastEventId?: string): StreamRequest;
  /** POST request publishing `data` as event `type` to one user. */
  publish(userId: string, type: string, dataJson: string): HttpRequest;
  /** Herald only: how many stored events of `type` the database holds. */
  storedCount?(type: string): Promise<number>;
  /** The servers' recent output, to explain a failure. */
  output(): string;
  /** Herald only: a user's bearer token. */
  token?(userId: string): string;
  stop(): Promise<void>;
}

export const TARGET_LABELS: Record<TargetKind, string> = {
  herald: 'Herald (distributed)',
  'herald-embedded': 'Herald (embedded)',
  'better-sse': 'better-sse',
  'naive-nest': 'naive Nest @Sse',
};

// Long enough for any full run: Herald ends a stream when its token expires.
const TOKEN_TTL_S = 6 * 3600;
const PUBLISHER_ID = 'bench-publisher';

export interface HeraldEnv {
  /** Jobs one worker runs at once (the generation scenario needs 500). */
  workerConcurrency?: number;
}

function heraldEnv(secret: string, opts: HeraldEnv, name: string): Record<string, string> {
  return {
    JWT_SECRET: secret,
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    SIM_TOKENS_PER_SECOND: '40',
    // The bench publishes as one service user and must measure throughput, not the limiter's answer.
    RATE_LIMIT_PER_MINUTE: '100000000',
    SSE_MAX_CONNECTIONS_PER_USER: '20',
    MAX_ACTIVE_OPERATIONS_PER_USER: '20',
    WORKER_CONCURRENCY: String(opts.workerConcurrency ?? 50),
    ...profilingEnv(name),
  };
}

function heraldTarget(
  kind: TargetKind,
  api: HeraldProcess,
  others: HeraldProcess[],
  secret: string,
  cleanup: () => Promise<void>,
  db?: TestDatabase,
): Target {
  const tokens = new Map<string, string>();
  const token = (userId: string) => {
    let t = tokens.get(userId);
    if (!t) {
      t = makeToken(secret, userId, { ttlSeconds: TOKEN_TTL_S });
      tokens.set(userId, t);
    }
    return t;
  };
  const publisherAuth = `Bearer ${makeToken(secret, PUBLISHER_ID, { scopes: ['events:publish'], ttlSeconds: TOKEN_TTL_S })}`;
  return {
    kind,
    label: TARGET_LABELS[kind],
    port: api.port,
    streamPid: api.pid,
    pids: [api.pid, ...others.map((p) => p.pid)],
    token,
    output: () => [api, ...others].map((p) => `--- ${p.role} (pid ${p.pid}) ---\n${p.output()}`).join('\n'),
    stream: (userId, lastEventId) => ({
      path: '/api/events/stream',
      headers: {
        Authorization: `Bearer ${token(userId)}`,
        ...(lastEventId !== undefined ? { 'Last-Event-ID': lastEventId } : {}),
      },
    }),
    publish: (userId, type, dataJson) => ({
      method: 'POST',
      path: '/api/events',
      headers: { Authorization: publisherAuth, 'Content-Type': 'application/json' },
      body: `{"userId":${JSON.stringify(userId)},"type":"${type}","data":${dataJson}}`,
    }),
    storedCount: db
      ? async (type) => {
          const client = new Client({ connectionString: db.url });
          await client.connect();
          try {
            const rows = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM herald_events WHERE type = $1', [type]);
            return Number(rows.rows[0].n);
          } finally {
            await client.end();
          }
        }
      : undefined,
    async stop() {
      await collectProfiles([api, ...others]);
      await Promise.all([api, ...others].map((p) => p.kill()));
      await cleanup();
    },
  };
}

/** PostgreSQL, Redis, one HERALD_ROLE=api and one HERALD_ROLE=worker process, on a fresh database and prefix. */
export async function startHeraldDistributed(opts: HeraldEnv = {}): Promise<Target> {
  const db = await createTestDatabase();
  const prefix = uniqueRedisPrefix();
  const secret = randomBytes(32).toString('hex');
  const env = { ...heraldEnv(secret, opts, 'herald'), DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix };
  const cleanup = async () => {
    await db.drop();
    await cleanupRedisPrefix(prefix);
  };
  const started: HeraldProcess[] = [];
  try {
    // The API applies the migrations; the worker starts once they exist.
    started.push(await startHerald({ role: 'api', env, readyTimeoutMs: 60_000 }));
    started.push(await startHerald({ role: 'worker', env, readyTimeoutMs: 60_000 }));
  } catch (error) {
    await Promise.all(started.map((p) => p.kill()));
    await cleanup();
    throw error;
  }
  return heraldTarget('herald', started[0], started.slice(1), secret, cleanup, db);
}

/** One process: API, in-process worker and bus, PGlite in a temporary directory. */
export async function startHeraldEmbedded(opts: HeraldEnv = {}): Promise<Target> {
  const secret = randomBytes(32).toString('hex');
  const proc = await startHerald({ role: 'all', env: heraldEnv(secret, opts, 'herald-embedded'), readyTimeoutMs: 60_000 });
  return heraldTarget('herald-embedded', proc, [], secret, async () => undefined);
}

async function startBaseline(kind: 'better-sse' | 'naive-nest', entry: string): Promise<Target> {
  // startHerald only spawns a Node script and waits for /health/live, which the baselines answer too.
  const proc = await startHerald({ role: 'all', env: profilingEnv(kind), entry: join(__dirname, '..', 'baselines', entry) });
  return {
    kind,
    label: TARGET_LABELS[kind],
    port: proc.port,
    streamPid: proc.pid,
    pids: [proc.pid],
    output: () => proc.output(),
    stream: (userId) => ({ path: `/stream?user=${encodeURIComponent(userId)}`, headers: {} }),
    publish: (userId, type, dataJson) => ({
      method: 'POST',
      path: '/publish',
      headers: { 'Content-Type': 'application/json' },
      body: `{"userId":${JSON.stringify(userId)},"type":"${type}","data":${dataJson}}`,
    }),
    async stop() {
      await collectProfiles([proc]);
      await proc.kill();
    },
  };
}

export function startTarget(kind: TargetKind, opts: HeraldEnv = {}): Promise<Target> {
  switch (kind) {
    case 'herald':
      return startHeraldDistributed(opts);
    case 'herald-embedded':
      return startHeraldEmbedded(opts);
    case 'better-sse':
      return startBaseline(kind, 'better-sse-server.js');
    case 'naive-nest':
      return startBaseline(kind, join('naive-nest', 'main.js'));
  }
}
