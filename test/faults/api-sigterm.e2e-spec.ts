import { randomInt } from 'node:crypto';
import { Cluster, startCluster, withProcessOutput } from '../distributed/support/cluster';
import { HeraldApi } from '../distributed/support/herald-api';
import { CommittedIds, runPublisher } from '../distributed/support/publisher';
import { Rng } from '../distributed/support/random';
import { sleep } from '../distributed/support/time';
import { eventually } from './support/eventually';
import { storedIds, sequenceProblems, waitForCatchUp } from './support/failover-check';
import { FailoverClient } from './support/failover-client';

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
  let cluster: Cluster;

  beforeAll(async () => {
    // The publisher writes for every user under one token: its request budget must not shape the run.
    cluster = await startCluster({ apis: 2, workers: 0, env: { RATE_LIMIT_PER_MINUTE: '100000000' } });
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('stops accepting, ends its streams at once so clients resume on the other process, and exits', () =>
    withProcessOutput(cluster, async () => {
      process.stdout.write(`api sigterm: seed ${SEED} (replay with HERALD_TEST_SEED=${SEED})\n`);
      const rng = new Rng(SEED);
      const [victim, survivor] = cluster.apis;
      const urls = cluster.apis.map((p) => p.url);
      const users = Array.from({ length: USERS }, (_, i) => `sigterm-user-${i}`);
      const clients = users.flatMap((userId) =>
        Array.from({ length: CLIENTS_PER_USER }, (_, k) => new FailoverClient(userId, urls, cluster.token(userId), k % 2)),
      );
      await Promise.all(clients.map((c) => c.start()));

      const publisher = new HeraldApi(survivor.url, cluster.token('sigterm-publisher', { scopes: ['events:publish'] }));
      const committed: CommittedIds = new Map();
      let writing = true;
      const writers = Array.from({ length: WRITERS }, (_, w) =>
        runPublisher(w, [publisher], users, rng.fork(w), committed, () => !writing),
      );
      await sleep(1000);
      const stoppedAt = Date.now();
      const stopping = victim.kill('SIGTERM');
      await eventually(() => clients.some((c) => c.ends.length > 0), 'a stream of the stopping process to end', 10_000);
      const onceStreamsEnd = await newRequestOutcome(victim.url);
      await stopping;
      const exitedAfterMs = Date.now() - stoppedAt;
      await sleep(1000);
      writing = false;
      await Promise.all(writers);

      const stored = await storedIds(cluster.db.url, users);
      await waitForCatchUp(clients, stored);
      await Promise.all(clients.map((c) => c.stop()));

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
