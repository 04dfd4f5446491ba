import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { SqlDatabase } from '../infra/database/sql-database';
import { JobQueue } from '../queue/job-queue';
import { HeraldMetrics } from './herald-metrics';

/** Prometheus scrape endpoint. Queue depth and operations by status are read at scrape time. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: HeraldMetrics,
    private readonly db: SqlDatabase,
    private readonly queue: JobQueue,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    await Promise.all([this.sampleQueue(), this.sampleOperations()]);
    return this.metrics.registry.metrics();
  }

  private async sampleQueue(): Promise<void> {
    const depth = await this.queue.depth().catch(() => null);
    if (!depth) return;
    this.metrics.queueDepth.set({ state: 'waiting' }, depth.waiting);
    this.metrics.queueDepth.set({ state: 'active' }, depth.active);
  }

  private async sampleOperations(): Promise<void> {
    const rows = await this.db
      .query<{ status: string; n: string }>(`SELECT status, count(*)::text AS n FROM herald_operations GROUP BY status`)
      .catch(() => null);
    if (!rows) return;
    this.metrics.operations.reset();
    for (const r of rows) this.metrics.operations.set({ status: r.status }, Number(r.n));
  }
}
