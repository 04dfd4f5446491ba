import { HeraldApi } from './herald-api';
import { Rng } from './random';
import { AGENT, EVENT_TYPES, WORKFLOWS } from './resume-views';

/** The highest id each user is known to have committed (a publish answered with it). */
export type CommittedIds = Map<string, number>;

/**
 * One writer: publishes one event at a time, alternating between the API
 * processes, to random users, until stopped. Several of these run at once,
 * so the API processes' event writers contend for the same users' counters
 * and publish to the bus in an order that is not always the commit order.
 * Returns how many events it published.
 */
export async function runPublisher(
  writer: number,
  apis: HeraldApi[],
  users: readonly string[],
  rng: Rng,
  committed: CommittedIds,
  stopped: () => boolean,
): Promise<number> {
  let n = 0;
  while (!stopped()) {
    const userId = rng.pick(users);
    const workflowId = rng.pick([undefined, ...WORKFLOWS]);
    const agentId = rng.chance(0.3) ? AGENT : undefined;
    const id = Number(
      await apis[n % apis.length].publish({
        userId,
        type: rng.pick(EVENT_TYPES),
        // writer + n identify the event; the note makes frames of varying size.
        data: { writer, n, note: 'x'.repeat(rng.int(0, 200)) },
        ...(workflowId ? { workflowId } : {}),
        ...(agentId ? { agentId } : {}),
      }),
    );
    committed.set(userId, Math.max(committed.get(userId) ?? 0, id));
    n++;
  }
  return n;
}
