import { NewEvent } from './new-event';

/**
 * A new event as one record of the batch JSON that an insert reads with
 * json_to_recordset. `n` is its id, or its place among its user's events in
 * the batch when the statement works the ids out itself. `data` travels as
 * JSON text so NUL and lone surrogates (escaped by JSON.stringify) survive
 * where jsonb would refuse them.
 */
export function eventRecord(event: NewEvent, n: number, dataJson: string, expiresAt: string) {
  // Built field by field, one object per event: this runs for every event written.
  return {
    user_id: event.userId,
    n,
    type: event.type,
    operation_id: event.operationId ?? null,
    workflow_id: event.workflowId ?? null,
    agent_id: event.agentId ?? null,
    data: dataJson,
    expires_at: expiresAt,
  };
}
