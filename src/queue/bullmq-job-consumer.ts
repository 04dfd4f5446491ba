import { Logger } from '@nestjs/common';
import { DelayedError, Job, Worker, WorkerOptions } from 'bullmq';
import Redis from 'ioredis';
import { JobConsumer } from './job-consumer';
import { GenerationJob, JobHandler, SHUTDOWN_REASON } from './job-queue';
import { GENERATION_QUEUE } from './bullmq-job-queue';

/** How long a stopping worker waits for its jobs to let go before closing regardless. */
const CLOSE_GRACE_MS = 5000;

/**
 * A BullMQ worker. The processor is thin: it passes the job and BullMQ's
 * AbortSignal to the handler. Cancels reach it over Redis pub/sub, since only
 * the process running a job can abort it.
 */
export class BullmqJobConsumer extends JobConsumer {
  private readonly logger = new Logger(BullmqJobConsumer.name);
  private worker?: Worker<GenerationJob>;

  constructor(
    private readonly options: WorkerOptions,
    private readonly subscriber: Redis,
    private readonly cancelChannel: string,
  ) {
    super();
  }

  async start(handler: JobHandler): Promise<void> {
    this.worker = new Worker<GenerationJob>(
      GENERATION_QUEUE,
      async (job: Job<GenerationJob>, token?: string, signal?: AbortSignal) => {
        const outcome = await handler.handle(job.data, signal ?? new AbortController().signal);
        if (outcome === 'handed-back' && token) {
          // Back to the queue at once: another worker continues it now rather than after the lock expires.
          await job.moveToDelayed(Date.now(), token);
          throw new DelayedError();
        }
      },
      this.options,
    );
    this.worker.on('failed', (job, error) => {
      if (!job) return;
      this.logger.warn(`job ${job.id} failed in the queue: ${error.message}`);
      void handler.abandon(job.data, error.message).catch((e: Error) => this.logger.error(e.message));
    });
    this.worker.on('error', (error) => this.logger.warn(`worker: ${error.message}`));
    await this.subscriber.subscribe(this.cancelChannel);
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.cancelChannel) return;
      try {
        const { operationId, reason } = JSON.parse(message) as { operationId: string; reason: string };
        this.worker?.cancelJob(operationId, reason);
      } catch {
        this.logger.warn('ignored a malformed cancel message');
      }
    });
    await this.worker.waitUntilReady();
  }

  /** SIGTERM: stop taking jobs, hand running ones back, then close. */
  async stop(): Promise<void> {
    // Abort first: handing the jobs back must not wait behind anything else.
    this.worker?.cancelAllJobs(SHUTDOWN_REASON);
    const closing = this.worker?.close() ?? Promise.resolve();
    // A job that does not let go within the grace period is left to BullMQ's stalled-job recovery.
    const graceful = await Promise.race([
      closing.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CLOSE_GRACE_MS).unref()),
    ]);
    if (!graceful) {
      this.logger.warn(`jobs did not stop within ${CLOSE_GRACE_MS} ms; closing anyway`);
      await this.worker?.close(true);
    }
    await this.subscriber.quit().catch(() => undefined);
  }
}
