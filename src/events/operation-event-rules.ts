import { EventTypes, TERMINAL_EVENT_TYPES } from '@herald/contracts';
import { SqlExecutor } from '../infra/database/sql-database';
import { StoredEvent } from './stored-event';

/**
 * How operation events change their operation row. Applied by the event store
 * in the transaction that stores the events, so the row (the polling fallback)
 * never disagrees with the event history.
 */
export class OperationState {
  private patch: {
    status?: string;
    progress?: string;
    result?: string;
    error?: string;
    attempts?: number;
    startedAt?: string;
    finishedAt?: string;
    lastEventId?: number;
    terminalEventId?: number;
  } = {};

  constructor(
    readonly id: string,
    readonly userId: string,
    private status: string,
    public ended: boolean,
  ) {}

  /**
   * Whether the row must be written: a content chunk changes nothing a poller
   * reads from the row (its lastEventId is derived from the events, see
   * OPERATION_COLUMNS), so it costs no row update.
   */
  get touched(): boolean {
    const p = this.patch;
    return (
      p.status !== undefined || p.progress !== undefined || p.result !== undefined || p.error !== undefined || p.attempts !== undefined
    );
  }

  apply(event: StoredEvent, data: object, now: Date): void {
    const d = data as Record<string, unknown>;
    this.patch.lastEventId = event.seq!;
    switch (event.type) {
      case EventTypes.status:
        this.status = String(d.status);
        this.patch.status = this.status;
        if (typeof d.attempt === 'number') this.patch.attempts = d.attempt;
        if (this.status === 'running') this.patch.startedAt ??= now.toISOString();
        break;
      case EventTypes.progress:
        this.patch.progress = event.dataJson;
        break;
      case EventTypes.completed:
        this.patch.result = JSON.stringify(d.result ?? null);
        break;
      case EventTypes.failed:
        this.patch.error = JSON.stringify({ code: d.code, message: d.message });
        break;
      case EventTypes.cancelled:
        this.patch.error = JSON.stringify({ code: 'CANCELLED', message: d.reason ?? 'cancelled' });
        break;
    }
    if (TERMINAL_EVENT_TYPES.includes(event.type)) {
      this.ended = true;
      this.patch.terminalEventId = event.seq!;
      this.patch.finishedAt = now.toISOString();
      this.patch.status = terminalStatus(event.type);
    }
  }

  row(): Record<string, unknown> {
    const p = this.patch;
    return {
      id: this.id,
      status: p.status ?? null,
      progress: p.progress ?? null,
      result: p.result ?? null,
      error: p.error ?? null,
      attempts: p.attempts ?? null,
      started_at: p.startedAt ?? null,
      finished_at: p.finishedAt ?? null,
      last_event_id: p.lastEventId ?? null,
      terminal_event_id: p.terminalEventId ?? null,
    };
  }
}

function terminalStatus(type: string): string {
  if (type === EventTypes.completed) return 'completed';
  if (type === EventTypes.failed) return 'failed';
  return 'cancelled';
}

export async function applyOperationEvents(tx: SqlExecutor, states: OperationState[]): Promise<void> {
  const rows = states.filter((s) => s.touched).map((s) => s.row());
  if (rows.length === 0) return;
  await tx.query(
    `UPDATE herald_operations o SET
        status = COALESCE(p.status, o.status),
        progress = COALESCE(p.progress, o.progress),
        result = COALESCE(p.result, o.result),
        error = COALESCE(p.error, o.error),
        attempts = COALESCE(p.attempts, o.attempts),
        started_at = COALESCE(o.started_at, p.started_at),
        finished_at = COALESCE(p.finished_at, o.finished_at),
        last_event_id = COALESCE(p.last_event_id, o.last_event_id),
        terminal_event_id = COALESCE(o.terminal_event_id, p.terminal_event_id)
       FROM json_to_recordset($1::json) AS p(id uuid, status text, progress text, result text, error text,
            attempts integer, started_at timestamptz, finished_at timestamptz, last_event_id bigint,
            terminal_event_id bigint)
      WHERE o.id = p.id`,
    [JSON.stringify(rows)],
  );
}
