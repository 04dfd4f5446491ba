/** Which of a user's events a view or a poll wants. Every field narrows; absent fields match all. */
export interface EventFilter {
  operationId?: string;
  workflowId?: string;
  agentId?: string;
  types?: string[];
}

export function matchesFilter(
  filter: EventFilter,
  event: { type: string; operationId: string | null; workflowId: string | null; agentId: string | null },
): boolean {
  if (filter.operationId !== undefined && event.operationId !== filter.operationId) return false;
  if (filter.workflowId !== undefined && event.workflowId !== filter.workflowId) return false;
  if (filter.agentId !== undefined && event.agentId !== filter.agentId) return false;
  if (filter.types !== undefined && !filter.types.includes(event.type)) return false;
  return true;
}

/** The SQL form of the same filter, appending its parameters to params. */
export function filterClause(filter: EventFilter, params: unknown[]): string {
  let sql = '';
  if (filter.operationId !== undefined) {
    params.push(filter.operationId);
    sql += ` AND operation_id = $${params.length}::uuid`;
  }
  if (filter.workflowId !== undefined) {
    params.push(filter.workflowId);
    sql += ` AND workflow_id = $${params.length}`;
  }
  if (filter.agentId !== undefined) {
    params.push(filter.agentId);
    sql += ` AND agent_id = $${params.length}`;
  }
  if (filter.types !== undefined) {
    params.push(filter.types);
    sql += ` AND type = ANY($${params.length}::text[])`;
  }
  return sql;
}
