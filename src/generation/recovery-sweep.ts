import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';
import { OperationsRepository, UnfinishedOperation } from '../operations/operations.repository';
import { JobQueue } from '../queue/job-queue';

/** A queued operation this old with no job was never enqueued (its API crashed, or Redis was down). */
export const ORPHAN_AGE_MS = 15_000;
const PAGE = 500;

/**
 * Whether an unfinished operation whose job the queue no longer has may get a
 * new one. A queued one: once its API has had time to enqueue it. A running
 * one: only once it has run longer than the operation timeout — a worker may
 * still be running it whose job Redis lost (a restart that came back empty),
 * and two runs at once would store its chunks twice; past the timeout any such
 * run has been stopped by its own deadline, and the new one ends the operation
 * with TIMEOUT at once.
 */
export function mayAddMissingJob(op: Pick<UnfinishedOperation, 'status' | 'ageMs' | 'runningForMs'>, operationTimeoutMs: number): boolean {
  return op.status === 'queued' ? op.ageMs >= ORPHAN_AGE_MS : op.runningForMs >= operationTimeoutMs;
}

/**
 * Keeps unfinished operations from being forgotten: each gets a job that will
 * run unless one is waiting or running already. This revives the operations a
 * database outage left behind (their job failed because nothing, not even the
 * failure, could be stored), jobs whose enqueue was lost, and, in embedded
 * mode, everything the last process was running. Safe on several workers at
 * once: the queue revives a job atomically and adds by operation id.
 */
@Injectable()
export class RecoverySweep {
  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly operations: OperationsRepository,
    private readonly queue: JobQueue,
  ) {}

  /** Returns how many operations got a job again. */
  async run(): Promise<number> {
    let revived = 0;
    let after: string | null = null;
    for (;;) {
      const page = await this.operations.findUnfinished(after, PAGE);
      for (const op of page) {
        const job = { operationId: op.id, userId: op.userId };
        if (await this.queue.revive(job, mayAddMissingJob(op, this.config.limits.operationTimeoutMs))) revived++;
      }
      if (page.length < PAGE) return revived;
      after = page[page.length - 1].id;
    }
  }
}
