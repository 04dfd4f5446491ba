import { Logger } from '@nestjs/common';
import { Job, Worker, WorkerOptions } from 'bullmq';
import Redis from 'ioredis';
import { JobConsumer } from './job-consumer';
import { GenerationJob, JobHandler } from './job-queue';
import { GENERATION_QUEUE } from './bullmq-job-queue';

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
      (job: Job<GenerationJob>, _token?: string, signal?: AbortSignal) =>
        handler.handle(job.data, signal ?? new AbortController().signal),
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

  async stop(): Promise<void> {
    await this.subscriber.quit().catch(() => undefined);
    await this.worker?.close();
  }
}
