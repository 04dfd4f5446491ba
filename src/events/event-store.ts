import { Injectable } from '@nestjs/common';
import { TERMINAL_EVENT_TYPES } from '@herald/contracts';
import { SqlDatabase, SqlExecutor } from '../infra/database/sql-database';
import { eventRecord } from './event-row';
import { NewEvent } from './new-event';
import { applyOperationEvents, OperationState } from './operation-event-rules';
import { RetentionPolicy } from './retention-policy';
import { StoredEvent } from './stored-event';
import { EventFilter, filterClause } from './event-filter';

export interface StoreCursor {
  lastId: number;
  purgedThrough: number;
  /**
   * When read with the cursor (cursorWithPage): the first page of a replay,
   * read in the same statement, so from the same snapshot. It holds the events
   * after the replay's start up to lastId (and the bound it was asked for).
   */
  page?: StoredEvent[];
}

// A user's high-water mark and retention mark in one row, 0 for a user never written to.
const CURSOR_SQL =
  `SELECT COALESCE((SELECT last_id FROM herald_user_event_counters WHERE user_id = $1), 0) AS last_id, ` +
  `COALESCE((SELECT purged_through FROM herald_user_purges WHERE user_id = $1), 0) AS purged_through`;

/** A herald_events row as the store selects it (ids as text). */
export interface EventRow {
  user_id: string;
  id: string;
  type: string;
  operation_id: string | null;
  workflow_id: string | null;
  agent_id: string | null;
  data: string;
  created_at: Date | string;
}

// Ids leave as text (int8 must not become a lossy JS number); ORDER BY must therefore
// name herald_events.id, or it would sort the text alias and put 10 before 2.
const SELECT_COLUMNS = `user_id, id::text AS id, type, operation_id::text AS operation_id, workflow_id, agent_id, data, created_at`;

/**
 * Reads and appends events in PostgreSQL. Appending allocates dense per-user ids
 * from herald_user_event_counters inside the caller's transaction: the counter
 * row lock serializes writers of one user, so ids commit in order and a
 * rolled-back transaction gives its numbers back.
 */
