import { SqlDatabase } from '../infra/database/sql-database';
import { eventRecord } from './event-row';
import { NewEvent } from './new-event';
import { RetentionPolicy } from './retention-policy';
import { StoredEvent } from './stored-event';

/** Who is writing and which of its batches: the key of its row in herald_event_writer_marks. */
export interface WriterMark {
  writerId: string;
  batch: number;
}

// Reserves each user's ids (locking the counter rows in user order, as every
// writer does), inserts the events under them and records the writer's mark,
// all in one autocommitted statement. Ids are first_id + n, n being an
// event's place among its user's events in the batch.
const APPEND_SQL = `
WITH wanted AS (
  SELECT u.user_id, u.n, u.ord FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(user_id, n, ord)
), reserved AS (
  INSERT INTO herald_user_event_counters AS c (user_id, last_id)
  SELECT user_id, n FROM wanted ORDER BY user_id
  ON CONFLICT (user_id) DO UPDATE SET last_id = c.last_id + EXCLUDED.last_id
  RETURNING c.user_id, c.last_id
), firsts AS (
  SELECT w.user_id, w.ord, r.last_id - w.n + 1 AS first_id FROM reserved r JOIN wanted w USING (user_id)
), stored AS (
  INSERT INTO herald_events (user_id, id, type, operation_id, workflow_id, agent_id, data, created_at, expires_at)
  SELECT e.user_id, f.first_id + e.n, e.type, e.operation_id, e.workflow_id, e.agent_id, e.data, $4::timestamptz, e.expires_at
    FROM json_to_recordset($3::json) AS e(user_id text, n bigint, type text, operation_id uuid,
         workflow_id text, agent_id text, data text, expires_at timestamptz)
    JOIN firsts f USING (user_id)
), marked AS (
  INSERT INTO herald_event_writer_marks AS m (writer_id, batch, first_ids, written_at)
  SELECT $5::uuid, $6::bigint, array_agg(first_id ORDER BY ord), $4::timestamptz FROM firsts
  ON CONFLICT (writer_id) DO UPDATE
    SET batch = EXCLUDED.batch, first_ids = EXCLUDED.first_ids, written_at = EXCLUDED.written_at
)
SELECT array_agg(first_id ORDER BY ord)::text[] AS first_ids FROM firsts`;

const MARK_SQL = `SELECT batch::text AS batch, first_ids::text[] AS first_ids FROM herald_event_writer_marks WHERE writer_id = $1`;

/**
 * One batch of plain events (no `operation.*` event, so no operation rule to
 * apply) stored in one statement: a round trip instead of the four of a
 * transaction (BEGIN, ids, insert, COMMIT). On a busy API each round trip
 * waits a turn of the event loop, and publishing custom events is nothing but
 * these batches (npm run bench, fan-out).
 *
 * The statement is its own transaction, so a connection lost while it runs
 * leaves unknown whether it committed. The writer's mark answers that: the
 * same statement records the batch's number and its users' first ids, so
 * `landed()` tells exactly whether (and under which ids) it was stored.
 */
export class PlainAppend {
  private readonly users: string[];
  private readonly params: unknown[];
  private readonly dataJson: string[];
  /** Each event's place among its user's events in the batch. */
  private readonly places: number[];
  private readonly ts: string;

  constructor(
    private readonly db: SqlDatabase,
    retention: RetentionPolicy,
    private readonly events: NewEvent[],
    private readonly mark: WriterMark,
    now = new Date(),
  ) {
    this.ts = now.toISOString();
    const expiryOf = retention.expiryOf(now);
    const counts = new Map<string, number>();
    this.places = [];
    this.dataJson = [];
    const rows = events.map((event) => {
      const k = counts.get(event.userId) ?? 0;
      counts.set(event.userId, k + 1);
      this.places.push(k);
      const data = JSON.stringify(event.data);
      this.dataJson.push(data);
      return eventRecord(event, k, data, expiryOf(event.type));
    });
    this.users = [...counts.keys()];
    const batchRows = JSON.stringify(rows);
    this.params = [this.users, this.users.map((u) => counts.get(u)), batchRows, this.ts, mark.writerId, mark.batch];
  }

  /** Stores the batch; the events come back with their ids, in input order. */
  async run(): Promise<StoredEvent[]> {
    const [row] = await this.db.query<{ first_ids: string[] }>(APPEND_SQL, this.params);
    return this.stored(row.first_ids);
  }

  /** After a lost answer: the batch as stored if it committed, null if it did not. */
  async landed(): Promise<StoredEvent[] | null> {
    const [row] = await this.db.query<{ batch: string; first_ids: string[] }>(MARK_SQL, [this.mark.writerId]);
    if (!row || Number(row.batch) !== this.mark.batch) return null;
    return this.stored(row.first_ids);
  }

  private stored(firstIds: string[]): StoredEvent[] {
    const first = new Map(this.users.map((u, i) => [u, Number(firstIds[i])]));
    return this.events.map((event, i) => StoredEvent.of(event, first.get(event.userId)! + this.places[i], this.dataJson[i], this.ts));
  }
}
