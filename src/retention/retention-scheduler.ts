import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';
import { PeriodicScheduler } from '../queue/periodic-scheduler';
import { RetentionSweeper } from './retention-sweeper';

/** Runs the retention sweep every RETENTION_SWEEP_MS across the deployment. */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly scheduler: PeriodicScheduler,
    private readonly sweeper: RetentionSweeper,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.scheduler.schedule('retention', this.config.retention.sweepEveryMs, async () => {
      await this.sweeper.sweep();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.scheduler.stop();
  }
}
