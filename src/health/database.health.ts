import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { SqlDatabase } from '../infra/database/sql-database';
import { probeDependency } from './health-probe';

/** PostgreSQL (or PGlite in embedded mode) answers a query. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly db: SqlDatabase,
  ) {}

  check(key = 'database') {
    return probeDependency(this.indicators, key, () => this.db.ping());
  }
}
