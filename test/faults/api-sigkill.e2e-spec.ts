import { randomInt } from 'node:crypto';
import { withProcessOutput } from '../distributed/support/cluster';
import { Rng } from '../distributed/support/random';
import { sleep } from '../distributed/support/time';
import { FailoverRun, useApiPair } from './support/api-failover';
import { sequenceProblems } from './support/failover-check';

// An API process dies outright (SIGKILL: no shutdown hook, sockets cut by the
// kernel) while a few hundred clients stream from it and events keep being
// written. Its clients reconnect to the other API process with their
// Last-Event-ID and each ends up with exactly its user's stored sequence.

const SEED = process.env.HERALD_TEST_SEED ? Number(process.env.HERALD_TEST_SEED) : randomInt(2 ** 31);
const USERS = 30;
const CLIENTS_PER_USER = 10;
const WRITERS = 4;

describe('API process SIGKILL with a few hundred clients connected', () => {
  const apiPair = useApiPair();

  it('every client reconnects to the other process and receives the stored sequence, no gap, no repeat', () =>
    withProcessOutput(apiPair(), async () => {
      process.stdout.write(`api sigkill: seed ${SEED} (replay with HERALD_TEST_SEED=${SEED})\n`);
      const rng = new Rng(SEED);
      const run = new FailoverRun(apiPair(), {
        name: 'sigkill',
        rng,
        users: USERS,
        clientsPerUser: CLIENTS_PER_USER,
        writers: WRITERS,
        reconnectDelayMs: () => rng.int(0, 250),
      });
      const { clients } = run;
      await run.start();
      await sleep(1500);
      await run.victim.kill('SIGKILL');
      await sleep(2500);
      const published = await run.stopWriting();
      const stored = await run.settle();

      const onVictim = clients.filter((c) => c.ends.some((e) => e.api === 0));
      process.stdout.write(
        `api sigkill: ${published} events published, ${onVictim.length} of ${clients.length} clients failed over\n`,
      );
      expect(sequenceProblems(clients, stored)).toEqual([]);
      // Half the clients were on the killed process; each lost its connection once and resumed on the survivor.
      expect(onVictim).toHaveLength(clients.length / 2);
      expect(onVictim.every((c) => c.ends.length === 1 && !c.ends[0].clean && c.api === 1)).toBe(true);
      expect(clients.filter((c) => !onVictim.includes(c)).every((c) => c.connections === 1)).toBe(true);
      expect(published).toBeGreaterThan(USERS);
    }),
  90_000);
});
