import type { Operation } from '@herald/contracts';
import { Cluster, startCluster, withProcessOutput } from '../distributed/support/cluster';
import { HeraldApi } from '../distributed/support/herald-api';
import { SseSession } from '../distributed/support/sse-session';
import { sleep } from '../distributed/support/time';
import { eventually } from '../faults/support/eventually';
import { sequenceProblems, storedIds, waitForCatchUp } from '../faults/support/failover-check';
import { FailoverClient } from '../faults/support/failover-client';
import { sseFrames } from '../faults/support/sse-frames';
import { HeraldProcess } from '../support/herald-process';
import { openRawStream } from '../support/raw-stream';
import { Nginx, requireNginx } from './support/nginx';

// docker/nginx.conf is what production puts in front of the API processes.
// Docker does not run here, so the real nginx runs that file (rendered with
// local ports and a short proxy_read_timeout) in front of two API processes
// and a worker: events must pass through as they are written, heartbeats must
// keep an idle stream open past the read timeout, and a client that nginx
// moves to the other API process must resume without a gap or a repeat.

const READ_TIMEOUT_S = 3;
const HEARTBEAT_MS = 1000;
/** Generous: the point is that an event arrives while the stream is open, not how fast. */
const ARRIVAL_DEADLINE_MS = 5000;

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Open user-view streams on one API process, from its /metrics. */
async function userStreamsOn(api: HeraldProcess): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  return Number(/^herald_sse_connections\{view="user"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

describe('nginx (docker/nginx.conf) in front of two API processes and a worker', () => {
  let cluster: Cluster;
  let nginx: Nginx;
  let publisher: HeraldApi;

  beforeAll(async () => {
    // Before anything starts: without nginx the suite fails, saying what to install.
    requireNginx();
    cluster = await startCluster({
      apis: 2,
      workers: 1,
      env: { SSE_HEARTBEAT_MS: String(HEARTBEAT_MS), SIM_TOKENS_PER_SECOND: '50' },
    });
    nginx = await Nginx.start({ upstreams: cluster.apis.map((api) => api.port), readTimeoutSeconds: READ_TIMEOUT_S });
    publisher = new HeraldApi(nginx.url, cluster.token('nginx-publisher', { scopes: ['events:publish'] }));
  }, 90_000);

  afterAll(async () => {
    await nginx?.stop();
    await cluster?.stop();
  }, 60_000);

  /** Streams a test opened, closed after it whatever its outcome. */
  const opened: { close(): void }[] = [];
  const track = <T extends { close(): void }>(stream: T): T => {
    opened.push(stream);
    return stream;
  };
  afterEach(() => opened.splice(0).forEach((stream) => stream.close()));

  /** Runs a test body; when it fails, prints what nginx and the Herald processes logged. */
  const withLogs = (body: () => Promise<void>) => () =>
    withProcessOutput(cluster, body).catch((error: Error) => {
      process.stdout.write(`--- nginx ---\n${nginx?.errorLog()}\n`);
      throw error;
    });

  it(
    'passes each published event through while the stream stays open, with the SSE headers intact',
    withLogs(async () => {
      const user = 'nginx-live';
      // As a browser asks: a proxy that compressed the stream would hold events back in its compressor.
      const session = track(
        new SseSession(`${nginx.url}/api/events/stream`, { ...bearer(cluster.token(user)), 'Accept-Encoding': 'gzip, deflate, br' }),
      );
      let open = true;
      void session.ended.then(() => (open = false));
      await eventually(() => session.status !== 0, 'response headers through nginx', 10_000);
      expect(session.status).toBe(200);
      expect(session.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(session.headers['cache-control']).toBe('no-cache, no-transform');
      expect(session.headers['content-length']).toBeUndefined();
      expect(session.headers['content-encoding']).toBeUndefined();
      await eventually(() => session.events.some((e) => e.type === 'stream.ready'), 'stream.ready through nginx', ARRIVAL_DEADLINE_MS);

      // One at a time: each must arrive on its own, not when a buffer fills or the response ends.
      for (let n = 1; n <= 3; n++) {
        const id = await publisher.publish({ userId: user, type: 'deploy.check', data: { n } });
        await eventually(() => session.ids().includes(id), `event ${id} through nginx`, ARRIVAL_DEADLINE_MS);
        expect(open).toBe(true);
        const event = session.events.find((e) => e.id === id)!;
        expect(event.type).toBe('deploy.check');
        expect(JSON.parse(event.data)).toMatchObject({ id, type: 'deploy.check', data: { n } });
      }
    }),
    30_000,
  );

  it(
    "streams an operation's content while the operation is still running",
    withLogs(async () => {
      const api = new HeraldApi(nginx.url, cluster.token('nginx-operation'));
      const { id, links } = await api.startOperation({ kind: 'text-generation', input: { prompt: 'a proxy', maxTokens: 100 } });
      const stream = track(await openRawStream(`${nginx.url}${links.events}`, bearer(cluster.token('nginx-operation'))));
      await stream.waitFor('event: operation.content', ARRIVAL_DEADLINE_MS);
      const whenFirstChunkArrived: Operation = await api.getOperation(id);
      await stream.waitFor(/event: operation\.completed/, 30_000);
      await stream.ended;

      expect(whenFirstChunkArrived.status).toBe('running');
      const op = await api.getOperation(id);
      const frames = sseFrames(stream.text());
      const chunks = frames.filter((f) => f.event === 'operation.content').map((f) => f.envelope.data);
      expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
      expect(chunks.map((c) => c.text).join('')).toBe(op.result?.text);
      expect(frames.at(-1)?.id).toBe(op.lastEventId);
    }),
    60_000,
  );

  it(
    'keeps an idle stream open past proxy_read_timeout with heartbeats, while a silent response is cut',
    withLogs(async () => {
      const user = 'nginx-idle';
      const token = cluster.token(user);
      const stream = track(await openRawStream(`${nginx.url}/api/events/stream`, bearer(token)));
      let open = true;
      void stream.ended.then(() => (open = false));
      await stream.waitFor('event: stream.ready');
      const idleSince = Date.now();
      // The control: a long poll writes nothing until its wait ends, so nginx gives up on it
      // after proxy_read_timeout (on each upstream in turn) and answers 504 itself.
      const pollStart = Date.now();
      const poll = await fetch(`${nginx.url}/api/events?wait=10`, { headers: bearer(token) });
      await poll.text();
      const pollMs = Date.now() - pollStart;
      // Four read timeouts in all; by then nginx has also stopped counting the control's
      // timeouts against the API processes (fail_timeout), which the next test needs.
      await sleep(idleSince + 4 * READ_TIMEOUT_S * 1000 - Date.now());
      const heartbeats = stream.text().split(': keep-alive\n\n').length - 1;

      expect(poll.status).toBe(504);
      expect(pollMs).toBeGreaterThanOrEqual(READ_TIMEOUT_S * 1000 - 100);
      expect(pollMs).toBeLessThan(10_000);
      expect(open).toBe(true);
      expect(heartbeats).toBeGreaterThanOrEqual(4);
      // Still a working stream, not one nginx has given up on without closing it yet.
      // Published to an API process directly: the control may still count against them in nginx.
      const direct = new HeraldApi(cluster.apis[0].url, cluster.token('nginx-publisher', { scopes: ['events:publish'] }));
      const id = await direct.publish({ userId: user, type: 'deploy.idle', data: {} });
      await stream.waitFor(`id: ${id}\n`, ARRIVAL_DEADLINE_MS);
    }),
    60_000,
  );

  it(
    'moves a client whose API process dies to the other one, where it resumes with no gap and no repeat',
    withLogs(async () => {
      const user = 'nginx-failover';
      const publishSome = async (n: number) => {
        const ids: string[] = [];
        for (let i = 0; i < n; i++) ids.push(await publisher.publish({ userId: user, type: 'deploy.step', data: { i } }));
        return ids;
      };
      const before = await publishSome(5);
      // Reconnects through nginx (the only URL it knows) with the id of the last event it received.
      const client = new FailoverClient(user, [nginx.url], cluster.token(user), 0);
      track({ close: () => void client.stop() });
      await client.start();
      let victim: HeraldProcess | undefined;
      await eventually(async () => {
        const counts = await Promise.all(cluster.apis.map(userStreamsOn));
        victim = counts[0] + counts[1] === 1 ? cluster.apis[counts.indexOf(1)] : undefined;
        return victim !== undefined;
      }, 'the stream to show up on one API process');
      const survivor = cluster.apis.find((api) => api !== victim)!;
      const live = await publishSome(5);
      await eventually(() => client.lastId === Number(live.at(-1)), 'the live events');

      await victim!.kill('SIGKILL');
      const after = await publishSome(10);
      const stored = await storedIds(cluster.db.url, [user]);
      await waitForCatchUp([client], stored);
      const onSurvivor = await userStreamsOn(survivor);
      await client.stop();

      expect(sequenceProblems([client], stored)).toEqual([]);
      expect(client.ids).toEqual([...before, ...live, ...after].map(Number));
      expect(client.connections).toBe(2);
      expect(client.ends).toEqual([expect.objectContaining({ clean: false })]);
      expect(onSurvivor).toBe(1);
    }),
    60_000,
  );
});
