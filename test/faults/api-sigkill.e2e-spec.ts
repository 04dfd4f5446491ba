import { randomInt } from 'node:crypto';
import { Cluster, startCluster, withProcessOutput } from '../distributed/support/cluster';
import { HeraldApi } from '../distributed/support/herald-api';
import { CommittedIds, runPublisher } from '../distributed/support/publisher';
import { Rng } from '../distributed/support/random';
import { sleep } from '../distributed/support/time';
import { storedIds, sequenceProblems, waitForCatchUp } from './support/failover-check';
import { FailoverClient } from './support/failover-client';

// An API process dies outright (SIGKILL: no shutdown hook, sockets cut by the
// kernel) while a few hundred clients stream from it and events keep being
// written. Its clients reconnect to the other API process with their
// Last-Event-ID and each ends up with exactly its user's stored sequence.

const SEED = process.env.HERALD_TEST_SEED ? Number(process.env.HERALD_TEST_SEED) : randomInt(2 ** 31);
const USERS = 30;
const CLIENTS_PER_USER = 10;
const WRITERS = 4;

describe('API process SIGKILL with a few hundred clients connected', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    // The publisher writes for every user under one token: its request budget must not shape the run.
    cluster = await startCluster({ apis: 2, workers: 0, env: { RATE_LIMIT_PER_MINUTE: '100000000' } });
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('every client reconnects to the other process and receives the stored sequence, no gap, no repeat', () =>
    withProcessOutput(cluster, async () => {
      process.stdout.write(`api sigkill: seed ${SEED} (replay with HERALD_TEST_SEED=${SEED})\n`);
      const rng = new Rng(SEED);
      const [victim, survivor] = cluster.apis;
      const urls = cluster.apis.map((p) => p.url);
      const users = Array.from({ length: USERS }, (_, i) => `sigkill-user-${i}`);
      const clients = users.flatMap((userId) =>
        Array.from(
          { length: CLIENTS_PER_USER },
          (_, k) => new FailoverClient(userId, urls, cluster.token(userId), k % 2, () => rng.int(0, 250)),
        ),
      );
      await Promise.all(clients.map((c) => c.start()));

      const publisher = new HeraldApi(survivor.url, cluster.token('sigkill-publisher', { scopes: ['events:publish'] }));
      const committed: CommittedIds = new Map();
      let writing = true;
      const writers = Array.from({ length: WRITERS }, (_, w) =>
        runPublisher(w, [publisher], users, rng.fork(w), committed, () => !writing),
      );
      await sleep(1500);
      await victim.kill('SIGKILL');
      await sleep(2500);
      writing = false;
      const published = (await Promise.all(writers)).reduce((a, b) => a + b, 0);

      const stored = await storedIds(cluster.db.url, users);
      await waitForCatchUp(clients, stored);
      await Promise.all(clients.map((c) => c.stop()));

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
