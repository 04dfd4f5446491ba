import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';
import { JobConsumer } from '../queue/job-consumer';
import { OperationRunner } from './operation-runner';
import { RecoverySweep } from './recovery-sweep';

/**
 * Starts consuming once the app is up, and runs the recovery sweep at start
 * (in embedded mode the in-process queue died with the last process) and then
 * every RECOVERY_SWEEP_MS (a job that failed during a database outage, an
 * enqueue lost while Redis was down).
 */
@Injectable()
export class WorkerLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WorkerLifecycle.name);
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly consumer: JobConsumer,
    private readonly runner: OperationRunner,
    private readonly sweep: RecoverySweep,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start(this.runner);
    await this.recover();
    this.timer = setInterval(() => void this.recover(), this.config.worker.recoverySweepMs);
    this.timer.unref();
    this.logger.log('consuming generation jobs');
  }

  /** First of the shutdown hooks: jobs are handed back while the database and Redis are still open. */
  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.consumer.stop();
  }

  /** One sweep at a time: a slow one (the database just came back) is not joined by the next. */
  private async recover(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const revived = await this.sweep.run();
      if (revived > 0) this.logger.log(`recovery sweep revived unfinished operations: ${revived}`);
    } catch (error) {
      this.logger.warn(`recovery sweep failed: ${(error as Error).message}`);
    } finally {
      this.sweeping = false;
    }
  }
}