@Injectable()
export class EventStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly retention: RetentionPolicy,
  ) {}

  /**
   * Stores events inside tx and returns them with ids, in input order. Operation
   * events for an operation that has already ended are dropped (a chunk racing a
   * cancel must not appear after operation.cancelled), and the operation rows
   * are brought up to date in the same transaction. The result is aligned with
   * the input: null where an event was dropped.
   *
   * The users' counter rows are locked first, by reserving ids. Every event of
   * an operation is written under its user's counter lock, so once it is held
   * no other transaction can end the operation before this one commits: its
   * status can then be read without locking the row. An operation row is
   * written only when what a poller sees of it changes (status, progress,
   * result); content chunks leave it alone, which spares the database one row
   * lock and one row version per chunk. Lock order, for every writer: counter
   * rows, then operation rows, each in key order.
   */
  async appendInTransaction(tx: SqlExecutor, events: NewEvent[]): Promise<(StoredEvent | null)[]> {
    if (events.length === 0) return [];
    const operationIds = [
      ...new Set(events.filter((e) => e.operationId && e.type.startsWith('operation.')).map((e) => e.operationId!)),
    ].sort();
    const nextIds = await this.reserveIds(tx, events);
    const states = operationIds.length > 0 ? await this.readOperations(tx, operationIds) : new Map<string, OperationState>();
    const kept = keptEvents(events, states);
    if (kept.some((k) => !k)) await this.giveBackIds(tx, events.filter((_, i) => !kept[i]));
    if (kept.every((k) => !k)) return events.map(() => null);

    const keptOnes = events.filter((_, i) => kept[i]);
    const now = new Date();
    const stored = await this.insertReserved(tx, keptOnes, nextIds, now);
    stored.forEach((storedEvent, i) => {
      const operationId = storedEvent.operationId;
      if (operationId) states.get(operationId)?.apply(storedEvent, keptOnes[i].data, now);
    });
    let next = 0;
    const aligned = kept.map((k) => (k ? stored[next++] : null));
    await applyOperationEvents(tx, [...states.values()]);
    return aligned;
  }

  /**
   * Stores events under ids this transaction reserved with reserveIds, as they
   * are: no operation rule is applied and no operation row is read or written.
   * For a caller that has just written the operation row itself (a new
   * operation and its `queued` event), or for events appendInTransaction kept.
   */
  async insertReserved(tx: SqlExecutor, events: NewEvent[], nextIds: Map<string, number>, now = new Date()): Promise<StoredEvent[]> {
    const ts = now.toISOString();
    const expiryOf = this.retention.expiryOf(now);
    const rows: unknown[] = [];
    const stored = events.map((event) => {
      const seq = nextIds.get(event.userId)!;
      nextIds.set(event.userId, seq + 1);
      const dataJson = JSON.stringify(event.data);
      rows.push(eventRecord(event, seq, dataJson, expiryOf(event.type)));
      return StoredEvent.of(event, seq, dataJson, ts);
    });
    if (rows.length === 0) return stored;
    // One statement for the whole batch.
    await tx.query(
      `INSERT INTO herald_events (user_id, id, type, operation_id, workflow_id, agent_id, data, created_at, expires_at)
       SELECT r.user_id, r.n, r.type, r.operation_id, r.workflow_id, r.agent_id, r.data, $2::timestamptz, r.expires_at
         FROM json_to_recordset($1::json) AS r(user_id text, n bigint, type text, operation_id uuid,
              workflow_id text, agent_id text, data text, expires_at timestamptz)`,
      [JSON.stringify(rows), ts],
    );
    return stored;
  }

  /**
   * Whether the result of an append is in the store: its first event, with the
   * same id, time and data. Another writer can hold that id only if this append
   * did not commit, and then not with the same time and data.
   */
  async holds(appended: (StoredEvent | null)[]): Promise<boolean> {
    const first = appended.find((e): e is StoredEvent => e !== null);
    if (!first) return true;
    const rows = await this.db.query(
      `SELECT 1 FROM herald_events WHERE user_id = $1 AND id = $2 AND created_at = $3::timestamptz AND data = $4`,
      [first.userId, first.seq, first.ts, first.dataJson],
    );
    return rows.length > 0;
  }

  /**
   * Takes as many ids per user as it has events, in one upsert that locks the
   * counter rows (in user order) until commit and returns each user's first new
   * id. Holding that lock serializes every writer of the user's events,
   * operation events included (see appendInTransaction).
   */
  async reserveIds(tx: SqlExecutor, events: NewEvent[]): Promise<Map<string, number>> {
    const counts = countByUser(events);
    const users = [...counts.keys()].sort();
    const rows = await tx.query<{ user_id: string; last_id: string }>(
      `INSERT INTO herald_user_event_counters AS c (user_id, last_id)
       SELECT u.user_id, u.n FROM unnest($1::text[], $2::bigint[]) AS u(user_id, n) ORDER BY u.user_id
       ON CONFLICT (user_id) DO UPDATE SET last_id = c.last_id + EXCLUDED.last_id
       RETURNING c.user_id, c.last_id::text AS last_id`,
      [users, users.map((u) => counts.get(u)!)],
    );
    return new Map(rows.map((r) => [r.user_id, Number(r.last_id) - counts.get(r.user_id)! + 1]));
  }

  /**
   * Reads stored events of a user with after < id <= upTo matching the filter,
   * ascending. With `maxBytes`, the page stops once the events before the next
   * one hold that much data (it always has at least one event): the page is
   * what a slow client's connection keeps in memory while its replay waits.
   */
  async read(
    userId: string,
    after: number,
    filter: EventFilter,
    limit: number,
    upTo?: number,
    maxBytes?: number,
  ): Promise<StoredEvent[]> {
    const params: unknown[] = [userId, after];
    const bound = upTo === undefined ? null : `$${params.push(upTo)}`;
    const rows = await this.db.query<EventRow>(pageSql(params, filter, limit, bound ? [bound] : [], maxBytes), params);
    return rows.map(toStoredEvent);
  }

  /** The last id handed out for the user and the highest id retention deleted. */
  async cursor(userId: string): Promise<StoreCursor> {
    const rows = await this.db.query<CursorRow>(CURSOR_SQL, [userId]);
    return { lastId: Number(rows[0].last_id), purgedThrough: Number(rows[0].purged_through) };
  }

  /**
   * The cursor and, in the same statement, what read(userId, after, filter,
   * limit, min(lastId, upTo), maxBytes) would return: a resuming stream's
   * two reads in one round trip. One snapshot serves both, so the page holds
   * every matching event up to the lastId it comes with.
   */
  async cursorWithPage(
    userId: string,
    after: number,
    filter: EventFilter,
    limit: number,
    maxBytes: number,
    upTo?: number,
  ): Promise<StoreCursor> {
    const params: unknown[] = [userId, after];
    const bounds = ['c.last_id'];
    if (upTo !== undefined) bounds.push(`$${params.push(upTo)}`);
    const page = pageSql(params, filter, limit, bounds, maxBytes);
    // LEFT JOIN: the cursor's row comes back even when the page is empty (its columns null then).
    const rows = await this.db.query<CursorRow & Partial<EventRow>>(
      `WITH c AS (${CURSOR_SQL}) SELECT c.last_id::text AS last_id, c.purged_through::text AS purged_through, page.* ` +
        `FROM c LEFT JOIN LATERAL (${page}) page ON true ORDER BY page.seq`,
      params,
    );
    const events = rows[0].id === null || rows[0].id === undefined ? [] : (rows as EventRow[]).map(toStoredEvent);
    return { lastId: Number(rows[0].last_id), purgedThrough: Number(rows[0].purged_through), page: events };
  }

  /** The operations' state, unlocked: see appendInTransaction for why the counter locks make that safe. */
  private async readOperations(tx: SqlExecutor, ids: string[]): Promise<Map<string, OperationState>> {
    const rows = await tx.query<{ id: string; user_id: string; status: string; terminal_event_id: string | null }>(
      `SELECT id::text AS id, user_id, status, terminal_event_id::text AS terminal_event_id
         FROM herald_operations WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, new OperationState(r.id, r.user_id, r.status, r.terminal_event_id !== null)]));
  }

  /**
   * Returns the ids reserved for dropped events. Kept events took the first ids
   * of each user's range and the counter rows are still locked, so lowering
   * the counters leaves the ids dense.
   */
  private async giveBackIds(tx: SqlExecutor, dropped: NewEvent[]): Promise<void> {
    const counts = countByUser(dropped);
    const users = [...counts.keys()].sort();
    await tx.query(
      `UPDATE herald_user_event_counters c SET last_id = c.last_id - d.n
         FROM unnest($1::text[], $2::bigint[]) AS d(user_id, n) WHERE c.user_id = d.user_id`,
      [users, users.map((u) => counts.get(u)!)],
    );
  }
}

interface CursorRow {
  last_id: string;
  purged_through: string;
}

/**
 * A page of a user's events after $2 (params holds [userId, after, …]),
 * ascending, with id at most each of `bounds` (SQL expressions), matching the
 * filter, at most `limit` of them. With `maxBytes`, the page stops once the
 * events before the next one hold that much data (it always has at least one
 * event): the page is what a slow client's connection keeps in memory while
 * its replay waits. That variant also selects the id as a number, `seq`.
 */
function pageSql(params: unknown[], filter: EventFilter, limit: number, bounds: string[], maxBytes?: number): string {
  // A byte budget orders and sums the page outside this query: it needs the id as a number.
  const columns = maxBytes === undefined ? SELECT_COLUMNS : `${SELECT_COLUMNS}, herald_events.id AS seq`;
  let sql = `SELECT ${columns} FROM herald_events WHERE user_id = $1 AND id > $2`;
  for (const bound of bounds) sql += ` AND id <= ${bound}`;
  sql += filterClause(filter, params);
  sql += ` ORDER BY herald_events.id LIMIT $${params.push(limit)}`;
  if (maxBytes === undefined) return sql;
  // The running sum covers the limited page only, never the whole backlog.
  return (
    `SELECT * FROM (SELECT page.*, sum(octet_length(page.data)) OVER (ORDER BY page.seq) - octet_length(page.data) ` +
    `AS before_bytes FROM (${sql}) page) sized WHERE before_bytes < $${params.push(maxBytes)} ORDER BY seq`
  );
}

function toStoredEvent(row: EventRow): StoredEvent {
  const created = row.created_at instanceof Date ? row.created_at : new Date(row.created_at);
  return new StoredEvent(
    row.user_id,
    Number(row.id),
    row.type,
    row.operation_id,
    row.workflow_id,
    row.agent_id,
    row.data,
    created.toISOString(),
  );
}

/**
 * Which events the batch stores: an operation event only while its operation
 * has not ended — before this batch, or by a terminal event earlier in it.
 */
function keptEvents(events: NewEvent[], states: Map<string, OperationState>): boolean[] {
  const ended = new Set([...states.values()].filter((s) => s.ended).map((s) => s.id));
  return events.map((event) => {
    if (!event.type.startsWith('operation.')) return true;
    const state = event.operationId ? states.get(event.operationId) : undefined;
    // Another user's operation is never written to: its events are serialized by its own user's counter lock, not this one.
    if (!state || state.userId !== event.userId || ended.has(state.id)) return false;
    if (TERMINAL_EVENT_TYPES.includes(event.type)) ended.add(state.id);
    return true;
  });
}

function countByUser(events: NewEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.userId, (counts.get(e.userId) ?? 0) + 1);
  return counts;
}
