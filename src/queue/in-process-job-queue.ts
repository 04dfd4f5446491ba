import { Logger } from '@nestjs/common';
import { JobConsumer } from './job-consumer';
import { GenerationJob, JobHandler, JobQueue, RetryLaterError, SHUTDOWN_REASON } from './job-queue';

/**
 * Embedded mode's queue: the BullMQ semantics Herald relies on, in memory —
 * one job per operation id, bounded concurrency, removal while waiting, and
 * cancellation through the running job's AbortSignal. Jobs do not survive a
 * restart here; the recovery sweep re-enqueues unfinished operations instead.
 */
export class InProcessJobQueue extends JobQueue {
  private readonly logger = new Logger(InProcessJobQueue.name);
  private readonly waiting: GenerationJob[] = [];
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private handler?: JobHandler;
  private stopped = false;
  readonly consumer: JobConsumer = new InProcessJobConsumer(this);

  constructor(private readonly concurrency: number) {
    super();
  }

  /** Called by the consumer side: begin taking jobs with this handler. */
  attach(handler: JobHandler): void {
    this.handler = handler;
    this.stopped = false;
    this.pump();
  }

  /** Stops taking jobs; running ones stop where they are and continue at the next start (recovery sweep). */
  async detach(): Promise<void> {
    this.stopped = true;
    for (const r of this.running.values()) r.controller.abort(SHUTDOWN_REASON);
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  async enqueue(job: GenerationJob): Promise<void> {
    if (this.holds(job.operationId)) return;
    this.waiting.push(job);
    this.pump();
  }

  /** This queue is the only place its jobs live: one it does not hold runs nowhere, so it is added whatever `addMissing` says. */
  async revive(job: GenerationJob): Promise<boolean> {
    if (this.holds(job.operationId)) return false;
    await this.enqueue(job);
    return true;
  }

  async removeIfWaiting(operationId: string): Promise<boolean> {
    const index = this.waiting.findIndex((j) => j.operationId === operationId);
    if (index < 0) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  async requestCancel(operationId: string, reason: string): Promise<void> {
    this.running.get(operationId)?.controller.abort(reason);
  }

  async depth(): Promise<{ waiting: number; active: number }> {
    return { waiting: this.waiting.length, active: this.running.size };
  }

  async ping(): Promise<void> {}

  private holds(operationId: string): boolean {
    return this.running.has(operationId) || this.waiting.some((j) => j.operationId === operationId);
  }

  private pump(): void {
    const handler = this.handler;
    if (!handler) return;
    while (!this.stopped && this.running.size < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      const controller = new AbortController();
      // A handed-back job needs nothing here: its operation stays unfinished and the next start re-enqueues it.
      const done = handler
        .handle(job, controller.signal)
        .then(() => undefined)
        .catch(async (error: Error) => {
          if (error instanceof RetryLaterError) {
            this.logger.warn(`job ${job.operationId} will run again: ${error.message}`);
            return;
          }
          this.logger.error(`job ${job.operationId} threw: ${error.message}`);
          await handler.abandon(job, error.message).catch(() => undefined);
        })
        .finally(() => {
          this.running.delete(job.operationId);
          this.pump();
        });
      this.running.set(job.operationId, { controller, done });
    }
  }
}

class InProcessJobConsumer extends JobConsumer {
  constructor(private readonly queue: InProcessJobQueue) {
    super();
  }

  async start(handler: JobHandler): Promise<void> {
    this.queue.attach(handler);
  }

  stop(): Promise<void> {
    return this.queue.detach();
  }
}
