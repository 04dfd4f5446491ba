import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

/** Server the e2e tests use; TEST_REDIS_URL points them elsewhere. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// Tests share one Redis, so each test namespaces its keys (pub/sub channels,
// BullMQ queues, counters) under its own prefix and removes them afterwards.
export function uniqueRedisPrefix(): string {
  return `herald_t_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/**
 * Deletes every key starting with `prefix` (this covers `${prefix}:*` and
 * BullMQ keys when BullMQ is given the prefix). Returns how many were deleted.
 */
export async function cleanupRedisPrefix(prefix: string): Promise<number> {
  if (!/^[A-Za-z0-9_:.-]+$/.test(prefix)) {
    // A glob character here could match (and delete) other tests' keys.
    throw new Error(`refusing to clean up unsafe Redis prefix ${JSON.stringify(prefix)}`);
  }
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    // SCAN instead of KEYS so a large keyspace never blocks the server.
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/**
 * For a suite on the shared test Redis: one connection, opened before the
 * suite, and a key prefix whose keys are deleted after it.
 */
export function useTestRedis(): { readonly prefix: string; readonly redis: Redis } {
  const suite = { prefix: uniqueRedisPrefix(), redis: undefined as unknown as Redis };
  beforeAll(() => {
    suite.redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    suite.redis.disconnect();
    await cleanupRedisPrefix(suite.prefix);
  });
  return suite;
}

/** Connections for BullMQ (no per-request retry limit) to the test Redis, remembered so a suite can drop them all. */
export class TestRedisConnections {
  readonly all: Redis[] = [];

  readonly connect = (): Redis => {
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    this.all.push(redis);
    return redis;
  };

  disconnectAll(): void {
    for (const redis of this.all) redis.disconnect();
  }
}
