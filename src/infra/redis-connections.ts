import { Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';

/**
 * Opens and closes every Redis connection of the process. Subscribers and
 * BullMQ's blocking worker each need their own connection; BullMQ also needs
 * maxRetriesPerRequest null so its blocking calls survive a Redis restart.
 */
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnections.name);
  private readonly opened: Redis[] = [];
  private healthy = true;

  constructor(private readonly url: string | null) {}

  open(name: string, options: { bullmq?: boolean } = {}): Redis {
    if (!this.url) throw new Error('Redis is not configured in embedded mode');
    const client = new Redis(this.url, {
      connectionName: `herald-${name}`,
      maxRetriesPerRequest: options.bullmq ? null : 3,
      enableOfflineQueue: true,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    client.on('error', (error) => {
      if (this.healthy) this.logger.warn(`redis (${name}): ${error.message}`);
      this.healthy = false;
    });
    client.on('ready', () => (this.healthy = true));
    this.opened.push(client);
    return client;
  }

  async onApplicationShutdown(): Promise<void> {
    // Skip clients their owner (event bus, cancel subscriber) already closed:
    // disconnect() on one arms a 2 s timer that nothing clears, holding the process open.
    const open = this.opened.filter((c) => c.status !== 'end');
    await Promise.all(open.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
