import { isDeepStrictEqual } from 'node:util';
import { Client } from 'pg';
import { ReceivedEvent, ResumeClient } from './resume-client';
import { StoredRow } from './resume-views';

/** A user's stored events, in id order, straight from PostgreSQL (not through Herald). */
export async function readStoredRows(databaseUrl: string, userId: string): Promise<StoredRow[]> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query<{ id: string; type: string; workflow_id: string | null; agent_id: string | null; data: string; created_at: Date }>(
      `SELECT id::text AS id, type, workflow_id, agent_id, data, created_at FROM herald_events WHERE user_id = $1 ORDER BY herald_events.id`,
      [userId],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      type: r.type,
      workflowId: r.workflow_id,
      agentId: r.agent_id,
      data: JSON.parse(r.data),
      ts: r.created_at.toISOString(),
    }));
  } finally {
    await pg.end();
  }
}

/** The stored rows a client must have received: its view's events after its start point. */
export function expectedFor(client: ResumeClient, rows: StoredRow[]): StoredRow[] {
  const after = client.startAfter;
  if (after === undefined) return [];
  return rows.filter((r) => r.id > after && client.view.matches(r));
}

const where = (e: ReceivedEvent) => `id ${e.id} (connection ${e.connection}, api#${e.api + 1})`;

/** Everything wrong with what one client received, or an empty list. */
export function checkClient(client: ResumeClient, rows: StoredRow[]): string[] {
  const problems = [...client.problems];
  const got = client.received;
  const firstRepeat = got.findIndex((e, i) => i > 0 && e.id <= got[i - 1].id);
  if (firstRepeat !== -1) {
    problems.push(`not strictly increasing: ${where(got[firstRepeat])} after ${where(got[firstRepeat - 1])}`);
  }
  const expected = expectedFor(client, rows);
  const length = Math.max(expected.length, got.length);
  for (let i = 0; i < length; i++) {
    const want = expected[i];
    const have = got[i];
    const mismatch = describeMismatch(want, have);
    if (mismatch) {
      const context = got.slice(Math.max(0, i - 3), i + 3).map(where).join(', ');
      problems.push(
        `event #${i} of ${expected.length} expected: ${mismatch}; ` +
          `expected ids ${expected.slice(Math.max(0, i - 3), i + 3).map((r) => r.id).join(',')}; received ${context}`,
      );
      break;
    }
  }
  return problems;
}

function describeMismatch(want: StoredRow | undefined, have: ReceivedEvent | undefined): string | null {
  if (!want) return `nothing, received ${where(have!)}`;
  if (!have) return `id ${want.id}, received nothing more`;
  if (want.id !== have.id) return `id ${want.id}, received ${where(have)}`;
  const env = have.envelope;
  const same =
    env.id === String(want.id) &&
    have.type === want.type &&
    env.type === want.type &&
    env.workflowId === want.workflowId &&
    env.agentId === want.agentId &&
    env.ts === want.ts &&
    isDeepStrictEqual(env.data, want.data);
  return same ? null : `stored ${JSON.stringify(want)}, received ${JSON.stringify(env)} as ${have.type}`;
}
