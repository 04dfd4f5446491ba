/** An event a producer wants stored; the writer gives it its per-user id. */
export interface NewEvent {
  userId: string;
  type: string;
  data: object;
  operationId?: string | null;
  workflowId?: string | null;
  agentId?: string | null;
}
