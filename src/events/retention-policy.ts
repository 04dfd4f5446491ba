import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';
import { SqlDatabase } from '../infra/database/sql-database';

const REFRESH_MS = 60_000;

/**
 * How long each event type is kept (SPEC §4.3): content and progress a day,
 * the rest 30 days, RETENTION_<TYPE> overriding those, and rows of
 * herald_retention_policies overriding both (operators can change them at run
 * time; every process picks a change up within a minute). The expiry is fixed
 * on each event when it is written.
 */
@Injectable()
export class RetentionPolicy implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RetentionPolicy.name);
  private table = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly db: SqlDatabase,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  retentionMs(type: string): number {
    return this.table.get(type) ?? this.config.retention.overrides[type] ?? this.config.retention.defaultMs;
  }

  /** Expiry (ISO time) of events of each type written at `now`, worked out once per type: a batch is mostly one type. */
  expiryOf(now: Date): (type: string) => string {
    const expiresAt = new Map<string, string>();
    return (type) => {
      let at = expiresAt.get(type);
      if (at === undefined) {
        at = new Date(now.getTime() + this.retentionMs(type)).toISOString();
        expiresAt.set(type, at);
      }
      return at;
    };
  }

  private async refresh(): Promise<void> {
    try {
      const rows = await this.db.query<{ type: string; retention_ms: string }>(
        `SELECT type, retention_ms::text AS retention_ms FROM herald_retention_policies`,
      );
      this.table = new Map(rows.map((r) => [r.type, Number(r.retention_ms)]));
    } catch (error) {
      this.logger.warn(`could not read retention policies: ${(error as Error).message}`);
    }
  }
}
