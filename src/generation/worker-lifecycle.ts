import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';
import { OperationsRepository } from '../operations/operations.repository';
import { JobConsumer } from '../queue/job-consumer';
import { JobQueue } from '../queue/job-queue';
import { OperationRunner } from './operation-runner';

const SWEEP_INTERVAL_MS = 30_000;
/** A queued operation this old with no job was never enqueued (its API crashed, or Redis was down). */
const ORPHAN_AGE_MS = 15_000;

/**
 * Starts consuming once the app is up, and keeps unfinished operations from
 * being forgotten: at start in embedded mode every unfinished operation is
 * enqueued again (the in-process queue died with the last process); in
 * distributed mode queued operations whose enqueue was lost are re-added
 * (the job id makes that idempotent).
 */
@Injectable()
export class WorkerLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WorkerLifecycle.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly consumer: JobConsumer,
    private readonly queue: JobQueue,
    private readonly runner: OperationRunner,
    private readonly operations: OperationsRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start(this.runner);
    if (this.config.mode === 'embedded') {
      await this.requeue(0, ['queued', 'running', 'retrying']);
    } else {
      this.timer = setInterval(() => void this.requeue(ORPHAN_AGE_MS, ['queued']), SWEEP_INTERVAL_MS);
      this.timer.unref();
    }
    this.logger.log('consuming generation jobs');
  }

  /** First of the shutdown hooks: jobs are handed back while the database and Redis are still open. */
  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.consumer.stop();
  }

  private async requeue(olderThanMs: number, statuses: ('queued' | 'running' | 'retrying')[]): Promise<void> {
    try {
      const orphans = await this.operations.findUnfinished(olderThanMs, statuses);
      for (const op of orphans) await this.queue.enqueue({ operationId: op.id, userId: op.user_id });
      if (orphans.length > 0) this.logger.log(`re-enqueued ${orphans.length} unfinished operations`);
    } catch (error) {
      this.logger.warn(`recovery sweep failed: ${(error as Error).message}`);
    }
  }
}
