import { Logger, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { GenerationJob, JobQueue } from './job-queue';

export const GENERATION_QUEUE = 'generation';
/** States in which no worker runs the job and none will: BullMQ is done with it. */
const ENDED_STATES = new Set(['failed', 'completed']);
/** No worker runs the job: a cancel can end its operation at once (an ended one is waiting for the recovery sweep). */
const REMOVABLE_STATES = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children', ...ENDED_STATES]);

/** The API side of BullMQ: enqueue with job id = operation id, remove waiting jobs, broadcast cancels; revive for the recovery sweep. */
export class BullmqJobQueue extends JobQueue implements OnModuleDestroy {
  private readonly logger = new Logger(BullmqJobQueue.name);

  constructor(
    private readonly queue: Queue,
    private readonly redis: Redis,
    private readonly cancelChannel: string,
  ) {
    super();
  }

  async enqueue(job: GenerationJob): Promise<void> {
    await this.queue.add('generate', job, {
      jobId: job.operationId,
      // Crashes are retried through stalled-job recovery, and a job that could not reach the database
      // is revived by the worker's recovery sweep; the runner itself never throws for a failed generation.
      attempts: 1,
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 24 * 3600 },
    });
  }

  async removeIfWaiting(operationId: string): Promise<boolean> {
    const job = await this.queue.getJob(operationId);
    if (!job) return false;
    const state = await job.getState();
    if (!REMOVABLE_STATES.has(state)) return false;
    try {
      await job.remove();
      return true;
    } catch (error) {
      // Taken by a worker between the two calls: it will see the cancel request instead.
      this.logger.debug(`job ${operationId} could not be removed: ${(error as Error).message}`);
      return false;
    }
  }

  async revive(job: GenerationJob, addMissing: boolean): Promise<boolean> {
    const id = job.operationId;
    try {
      const state = await this.queue.getJobState(id);
      if (ENDED_STATES.has(state)) {
        const ended = await this.queue.getJob(id);
        // Atomic (a script that moves the job only out of that state): two sweeps cannot both revive it.
        await ended?.retry(state as 'failed' | 'completed');
        return ended !== undefined;
      }
      if (state !== 'unknown' || !addMissing) return false;
      // 'unknown' is also a job record in no state, which would turn the add into a no-op: its id is taken.
      await this.queue.remove(id);
      await this.enqueue(job);
      return true;
    } catch (error) {
      // Another sweep moved it first, or a worker holds it (a locked job is not removed).
      this.logger.debug(`job ${id} was not revived: ${(error as Error).message}`);
      return false;
    }
  }

  async requestCancel(operationId: string, reason: string): Promise<void> {
    await this.redis.publish(this.cancelChannel, JSON.stringify({ operationId, reason }));
  }

  async depth(): Promise<{ waiting: number; active: number }> {
    const counts = await this.queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
    return { waiting: counts.waiting + counts.delayed + counts.prioritized, active: counts.active };
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }
}
