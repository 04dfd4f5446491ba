import { Logger } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { PeriodicScheduler } from './periodic-scheduler';

export const MAINTENANCE_QUEUE = 'maintenance';

/**
 * Distributed mode: every worker registers the same job scheduler (an upsert,
 * so there is one), and whichever worker is free runs each occurrence. The
 * schedulers live in Redis: after a reconnect (Redis may have come back empty)
 * they are registered again, or maintenance would stop until a worker restarted.
 */
export class BullmqPeriodicScheduler extends PeriodicScheduler {
  private readonly logger = new Logger(BullmqPeriodicScheduler.name);
  private readonly tasks = new Map<string, () => Promise<void>>();
  private readonly periods = new Map<string, number>();
  private queue?: Queue;
  private worker?: Worker;

  constructor(
    private readonly connect: () => Redis,
    private readonly prefix: string,
  ) {
    super();
  }

  async schedule(name: string, everyMs: number, task: () => Promise<void>): Promise<void> {
    this.tasks.set(name, task);
    this.periods.set(name, everyMs);
    this.queue ??= this.createQueue();
    this.worker ??= new Worker(
      MAINTENANCE_QUEUE,
      async (job) => {
        const run = this.tasks.get(job.name);
        if (run) await run();
      },
      { connection: this.connect(), prefix: this.prefix, concurrency: 1 },
    );
    this.worker.on('failed', (job, error) => this.logger.warn(`${job?.name} failed: ${error.message}`));
    await this.register(this.queue, name, everyMs);
  }

  private createQueue(): Queue {
    const connection = this.connect();
    const queue = new Queue(MAINTENANCE_QUEUE, { connection, prefix: this.prefix });
    let connectedBefore = false;
    connection.on('ready', () => {
      if (connectedBefore) {
        for (const [name, everyMs] of this.periods) {
          this.register(queue, name, everyMs).catch((e: Error) => this.logger.warn(`registering ${name} again failed: ${e.message}`));
        }
      }
      connectedBefore = true;
    });
    return queue;
  }

  private async register(queue: Queue, name: string, everyMs: number): Promise<void> {
    await queue.upsertJobScheduler(name, { every: everyMs }, { name, opts: { removeOnComplete: 10, removeOnFail: 50 } });
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }
}
