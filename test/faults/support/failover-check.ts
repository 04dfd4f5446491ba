import { readStoredRows } from '../../distributed/support/resume-check';
import { eventually } from './eventually';
import { FailoverClient } from './failover-client';

/** Each user's stored event ids, straight from PostgreSQL. */
export async function storedIds(databaseUrl: string, users: Iterable<string>): Promise<Map<string, number[]>> {
  const stored = new Map<string, number[]>();
  for (const userId of new Set(users)) stored.set(userId, (await readStoredRows(databaseUrl, userId)).map((r) => r.id));
  return stored;
}

/** Waits until every client has received its user's last stored event (nothing is being written any more). */
export async function waitForCatchUp(clients: FailoverClient[], stored: Map<string, number[]>, timeoutMs = 30_000): Promise<void> {
  const behind = () => clients.filter((c) => c.lastId !== (stored.get(c.userId)?.at(-1) ?? 0));
  await eventually(() => behind().length === 0, 'every client to catch up', timeoutMs).catch((error: Error) => {
    const sample = behind().slice(0, 5).map((c) => `${c.userId} at ${c.lastId} of ${stored.get(c.userId)?.at(-1)}`);
    throw new Error(`${error.message}; ${behind().length} behind, e.g. ${sample.join(', ')}`);
  });
}

/** Everything wrong with what the clients received: each must hold its user's stored ids exactly, in order. */
export function sequenceProblems(clients: FailoverClient[], stored: Map<string, number[]>): string[] {
  const problems: string[] = [];
  for (const [i, client] of clients.entries()) {
    const expected = stored.get(client.userId) ?? [];
    const got = client.ids;
    const at = got.findIndex((id, k) => id !== expected[k]);
    if (at !== -1 || got.length !== expected.length) {
      const k = at === -1 ? Math.min(got.length, expected.length) : at;
      problems.push(
        `client ${i} (${client.userId}, ${client.connections} connections): event #${k} is ${got[k] ?? 'missing'}, ` +
          `stored ${expected[k] ?? 'nothing'} (received ${got.length}, stored ${expected.length})`,
      );
    }
    problems.push(...client.problems.map((p) => `client ${i} (${client.userId}): ${p}`));
  }
  return problems;
}
