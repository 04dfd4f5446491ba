import { Injectable } from '@nestjs/common';
import { SqlDatabase, SqlExecutor } from '../infra/database/sql-database';
import { NewEvent } from './new-event';
import { applyOperationEvents, OperationLock } from './operation-event-rules';
import { RetentionPolicy } from './retention-policy';
import { StoredEvent } from './stored-event';
import { EventFilter, filterClause } from './event-filter';

interface EventRow {
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

  /** Locks the users' counter rows, in user order so concurrent writers cannot deadlock. */
  async lockUsers(tx: SqlExecutor, userIds: string[]): Promise<Map<string, number>> {
    const users = [...new Set(userIds)].sort();
    await tx.query(
      `INSERT INTO herald_user_event_counters (user_id) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT DO NOTHING`,
      [users],
    );
    const rows = await tx.query<{ user_id: string; last_id: string }>(
      `SELECT user_id, last_id::text AS last_id FROM herald_user_event_counters
        WHERE user_id = ANY($1::text[]) ORDER BY user_id FOR UPDATE`,
      [users],
    );
    return new Map(rows.map((r) => [r.user_id, Number(r.last_id)]));
  }

  /**
   * Stores events inside tx and returns them with ids, in input order. Operation
   * events for an operation that has already ended are dropped (a chunk racing a
   * cancel must not appear after operation.cancelled), and the operation rows
   * are brought up to date in the same transaction. The result is aligned with
   * the input: null where an event was dropped.
   */
  async appendInTransaction(tx: SqlExecutor, events: NewEvent[]): Promise<(StoredEvent | null)[]> {
    if (events.length === 0) return [];
    const counters = await this.lockUsers(
      tx,
      events.map((e) => e.userId),
    );
    const operationIds = [
      ...new Set(events.filter((e) => e.operationId && e.type.startsWith('operation.')).map((e) => e.operationId!)),
    ].sort();
    const locks = operationIds.length > 0 ? await this.lockOperations(tx, operationIds) : new Map<string, OperationLock>();

    const now = new Date();
    const ts = now.toISOString();
    const stored: StoredEvent[] = [];
    const aligned: (StoredEvent | null)[] = [];
    const rows: unknown[] = [];
    for (const event of events) {
      const lock = event.operationId ? locks.get(event.operationId) : undefined;
      if (event.type.startsWith('operation.') && (!lock || lock.ended)) {
        aligned.push(null);
        continue;
      }
      const seq = counters.get(event.userId)! + 1;
      counters.set(event.userId, seq);
      const dataJson = JSON.stringify(event.data);
      const storedEvent = new StoredEvent(
        event.userId,
        seq,
        event.type,
        event.operationId ?? null,
        event.workflowId ?? null,
        event.agentId ?? null,
        dataJson,
        ts,
      );
      stored.push(storedEvent);
      aligned.push(storedEvent);
      if (lock) lock.apply(storedEvent, event.data, now);
      rows.push({
        user_id: event.userId,
        id: seq,
        type: event.type,
        operation_id: event.operationId ?? null,
        workflow_id: event.workflowId ?? null,
        agent_id: event.agentId ?? null,
        data: dataJson,
        expires_at: new Date(now.getTime() + this.retention.retentionMs(event.type)).toISOString(),
      });
    }
    if (stored.length === 0) return aligned;

    // One statement for the whole batch; `data` travels as JSON text so NUL and
    // lone surrogates (escaped by JSON.stringify) survive where jsonb would refuse them.
    await tx.query(
      `INSERT INTO herald_events (user_id, id, type, operation_id, workflow_id, agent_id, data, created_at, expires_at)
       SELECT r.user_id, r.id, r.type, r.operation_id, r.workflow_id, r.agent_id, r.data, $2::timestamptz, r.expires_at
         FROM json_to_recordset($1::json) AS r(user_id text, id bigint, type text, operation_id uuid,
              workflow_id text, agent_id text, data text, expires_at timestamptz)`,
      [JSON.stringify(rows), ts],
    );
    const counterRows = [...counters].map(([user_id, last_id]) => ({ user_id, last_id }));
    await tx.query(
      `UPDATE herald_user_event_counters c SET last_id = r.last_id
         FROM json_to_recordset($1::json) AS r(user_id text, last_id bigint)
        WHERE c.user_id = r.user_id AND c.last_id < r.last_id`,
      [JSON.stringify(counterRows)],
    );
    await applyOperationEvents(tx, [...locks.values()]);
    return aligned;
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
    // A byte budget orders and sums the page outside this query: it needs the id as a number.
    const columns = maxBytes === undefined ? SELECT_COLUMNS : `${SELECT_COLUMNS}, herald_events.id AS seq`;
    let sql = `SELECT ${columns} FROM herald_events WHERE user_id = $1 AND id > $2`;
    if (upTo !== undefined) {
      params.push(upTo);
      sql += ` AND id <= $${params.length}`;
    }
    sql += filterClause(filter, params);
    params.push(limit);
    sql += ` ORDER BY herald_events.id LIMIT $${params.length}`;
    if (maxBytes !== undefined) {
      // The running sum covers the limited page only, never the whole backlog.
      params.push(maxBytes);
      sql =
        `SELECT * FROM (SELECT page.*, sum(octet_length(page.data)) OVER (ORDER BY page.seq) - octet_length(page.data) ` +
        `AS before_bytes FROM (${sql}) page) sized WHERE before_bytes < $${params.length} ORDER BY seq`;
    }
    const rows = await this.db.query<EventRow>(sql, params);
    return rows.map(toStoredEvent);
  }

  /** The last id handed out for the user and the highest id retention deleted. */
  async cursor(userId: string): Promise<{ lastId: number; purgedThrough: number }> {
    const rows = await this.db.query<{ last_id: string; purged_through: string }>(
      `SELECT COALESCE((SELECT last_id FROM herald_user_event_counters WHERE user_id = $1), 0)::text AS last_id,
              COALESCE((SELECT purged_through FROM herald_user_purges WHERE user_id = $1), 0)::text AS purged_through`,
      [userId],
    );
    return { lastId: Number(rows[0].last_id), purgedThrough: Number(rows[0].purged_through) };
  }

  private async lockOperations(tx: SqlExecutor, ids: string[]): Promise<Map<string, OperationLock>> {
    const rows = await tx.query<{ id: string; status: string; terminal_event_id: string | null; started_at: Date | null }>(
      `SELECT id::text AS id, status, terminal_event_id::text AS terminal_event_id, started_at
         FROM herald_operations WHERE id = ANY($1::uuid[]) ORDER BY herald_operations.id FOR UPDATE`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, new OperationLock(r.id, r.status, r.terminal_event_id !== null)]));
  }
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
