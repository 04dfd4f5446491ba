import { Cluster, startCluster, withProcessOutput } from '../distributed/support/cluster';
import { SseSession } from '../distributed/support/sse-session';
import { sleep } from '../distributed/support/time';
import { eventually } from '../faults/support/eventually';

// SPEC §5 limits are per user across every API process (counted in Redis):
// load spread over two processes is refused at exactly the limit with 429 and
// Retry-After, and served again once the load stops — after Retry-After for
// the request rate, as soon as streams close or operations end for the others.

const RATE_LIMIT = 30;
const STREAMS = 4;
const OPERATIONS = 3;
const WINDOW_MS = 60_000;

interface Answer {
  status: number;
  retryAfter: string | null;
  code?: string;
  id?: string;
}

describe('limits hold across two API processes', () => {
  let cluster: Cluster;
  let urls: string[];
  const bearer = (userId: string) => ({ Authorization: `Bearer ${cluster.token(userId)}` });

  beforeAll(async () => {
    cluster = await startCluster({
      apis: 2,
      workers: 0,
      env: {
        RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
        SSE_MAX_CONNECTIONS_PER_USER: String(STREAMS),
        MAX_ACTIVE_OPERATIONS_PER_USER: String(OPERATIONS),
      },
    });
    urls = cluster.apis.map((p) => p.url);
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  async function call(url: string, userId: string, init: RequestInit = {}): Promise<Answer> {
    const res = await fetch(url, { ...init, headers: { ...bearer(userId), ...(init.headers as Record<string, string>) } });
    const { code, id } = (await res.json().catch(() => ({}))) as { code?: string; id?: string };
    return { status: res.status, retryAfter: res.headers.get('retry-after'), code, id };
  }

  /** Open streams on both processes together, as /metrics reports them. */
  async function openStreams(): Promise<number> {
    let n = 0;
    for (const url of urls) {
      const text = await (await fetch(`${url}/metrics`)).text();
      for (const [, count] of text.matchAll(/^herald_sse_connections\{view="[^"]+"\} (\d+)$/gm)) n += Number(count);
    }
    return n;
  }

  const refusal = (code: string) => ({ status: 429, retryAfter: expect.stringMatching(/^[1-9]\d*$/), code });

  it(`RATE_LIMIT_PER_MINUTE=${RATE_LIMIT} counts a user's requests on both processes together, then recovers`, () =>
    withProcessOutput(cluster, async () => {
      // The limit counts in fixed one-minute windows: start well inside one, so the burst is not split.
      const left = WINDOW_MS - (Date.now() % WINDOW_MS);
      if (left < 5000) await sleep(left + 100);
      const answers: Answer[] = [];
      for (let i = 0; i < RATE_LIMIT + 6; i++) answers.push(await call(`${urls[i % 2]}/api/operations`, 'rate-user'));

      expect(answers.slice(0, RATE_LIMIT).map((a) => a.status)).toEqual(Array(RATE_LIMIT).fill(200));
      expect(answers.slice(RATE_LIMIT)).toEqual(Array(6).fill(refusal('RATE_LIMITED')));
      // Another user is not affected.
      for (const url of urls) expect((await call(`${url}/api/operations`, 'rate-bystander')).status).toBe(200);

      const retryAfterMs = Math.max(...answers.slice(RATE_LIMIT).map((a) => Number(a.retryAfter))) * 1000;
      expect(retryAfterMs).toBeLessThanOrEqual(WINDOW_MS);
      await sleep(retryAfterMs);
      for (const url of urls) expect((await call(`${url}/api/operations`, 'rate-user')).status).toBe(200);
    }),
  90_000);

  it(`SSE_MAX_CONNECTIONS_PER_USER=${STREAMS} counts a user's streams on both processes together, and frees slots on close`, () =>
    withProcessOutput(cluster, async () => {
      const open = (api: number) => new SseSession(`${urls[api]}/api/events/stream`, bearer('stream-user'));
      const ready = (s: SseSession) => s.events.some((e) => e.type === 'stream.ready');
      const streams = Array.from({ length: STREAMS }, (_, i) => open(i % 2));
      await eventually(() => streams.every(ready), 'the streams to open');

      for (const api of [0, 1]) {
        const refused = await call(`${urls[api]}/api/events/stream`, 'stream-user');
        expect(refused).toEqual(refusal('TOO_MANY_STREAMS'));
      }
      // Another user is not affected.
      const bystander = new SseSession(`${urls[1]}/api/events/stream`, bearer('stream-bystander'));
      await eventually(() => ready(bystander), 'another user to open a stream');

      // Closing two streams (one per process) frees two slots, on either process.
      streams[0].close();
      streams[1].close();
      // What stays open: the user's two other streams and the bystander's.
      await eventually(async () => (await openStreams()) === STREAMS - 2 + 1, 'the servers to see the streams close');
      const again = [open(1), open(0)];
      await eventually(() => again.every((s) => s.status !== 0), 'the new streams to be answered');
      expect(again.map((s) => s.status)).toEqual([200, 200]);
      await eventually(() => again.every(ready), 'the new streams to open');
      expect(await call(`${urls[0]}/api/events/stream`, 'stream-user')).toEqual(refusal('TOO_MANY_STREAMS'));
      for (const s of [...streams, ...again, bystander]) s.close();
    }),
  60_000);

  it(`MAX_ACTIVE_OPERATIONS_PER_USER=${OPERATIONS} counts a user's operations on both processes together, until one ends`, () =>
    withProcessOutput(cluster, async () => {
      const start = (api: number) =>
        call(`${urls[api]}/api/operations`, 'ops-user', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ kind: 'text-generation', input: { prompt: 'waits in the queue' } }),
        });
      const ids: string[] = [];
      for (let i = 0; i < OPERATIONS; i++) {
        const accepted = await start(i % 2);
        expect(accepted.status).toBe(202);
        ids.push(accepted.id!);
      }
      for (const api of [0, 1]) expect(await start(api)).toEqual(refusal('TOO_MANY_OPERATIONS'));

      // No worker runs here, so the operations stay queued; cancelling one ends it and frees its place.
      const cancelled = await call(`${urls[1]}/api/operations/${ids[0]}/cancel`, 'ops-user', { method: 'POST' });
      expect(cancelled.status).toBe(202);
      expect((await start(0)).status).toBe(202);
      expect(await start(1)).toEqual(refusal('TOO_MANY_OPERATIONS'));
    }),
  60_000);
});
