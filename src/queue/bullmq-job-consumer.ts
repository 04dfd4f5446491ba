import { Logger } from '@nestjs/common';
import { DelayedError, Job, Worker, WorkerOptions } from 'bullmq';
import Redis from 'ioredis';
import { JobConsumer } from './job-consumer';
import { GenerationJob, JobHandler, RetryLaterError, SHUTDOWN_REASON } from './job-queue';
import { GENERATION_QUEUE } from './bullmq-job-queue';

/** How long a stopping worker waits for its jobs to let go before closing regardless. */
const CLOSE_GRACE_MS = 5000;
/**
 * A handed-back job waits this long before any worker may take it: long enough
 * for the stopping worker to close, which could otherwise fetch it straight back.
 */
const HAND_BACK_DELAY_MS = 1000;

/**
 * A BullMQ worker. The processor is thin: it passes the job and BullMQ's
 * AbortSignal to the handler. Cancels reach it over Redis pub/sub, since only
 * the process running a job can abort it.
 */
export class BullmqJobConsumer extends JobConsumer {
  private readonly logger = new Logger(BullmqJobConsumer.name);
  private worker?: Worker<GenerationJob>;
  /** Jobs this process is running, so a shutdown can wait for exactly them. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopping = false;

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
      (job: Job<GenerationJob>, token?: string, signal?: AbortSignal) => {
        // Tracked whole, hand-back included: a shutdown must not close the connection under it.
        const run = this.process(handler, job, token, signal);
        this.inFlight.add(run);
        return run.finally(() => this.inFlight.delete(run));
      },
      this.options,
    );
    this.worker.on('failed', (job, error) => {
      if (!job) return;
      if (error instanceof RetryLaterError) {
        // Its operation stays as it is; the recovery sweep runs the job again once the database answers.
        this.logger.warn(`job ${job.id} will run again: ${error.message}`);
        return;
      }
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

  private async process(handler: JobHandler, job: Job<GenerationJob>, token?: string, signal?: AbortSignal): Promise<void> {
    // Fetched while stopping: hand it straight back without starting it.
    const outcome = this.stopping ? 'handed-back' : await handler.handle(job.data, signal ?? new AbortController().signal);
    if (outcome === 'handed-back' && token) {
      // Back to the queue now rather than after the lock expires; another worker continues it.
      await job.moveToDelayed(Date.now() + HAND_BACK_DELAY_MS, token);
      throw new DelayedError();
    }
  }

  /** SIGTERM: stop taking jobs, hand running ones back, then close. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (worker) {
      this.stopping = true;
      worker.cancelAllJobs(SHUTDOWN_REASON);
      // A job that does not let go in time is left to BullMQ's stalled-job recovery.
      if (!(await this.settle(Date.now() + CLOSE_GRACE_MS))) {
        this.logger.warn(`jobs did not stop within ${CLOSE_GRACE_MS} ms; closing anyway`);
      }
      // Forced: the jobs are handed back already, and a polite close would wait out the blocking fetch.
      await worker.close(true);
    }
    await this.subscriber.quit().catch(() => undefined);
  }

  /** Waits until no job is in flight (including ones fetched meanwhile), or the deadline passes. */
  private async settle(deadline: number): Promise<boolean> {
    while (this.inFlight.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await Promise.race([
        Promise.allSettled([...this.inFlight]),
        new Promise((resolve) => setTimeout(resolve, left).unref()),
      ]);
    }
    return true;
  }
}
