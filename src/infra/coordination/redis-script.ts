import type Redis from 'ioredis';

/** A Lua script of one key, called with its key and arguments; resolves with the script's integer reply. */
export type RedisScript = (key: string, ...args: (string | number)[]) => Promise<number>;

/**
 * Registers `lua` on the connection and returns a caller for it. ioredis sends
 * EVALSHA, and the script body only when Redis does not know it yet (first use
 * on a connection, or after a Redis restart).
 */
export function defineScript(redis: Redis, name: string, lua: string): RedisScript {
  redis.defineCommand(name, { numberOfKeys: 1, lua });
  return (redis as unknown as Record<string, RedisScript>)[name].bind(redis);
}
