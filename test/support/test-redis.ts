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
