/**
 * The one typed configuration object. Every environment variable Herald reads
 * is read here, once, and validated: a bad value stops the boot with a message
 * that names the variable and what it accepts.
 */
export type HeraldMode = 'embedded' | 'distributed';
export type HeraldRole = 'api' | 'worker' | 'all';

export interface HeraldConfig {
  mode: HeraldMode;
  role: HeraldRole;
  port: number;
  /** More descriptors of the listening socket, each accepting one connection per event-loop turn (HTTP_EXTRA_ACCEPTORS; 0: just the listener). */
  extraAcceptors: number;
  host: string;
  publicUrl: string | null;
  databaseUrl: string | null;
  redisUrl: string | null;
  /** Prefix of every Redis key and channel, so test runs and deployments can share a server. */
  redisPrefix: string;
  dataDir: string;
  migrationsRun: boolean;
  /** Named (server-side prepared) statements; off for a pooler that cannot keep them (PgBouncer before 1.21 in transaction mode). */
  preparedStatements: boolean;
  jwt: {
    secret: string | null;
    publicKey: string | null;
    issuer: string | null;
    audience: string | null;
  };
  sse: {
    retryMs: number;
    heartbeatMs: number;
    maxBufferedBytes: number;
    maxConnectionsPerUser: number;
    maxConnections: number;
  };
  limits: {
    maxActiveOperationsPerUser: number;
    rateLimitPerMinute: number;
    operationTimeoutMs: number;
    bodyLimitBytes: number;
  };
  worker: {
    concurrency: number;
    /** BullMQ lock duration: how long a silent worker keeps a job before it counts as stalled. */
    lockDurationMs: number;
    stalledIntervalMs: number;
    maxStalledCount: number;
    /** How often each worker revives unfinished operations that no job will run (RECOVERY_SWEEP_MS). */
    recoverySweepMs: number;
  };
  llm: {
    provider: 'simulated' | 'openai';
    simTokensPerSecond: number;
    /** Set whenever provider is 'openai' (validated); null otherwise. */
    openaiBaseUrl: string | null;
    openaiApiKey: string | null;
    /** Longest silence from the provider (no response, no bytes) before the request is dropped and retried. */
    openaiTimeoutMs: number;
    /** Retries of one request that failed before producing text (429, 5xx, network, stall, malformed stream). */
    openaiMaxRetries: number;
    model: string;
  };
  retention: {
    /** Per-type overrides from RETENTION_<TYPE> (milliseconds), e.g. RETENTION_OPERATION_CONTENT=24h. */
    overrides: Record<string, number>;
    defaultMs: number;
    /** How often expired events are deleted (RETENTION_SWEEP_MS). */
    sweepEveryMs: number;
  };
  corsOrigins: string[] | true;
  logLevel: string;
  logPretty: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}
