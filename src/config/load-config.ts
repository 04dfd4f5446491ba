import * as path from 'node:path';
import { ConfigError, HeraldConfig, HeraldRole } from './herald-config';
import { EnvReader, parseDuration } from './env-reader';
import { prettyLogsAvailable } from './pretty-logs';

const RETENTION_PREFIX = 'RETENTION_';
const DAY = 86_400_000;

/** Reads and validates the whole configuration; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, canPrettyPrint: () => boolean = prettyLogsAvailable): HeraldConfig {
  const r = new EnvReader(env);
  const databaseUrl = r.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = r.url('REDIS_URL', ['redis:', 'rediss:']);
  const hasDb = r.raw('DATABASE_URL') !== undefined;
  const hasRedis = r.raw('REDIS_URL') !== undefined;
  if (hasDb !== hasRedis) {
    r.problems.push(
      'DATABASE_URL and REDIS_URL go together: set both for distributed mode, or neither for embedded mode',
    );
  }
  const mode = hasDb && hasRedis ? 'distributed' : 'embedded';
  const role = r.oneOf<HeraldRole>('HERALD_ROLE', 'all', ['api', 'worker', 'all']);
  if (mode === 'embedded' && role !== 'all') {
    r.problems.push(`HERALD_ROLE=${role} needs distributed mode (DATABASE_URL and REDIS_URL)`);
  }

  const jwtSecret = r.optional('JWT_SECRET');
  const jwtPublicKey = r.optional('JWT_PUBLIC_KEY')?.replace(/\\n/g, '\n') ?? null;
  if (jwtSecret && jwtPublicKey) r.problems.push('set JWT_SECRET or JWT_PUBLIC_KEY, not both');
  if (jwtSecret && jwtSecret.length < 32) r.problems.push('JWT_SECRET must be at least 32 characters');
  if (jwtPublicKey && !jwtPublicKey.includes('BEGIN PUBLIC KEY')) {
    r.problems.push('JWT_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
  }
  if (mode === 'distributed' && !jwtSecret && !jwtPublicKey) {
    r.problems.push('distributed mode needs JWT_SECRET or JWT_PUBLIC_KEY: every process must verify the same tokens');
  }

  const provider = r.oneOf('LLM_PROVIDER', 'simulated', ['simulated', 'openai'] as const);
  const openaiBaseUrl = r.url('OPENAI_BASE_URL', ['http:', 'https:']);
  // Checked against the raw value: a malformed URL already has its own problem.
  if (provider === 'openai' && r.raw('OPENAI_BASE_URL') === undefined) {
    r.problems.push('LLM_PROVIDER=openai needs OPENAI_BASE_URL (e.g. https://api.openai.com or http://localhost:11434)');
  }

  const config: HeraldConfig = {
    mode,
    role,
    port: r.int('PORT', 3000, 0, 65535),
    extraAcceptors: r.int('HTTP_EXTRA_ACCEPTORS', 3, 0, 64),
    host: r.string('HOST', '0.0.0.0'),
    publicUrl: r.url('PUBLIC_URL', ['http:', 'https:']),
    databaseUrl,
    redisUrl,
    redisPrefix: r.string('REDIS_PREFIX', 'herald'),
    dataDir: path.resolve(r.string('HERALD_DATA_DIR', './.herald-data')),
    migrationsRun: r.bool('MIGRATIONS_RUN', true),
    preparedStatements: r.bool('DATABASE_PREPARED_STATEMENTS', true),
    jwt: {
      secret: jwtSecret,
      publicKey: jwtPublicKey,
      issuer: r.optional('JWT_ISSUER'),
      audience: r.optional('JWT_AUDIENCE'),
    },
    sse: {
      retryMs: r.int('SSE_RETRY_MS', 2000, 0, 3_600_000),
      heartbeatMs: r.int('SSE_HEARTBEAT_MS', 15_000, 100, 3_600_000),
      maxBufferedBytes: r.int('SSE_MAX_BUFFERED_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
      maxConnectionsPerUser: r.int('SSE_MAX_CONNECTIONS_PER_USER', 20, 1, 1_000_000),
      maxConnections: r.int('SSE_MAX_CONNECTIONS', 50_000, 1, 10_000_000),
    },
    limits: {
      maxActiveOperationsPerUser: r.int('MAX_ACTIVE_OPERATIONS_PER_USER', 20, 1, 1_000_000),
      rateLimitPerMinute: r.int('RATE_LIMIT_PER_MINUTE', 600, 1, 100_000_000),
      operationTimeoutMs: r.int('OPERATION_TIMEOUT_MS', 300_000, 100, 86_400_000),
      bodyLimitBytes: 256 * 1024,
    },
    worker: {
      concurrency: r.int('WORKER_CONCURRENCY', 50, 1, 10_000),
      lockDurationMs: r.int('WORKER_LOCK_DURATION_MS', 30_000, 1000, 3_600_000),
      stalledIntervalMs: r.int('WORKER_STALLED_INTERVAL_MS', 30_000, 500, 3_600_000),
      maxStalledCount: r.int('WORKER_MAX_STALLED_COUNT', 3, 0, 100),
      recoverySweepMs: r.int('RECOVERY_SWEEP_MS', 30_000, 100, DAY),
    },
    llm: {
      provider,
      simTokensPerSecond: r.int('SIM_TOKENS_PER_SECOND', 30, 1, 1_000_000),
      openaiBaseUrl,
      openaiApiKey: r.optional('OPENAI_API_KEY'),
      openaiTimeoutMs: r.int('OPENAI_TIMEOUT_MS', 30_000, 100, 600_000),
      openaiMaxRetries: r.int('OPENAI_MAX_RETRIES', 3, 0, 20),
      model: r.string('LLM_MODEL', 'gpt-4o-mini'),
    },
    retention: { overrides: readRetention(r), defaultMs: 30 * DAY, sweepEveryMs: r.int('RETENTION_SWEEP_MS', 60_000, 100, DAY) },
    corsOrigins: readCors(r.optional('CORS_ORIGINS')),
    logLevel: r.oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    // Pretty in a terminal by default, but only where pino-pretty is installed (not in a production install).
    logPretty: r.bool('LOG_PRETTY', Boolean(process.stdout.isTTY) && canPrettyPrint()),
  };
  if (config.logPretty && !canPrettyPrint()) {
    r.problems.push('LOG_PRETTY=true needs the pino-pretty package, which a production install (npm ci --omit=dev) leaves out: install it or set LOG_PRETTY=false');
  }

  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** RETENTION_OPERATION_CONTENT=24h applies to type operation.content. */
function readRetention(r: EnvReader): Record<string, number> {
  const overrides: Record<string, number> = {
    'operation.content': DAY,
    'operation.progress': DAY,
  };
  for (const [name, value] of r.entries()) {
    if (!name.startsWith(RETENTION_PREFIX) || name === 'RETENTION_SWEEP_MS') continue;
    const type = name.slice(RETENTION_PREFIX.length).toLowerCase().replace(/_/g, '.');
    const ms = parseDuration(value);
    if (ms === null || ms <= 0) {
      r.problems.push(`${name}=${JSON.stringify(value)} must be a duration such as 24h or 30d`);
      continue;
    }
    overrides[type] = ms;
  }
  return overrides;
}

function readCors(value: string | null): string[] | true {
  if (value === null || value === '*') return true;
  return value
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}
