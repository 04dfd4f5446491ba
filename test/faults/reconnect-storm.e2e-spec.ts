import { randomInt } from 'node:crypto';
import { Cluster, startCluster, withProcessOutput } from '../distributed/support/cluster';
import { HeraldApi } from '../distributed/support/herald-api';
import { CommittedIds, runPublisher } from '../distributed/support/publisher';
import { Rng } from '../distributed/support/random';
import { sleep } from '../distributed/support/time';
import { eventually } from './support/eventually';
import { storedIds } from './support/failover-check';
import { RawSseClient } from './support/raw-sse-client';

// 2,000 clients reconnect at the same moment (after a network blip or an
// instance restart), each with the Last-Event-ID it got to, while events keep
// being written. Every one resumes exactly where it was — no gap, no repeat —
// and the API keeps answering other requests during the storm.

const SEED = process.env.HERALD_TEST_SEED ? Number(process.env.HERALD_TEST_SEED) : randomInt(2 ** 31);
const USERS = 100;
const CLIENTS_PER_USER = 20;
const HISTORY_PER_USER = 8;
const WRITERS = 2;

interface StormClient {
  userId: string;
  resumeFrom: number;
  sse: RawSseClient;
}

/** A request another user makes during the storm, and how it went. */
interface Probe {
  status: number;
  ms: number;
}

describe('reconnect storm', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    // The publisher writes for every user under one token: its request budget must not shape the run.
    cluster = await startCluster({ apis: 1, workers: 0, env: { RATE_LIMIT_PER_MINUTE: '100000000' } });
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('2,000 clients resume at once with their Last-Event-ID, gap-free, while the API keeps serving', () =>
    withProcessOutput(cluster, async () => {
      process.stdout.write(`reconnect storm: seed ${SEED} (replay with HERALD_TEST_SEED=${SEED})\n`);
      const rng = new Rng(SEED);
      const api = cluster.apis[0];
      const users = Array.from({ length: USERS }, (_, i) => `storm-user-${i}`);
      const publisher = new HeraldApi(api.url, cluster.token('storm-publisher', { scopes: ['events:publish'] }));

      // The history the clients had been following before they were cut off.
      let writing = true;
      const committed: CommittedIds = new Map();
      await Promise.all(
        users.map(async (userId, u) => {
          for (let n = 0; n < HISTORY_PER_USER; n++) {
            const id = await publisher.publish({ userId, type: 'storm.tick', data: { u, n } });
            committed.set(userId, Number(id));
          }
        }),
      );

      const clients: StormClient[] = users.flatMap((userId) =>
        Array.from({ length: CLIENTS_PER_USER }, () => {
          const resumeFrom = rng.int(0, committed.get(userId)!);
          const headers = { Authorization: `Bearer ${cluster.token(userId)}`, 'Last-Event-ID': String(resumeFrom) };
          return { userId, resumeFrom, sse: new RawSseClient(api.port, '/api/events/stream', headers) };
        }),
      );

      // Events keep coming during the storm, and another user keeps using the API.
      const writers = Array.from({ length: WRITERS }, (_, w) =>
        runPublisher(w, [publisher], users, rng.fork(w), committed, () => !writing),
      );
      const probes: Probe[] = [];
      let storming = true;
      const prober = (async () => {
        const headers = { Authorization: `Bearer ${cluster.token('storm-bystander')}` };
        while (storming) {
          const started = Date.now();
          const res = await fetch(`${api.url}/api/operations?limit=1`, { headers, signal: AbortSignal.timeout(30_000) });
          await res.arrayBuffer();
          probes.push({ status: res.status, ms: Date.now() - started });
          await sleep(100);
        }
      })();

      const stormStarted = Date.now();
      for (const client of clients) client.sse.open();
      await eventually(() => clients.every((c) => c.sse.ready || c.sse.error !== null), 'every client to be answered', 60_000);
      const readyAfterMs = Date.now() - stormStarted;
      storming = false;
      await prober;
      writing = false;
      await Promise.all(writers);

      const failed = clients.filter((c) => !c.sse.ready);
      expect(failed.map((c) => `${c.userId}: HTTP ${c.sse.status} ${c.sse.error}`)).toEqual([]);

      const stored = await storedIds(cluster.db.url, users);
      const behind = () => clients.filter((c) => (c.sse.lastId ?? c.resumeFrom) !== stored.get(c.userId)!.at(-1));
      await eventually(() => behind().length === 0, 'every client to catch up', 30_000);
      for (const client of clients) client.sse.close();

      const wrong = clients.filter((c) => {
        const expected = stored.get(c.userId)!.filter((id) => id > c.resumeFrom);
        return c.sse.ids.length !== expected.length || c.sse.ids.some((id, i) => id !== expected[i]);
      });
      const slowest = Math.max(...probes.map((p) => p.ms));
      process.stdout.write(
        `reconnect storm: ${clients.length} clients answered within ${readyAfterMs} ms, ` +
          `${clients.reduce((n, c) => n + c.sse.ids.length, 0)} events delivered; ` +
          `${probes.length} requests of another user meanwhile, slowest ${slowest} ms\n`,
      );
      expect(wrong.map((c) => `${c.userId} from ${c.resumeFrom}: got ${c.sse.ids.join(',')}`)).toEqual([]);
      expect(probes.length).toBeGreaterThan(0);
      expect(probes.filter((p) => p.status !== 200)).toEqual([]);
    }),
  90_000);
});
