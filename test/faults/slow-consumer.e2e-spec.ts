import { Cluster, startCluster, withProcessOutput } from '../distributed/support/cluster';
import { HeraldApi } from '../distributed/support/herald-api';
import { SseSession } from '../distributed/support/sse-session';
import { sleep } from '../distributed/support/time';
import { eventually } from './support/eventually';
import { MEMORY_PROBE_NODE_OPTIONS, RetainedMemory } from './support/process-memory';
import { sseFrames } from './support/sse-frames';
import { openStalledReader, StalledReader } from './support/stalled-reader';

// Clients that stop reading while a lot is written for them. The server holds
// at most about SSE_MAX_BUFFERED_BYTES for each: a live stream is cut off once
// its unsent data passes the bound, and a replay reads the store in pages no
// larger than it. So what the API retains stays flat however much is
// published — an unbounded server keeps for them everything they do not read.
// A client reading normally meanwhile gets everything; the cut-off clients
// resume by Last-Event-ID with nothing lost.

const MAX_BUFFERED = 256 * 1024;
const STALLED = 10;
const PAYLOAD = 'x'.repeat(60_000);
const EVENTS = 800;
const PUBLISHED_BYTES = EVENTS * PAYLOAD.length;
const PUBLISHERS = 4;
const AGENT = 'slow-reader';
const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

describe('clients that stop reading', () => {
  let cluster: Cluster;
  let publisher: HeraldApi;
  let auth: Record<string, string>;
  const userId = 'slow-consumer-user';
  const viewUrl = () => `${cluster.apis[0].url}/api/events/agents/${AGENT}`;

  beforeAll(async () => {
    cluster = await startCluster({
      apis: 1,
      workers: 0,
      env: {
        RATE_LIMIT_PER_MINUTE: '100000000',
        SSE_MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
        NODE_OPTIONS: MEMORY_PROBE_NODE_OPTIONS,
      },
    });
    auth = { Authorization: `Bearer ${cluster.token(userId)}` };
    publisher = new HeraldApi(cluster.apis[0].url, cluster.token('slow-consumer-publisher', { scopes: ['events:publish'] }));
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  /** Open agent-view streams, as /metrics reports them. */
  async function openAgentStreams(): Promise<number> {
    const text = await (await fetch(`${cluster.apis[0].url}/metrics`)).text();
    return Number(/^herald_sse_connections\{view="agent"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  }

  /** Publishes EVENTS events of 60 kB for the user's agent view; returns their ids in order. */
  async function publishLoad(): Promise<string[]> {
    const ids: string[] = [];
    let next = 0;
    const lane = async () => {
      while (next < EVENTS) {
        const n = next++;
        ids.push(await publisher.publish({ userId, type: 'doc.chunk', agentId: AGENT, data: { n, payload: PAYLOAD } }));
      }
    };
    await Promise.all(Array.from({ length: PUBLISHERS }, lane));
    return ids.sort((a, b) => Number(a) - Number(b));
  }

  async function openStalled(lastEventId: string): Promise<StalledReader[]> {
    const readers: StalledReader[] = [];
    for (let i = 0; i < STALLED; i++) readers.push(await openStalledReader(viewUrl(), { ...auth, 'Last-Event-ID': lastEventId }));
    expect(readers.map((r) => r.status)).toEqual(readers.map(() => 200));
    return readers;
  }

  /**
   * What the API retains once it has settled: two measurements a moment apart
   * that agree. Right after a load, data still in flight (a publish being
   * stored, a page being written) counts as retained, and on a busy machine
   * that alone came near the bound. A server that keeps what stalled clients do
   * not read stays high, so it still fails.
   */
  async function settledMemory(memory: RetainedMemory): Promise<{ retained: number; resident: number }> {
    let last = await memory.measure();
    for (let i = 0; i < 6; i++) {
      await sleep(500);
      const next = await memory.measure();
      if (Math.abs(next.retained - last.retained) < MB) return next;
      last = next;
    }
    return last;
  }

  /** The ids of the complete events in a body that may have been cut mid-event. */
  const completeIds = (text: string) => sseFrames(text.slice(0, text.lastIndexOf('\n\n') + 2)).map((f) => f.id);

  it('cuts them off at SSE_MAX_BUFFERED_BYTES, keeps memory flat, and they resume by Last-Event-ID', () =>
    withProcessOutput(cluster, async () => {
      const memory = new RetainedMemory(cluster.apis[0]);
      const reader = new SseSession(`${viewUrl()}?lastEventId=0`, auth);
      const stalled: StalledReader[] = [];
      try {
        // The load alone first, with only the reading client: what the process retains afterwards is the baseline.
        const first = await publishLoad();
        await eventually(() => reader.ids().at(-1) === first.at(-1), 'the reading client to get the first load');
        const base = await settledMemory(memory);

        // The same load again, with clients that stop reading right away.
        const live = await openStalled(first.at(-1)!);
        stalled.push(...live);
        await eventually(async () => (await openAgentStreams()) === STALLED + 1, 'every stream to register');
        const published = await publishLoad();
        await eventually(async () => (await openAgentStreams()) === 1, 'the stalled clients to be cut off');
        await eventually(() => reader.ids().at(-1) === published.at(-1), 'the reading client to get everything');
        const afterLive = await settledMemory(memory);

        // Clients that resume with the whole second load as backlog and stop reading at once: they stay connected.
        const behind = await openStalled(first.at(-1)!);
        stalled.push(...behind);
        await sleep(2000);
        const duringReplays = await settledMemory(memory);
        expect(await openAgentStreams()).toBe(STALLED + 1);

        process.stdout.write(
          `slow consumers: ${mb(PUBLISHED_BYTES)} published; API retained memory (resident): after the load alone ` +
            `${mb(base.retained)} (${mb(base.resident)}), after the load with ${STALLED} stalled clients ` +
            `${mb(afterLive.retained)} (${mb(afterLive.resident)}), with ${STALLED} stalled replays of it ` +
            `${mb(duringReplays.retained)} (${mb(duringReplays.resident)})\n`,
        );
        // An unbounded server would retain for them what they did not read: nearly all of it,
        // and for replays once per client.
        expect(afterLive.retained - base.retained).toBeLessThan(PUBLISHED_BYTES / 4);
        expect(duringReplays.retained - base.retained).toBeLessThan(PUBLISHED_BYTES / 4);
        expect(reader.ids()).toEqual([...first, ...published]);

        // A stalled replay was only paused: read again, it delivers the backlog in order.
        expect(completeIds(await behind[0].read(30_000, published.at(-1)))).toEqual(published);

        for (const client of live) {
          const received = completeIds(await client.read(10_000));
          expect(received.length).toBeLessThan(published.length);
          expect(received).toEqual(published.slice(0, received.length));
          const resumed = new SseSession(viewUrl(), { ...auth, 'Last-Event-ID': received.at(-1) ?? first.at(-1)! });
          await eventually(() => resumed.ids().at(-1) === published.at(-1), 'a resumed client to catch up');
          resumed.close();
          expect(resumed.ids()).toEqual(published.slice(received.length));
        }
      } finally {
        reader.close();
        for (const client of stalled) client.close();
      }
    }),
  90_000);
});
