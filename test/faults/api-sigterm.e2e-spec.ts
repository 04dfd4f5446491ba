import { randomInt } from 'node:crypto';
import { withProcessOutput } from '../distributed/support/cluster';
import { Rng } from '../distributed/support/random';
import { sleep } from '../distributed/support/time';
import { FailoverRun, useApiPair } from './support/api-failover';
import { eventually } from './support/eventually';
import { sequenceProblems } from './support/failover-check';

// A deploy stops an API process with SIGTERM while clients stream from it:
// it stops accepting connections first, then ends every stream properly
// (not a reset, and without waiting for anything) so its clients reconnect
// to the other process at once, resuming gap-free; then it exits.

const SEED = process.env.HERALD_TEST_SEED ? Number(process.env.HERALD_TEST_SEED) : randomInt(2 ** 31);
const USERS = 20;
const CLIENTS_PER_USER = 6;
const WRITERS = 3;
/** Nest re-raises SIGTERM after its shutdown hooks; the helper escalates to SIGKILL after 10 s. */
const EXIT_DEADLINE_MS = 9_000;

/** What a new request to the process gets: `ECONNREFUSED` once nothing listens any more. */
async function newRequestOutcome(url: string): Promise<string> {
  try {
    const res = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(3000) });
    return `HTTP ${res.status}`;
  } catch (error) {
    const { cause } = error as { cause?: { code?: string } };
    return cause?.code ?? (error as Error).message;
  }
}

describe('API process SIGTERM', () => {
  const apiPair = useApiPair();

  it('stops accepting, ends its streams at once so clients resume on the other process, and exits', () =>
    withProcessOutput(apiPair(), async () => {
      process.stdout.write(`api sigterm: seed ${SEED} (replay with HERALD_TEST_SEED=${SEED})\n`);
      const run = new FailoverRun(apiPair(), {
        name: 'sigterm',
        rng: new Rng(SEED),
        users: USERS,
        clientsPerUser: CLIENTS_PER_USER,
        writers: WRITERS,
      });
      const { clients, victim } = run;
      await run.start();
      await sleep(1000);
      const stoppedAt = Date.now();
      const stopping = victim.kill('SIGTERM');
      await eventually(() => clients.some((c) => c.ends.length > 0), 'a stream of the stopping process to end', 10_000);
      const onceStreamsEnd = await newRequestOutcome(victim.url);
      await stopping;
      const exitedAfterMs = Date.now() - stoppedAt;
      await sleep(1000);
      await run.stopWriting();
      const stored = await run.settle();

      const onVictim = clients.filter((c) => c.ends.length > 0);
      const ends = onVictim.map((c) => c.ends[0]);
      const lastEndMs = Math.max(...ends.map((e) => e.at)) - stoppedAt;
      process.stdout.write(
        `api sigterm: ${onVictim.length} streams ended within ${lastEndMs} ms of SIGTERM; process exited after ${exitedAfterMs} ms\n`,
      );
      expect(onceStreamsEnd).toBe('ECONNREFUSED');
      expect(exitedAfterMs).toBeLessThan(EXIT_DEADLINE_MS);
      // Every stream of the stopping process ended properly, and only those.
      expect(onVictim).toHaveLength(clients.length / 2);
      expect(ends.every((e) => e.api === 0 && e.clean)).toBe(true);
      expect(onVictim.every((c) => c.ends.length === 1 && c.api === 1)).toBe(true);
      expect(sequenceProblems(clients, stored)).toEqual([]);
    }),
  90_000);
});
