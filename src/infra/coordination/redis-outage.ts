import type Redis from 'ioredis';

/**
 * Lets a limiter answer without Redis while its connection is lost. Limits
 * protect capacity; enforcing them by refusing every request would turn a
 * Redis restart into a full API outage, although the database still serves
 * reads and streams replay from it (and operations started meanwhile are
 * enqueued by the worker's sweep). Knowing the connection is lost answers at
 * once rather than after ioredis' reconnect attempts; before the first
 * connection commands simply wait for it.
 */
export class RedisOutage {
  private lost = false;

  constructor(redis: Redis) {
    redis.on('close', () => (this.lost = true));
    redis.on('ready', () => (this.lost = false));
  }

  async unlessDown<T>(whenDown: T, command: () => Promise<T>): Promise<T> {
    if (this.lost) return whenDown;
    try {
      return await command();
    } catch (error) {
      // The connection dropped while the command was in flight.
      if (this.lost) return whenDown;
      throw error;
    }
  }
}
