import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import { DatabaseHealthIndicator } from './database.health';
import { QueueHealthIndicator } from './queue.health';
import { RedisHealthIndicator } from './redis.health';

/**
 * Probes for orchestrators and load balancers. Live: the process answers HTTP
 * (it depends on nothing else, so a dependency outage never gets it
 * restarted). Ready: the database, Redis (distributed mode) and the queue
 * answer within their timeouts; 503 otherwise, and while shutting down.
 */
@ApiExcludeController()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly queue: QueueHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  live(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.report(res, []);
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [() => this.database.check(), () => this.queue.check()];
    if (this.redis.configured) checks.push(() => this.redis.check());
    return this.report(res, checks);
  }

  /**
   * Terminus signals "not healthy" by throwing a 503 carrying the report; it
   * is answered here, because the global filter would reduce it to the
   * generic error body and drop which dependency is down.
   */
  private async report(res: Response, checks: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
