import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { JobQueue } from '../queue/job-queue';
import { probeDependency } from './health-probe';

/** The generation queue (BullMQ, or the in-process runner) reports its depth: jobs can be enqueued. */
@Injectable()
export class QueueHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly queue: JobQueue,
  ) {}

  check(key = 'queue') {
    return probeDependency(this.indicators, key, async () => ({ ...(await this.queue.depth()) }));
  }
}
