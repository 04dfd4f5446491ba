import { Client } from 'pg';
import type { EventRow } from '../../../src/events/event-store';

/** A stored event as the envelope a client must receive for it. */
export interface StoredEnvelope {
  id: string;
  type: string;
  ts: string;
  operationId: string | null;
  workflowId: string | null;
  agentId: string | null;
  data: unknown;
}

/** Every stored event, by user, in id order — read from PostgreSQL, not through Herald. */
export async function storedEnvelopesByUser(databaseUrl: string): Promise<Map<string, StoredEnvelope[]>> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query<EventRow>(
      `SELECT user_id, id::text AS id, type, operation_id::text AS operation_id, workflow_id, agent_id, data, created_at
         FROM herald_events ORDER BY user_id, herald_events.id`,
    );
    const byUser = new Map<string, StoredEnvelope[]>();
    for (const r of rows) {
      const list = byUser.get(r.user_id) ?? [];
      list.push({
        id: r.id,
        type: r.type,
        ts: new Date(r.created_at).toISOString(),
        operationId: r.operation_id,
        workflowId: r.workflow_id,
        agentId: r.agent_id,
        data: JSON.parse(r.data),
      });
      byUser.set(r.user_id, list);
    }
    return byUser;
  } finally {
    await pg.end();
  }
}

/** The fields of a received envelope that must match the stored event. */
export function asStored(envelope: StoredEnvelope & Record<string, unknown>): StoredEnvelope {
  const { id, type, ts, operationId, workflowId, agentId, data } = envelope;
  return { id, type, ts, operationId, workflowId, agentId, data };
}
