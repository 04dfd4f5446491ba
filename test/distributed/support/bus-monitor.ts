import Redis from 'ioredis';
import { TEST_REDIS_URL } from '../../support/test-redis';

/**
 * Listens to the event bus channel between Herald processes and counts how
 * often a user's events were published out of commit order (a batch whose
 * ids are below ids already published). That is the race the per-user
 * ordering in the API processes exists for; counting it shows a run really
 * exercised it. It reads the bus's wire format, which is internal: only the
 * user (`u`) and id (`s`) of each event are used.
 */
export class BusMonitor {
  outOfOrder = 0;
  batches = 0;
  private readonly highest = new Map<string, number>();
  private readonly redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });

  constructor(private readonly channel: string) {}

  async start(): Promise<void> {
    await this.redis.connect();
    this.redis.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
    await this.redis.subscribe(this.channel);
  }

  async stop(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }

  private receive(message: string): void {
    this.batches++;
    // After the sender's origin line (see RedisEventBus).
    const batch = JSON.parse(message.slice(message.indexOf('\n') + 1)) as { u: string; s: number | null }[];
    const seenLate = new Set<string>();
    for (const { u, s } of batch) {
      if (s === null) continue;
      const highest = this.highest.get(u) ?? 0;
      if (s < highest) seenLate.add(u);
      else this.highest.set(u, s);
    }
    this.outOfOrder += seenLate.size;
  }
}
