import { Injectable, Logger } from '@nestjs/common';
import { SqlDatabase } from '../infra/database/sql-database';

const BATCH = 5000;
const MAX_BATCHES_PER_RUN = 200;
/** A writer mark only matters while its writer may be retrying its last batch: seconds. A day is far past that. */
const WRITER_MARK_TTL_MS = 24 * 3600_000;

/**
 * Deletes expired events in bounded batches, each its own short transaction,
 * so writers are never held up behind one long delete. It records per user
 * the highest id it removed: a client resuming from below that gets stream.gap.
 */
@Injectable()
export class RetentionSweeper {
  private readonly logger = new Logger(RetentionSweeper.name);

  constructor(private readonly db: SqlDatabase) {}

  async sweep(now: Date = new Date()): Promise<number> {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
      const deleted = await this.sweepBatch(now);
      total += deleted;
      if (deleted < BATCH) break;
    }
    if (total > 0) this.logger.log(`retention removed ${total} expired events`);
    await this.forgetOldWriterMarks(now);
    return total;
  }

  /** Every process start leaves a writer's row in herald_event_writer_marks; those of writers long gone go. */
  private async forgetOldWriterMarks(now: Date): Promise<void> {
    await this.db.query(`DELETE FROM herald_event_writer_marks WHERE written_at < $1`, [
      new Date(now.getTime() - WRITER_MARK_TTL_MS).toISOString(),
    ]);
  }

  private async sweepBatch(now: Date): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ user_id: string; max_id: string; n: string }>(
        `WITH doomed AS (
           SELECT user_id, id FROM herald_events WHERE expires_at <= $1 ORDER BY expires_at LIMIT ${BATCH}
         ), gone AS (
           DELETE FROM herald_events e USING doomed d WHERE e.user_id = d.user_id AND e.id = d.id
           RETURNING e.user_id, e.id
         )
         SELECT user_id, max(id)::text AS max_id, count(*)::text AS n FROM gone GROUP BY user_id ORDER BY user_id`,
        [now.toISOString()],
      );
      if (rows.length === 0) return 0;
      await tx.query(
        `INSERT INTO herald_user_purges (user_id, purged_through)
         SELECT r.user_id, r.max_id FROM json_to_recordset($1::json) AS r(user_id text, max_id bigint)
         ON CONFLICT (user_id) DO UPDATE
           SET purged_through = GREATEST(herald_user_purges.purged_through, EXCLUDED.purged_through)`,
        [JSON.stringify(rows.map((r) => ({ user_id: r.user_id, max_id: r.max_id })))],
      );
      return rows.reduce((sum, r) => sum + Number(r.n), 0);
    });
  }
}
