import { Operation, OperationKind, OperationStatus } from '@herald/contracts';

/** herald_operations as read by SELECT_OPERATION. */
export interface OperationRow {
  id: string;
  user_id: string;
  kind: string;
  status: string;
  workflow_id: string | null;
  agent_id: string | null;
  input: string;
  progress: string | null;
  result: string | null;
  error: string | null;
  attempts: number;
  cancel_requested_at: Date | string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  last_event_id: string | null;
  terminal_event_id: string | null;
}

// The row's last_event_id is written only with status, progress and the end; content
// chunks in between are found through the (operation_id, id) index instead, in the
// same snapshot as the row, so a chunk costs no row update (see OperationState.touched).
export const OPERATION_COLUMNS = `id::text AS id, user_id, kind, status, workflow_id, agent_id, input, progress,
  result, error, attempts, cancel_requested_at, created_at, started_at, finished_at,
  GREATEST(herald_operations.last_event_id,
    (SELECT max(e.id) FROM herald_events e WHERE e.operation_id = herald_operations.id))::text AS last_event_id,
  terminal_event_id::text AS terminal_event_id`;

export function toIso(value: Date | string | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** The public shape of GET /api/operations/:id. */
export function toOperation(row: OperationRow): Operation {
  return {
    id: row.id,
    kind: row.kind as OperationKind,
    status: row.status as OperationStatus,
    workflowId: row.workflow_id,
    agentId: row.agent_id,
    progress: row.progress === null ? null : JSON.parse(row.progress),
    result: row.result === null ? null : JSON.parse(row.result),
    error: row.error === null ? null : JSON.parse(row.error),
    attempts: row.attempts,
    createdAt: toIso(row.created_at)!,
    startedAt: toIso(row.started_at),
    finishedAt: toIso(row.finished_at),
    lastEventId: row.last_event_id,
  };
}
