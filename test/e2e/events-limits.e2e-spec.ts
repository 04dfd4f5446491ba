import request from 'supertest';
import { collectEvents, openRawStream, RawStream } from '../support/sse-client';
import { ApiClient, publish, publisher, sleep } from './support/api-client';
import { useHerald } from './support/boot-app';
import { eventFrames, field } from './support/sse-frames';
import { openStalledStream } from './support/stalled-stream';
import { MODES } from './modes';

// SPEC §5 stream limits and §4.6 slow consumers. Open connections are read
// from /metrics (what an operator watches), since a client cannot see that the
// server let go of a socket it is not reading.

const PER_USER = 2;
const PER_PROCESS = 3;
const MAX_BUFFERED = 64 * 1024;
const PAYLOAD = 'x'.repeat(60_000);
/** Far more than loopback socket buffers hold, so a server that never cuts the client off fails rather than hangs. */
const MAX_PUBLISHED = 400;

describe.each(MODES)('events: stream limits (%s mode)', (mode) => {
  const herald = useHerald(mode, {
    SSE_MAX_CONNECTIONS_PER_USER: String(PER_USER),
    SSE_MAX_CONNECTIONS: String(PER_PROCESS),
    SSE_MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
  });
  const url = (path: string) => `${herald().url}${path}`;
  const bearer = (client: ApiClient) => ({ Authorization: `Bearer ${client.token}` });

  /** Open SSE connections by view, as /metrics reports them. */
  async function openConnections(): Promise<Record<string, number>> {
    const res = await request(herald().url).get('/metrics');
    const counts: Record<string, number> = {};
    for (const [, view, n] of res.text.matchAll(/^herald_sse_connections\{view="([^"]+)"\} (\d+)$/gm)) counts[view] = Number(n);
    return counts;
  }

  async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }

  const ready = async (stream: RawStream) => {
    expect(stream.status).toBe(200);
    await stream.waitFor('event: stream.ready');
    return stream;
  };

  // Every test starts with no stream open, so the process limit is the test's own.
  afterEach(async () => {
    await eventually(async () => Object.values(await openConnections()).every((n) => n === 0), 'all streams to close');
  });

  it(`refuses stream number ${PER_USER + 1} of a user, on any view, with 429 and Retry-After`, async () => {
    const alice = new ApiClient(herald());
    const open = [
      await ready(await openRawStream(url('/api/events/stream'), bearer(alice))),
      await ready(await openRawStream(url('/api/events/workflows/wf-1'), bearer(alice))),
    ];

    const refused = await openRawStream(url('/api/events/agents/a-1'), bearer(alice));
    await refused.ended;
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(refused.text())).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.any(String),
      code: expect.any(String),
    });

    // A closed stream gives its slot back.
    open[0].close();
    await eventually(async () => {
      const retry = await openRawStream(url('/api/events/stream'), bearer(alice));
      if (retry.status !== 200) return false;
      retry.close();
      return true;
    }, 'the slot to be released');
    open[1].close();
  });

  it(`refuses streams past SSE_MAX_CONNECTIONS=${PER_PROCESS} in one process with 503 and Retry-After`, async () => {
    const users = [new ApiClient(herald()), new ApiClient(herald())];
    const open = [
      await ready(await openRawStream(url('/api/events/stream'), bearer(users[0]))),
      await ready(await openRawStream(url('/api/events/stream'), bearer(users[0]))),
      await ready(await openRawStream(url('/api/events/stream'), bearer(users[1]))),
    ];

    const refused = await openRawStream(url('/api/events/stream'), bearer(new ApiClient(herald())));
    await refused.ended;
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(refused.text())).toMatchObject({ statusCode: 503, code: expect.any(String) });
    for (const stream of open) stream.close();
  });

  it('cuts off a client whose unsent data passes SSE_MAX_BUFFERED_BYTES; it resumes by Last-Event-ID', async () => {
    const alice = new ApiClient(herald());
    const service = publisher(herald());
    const before = await alice.lastEventId();
    // The agent view is used by no other test here, so its connection count is this client's.
    const stalled = await openStalledStream(url('/api/events/agents/slow-reader'), bearer(alice));
    expect(stalled.status).toBe(200);
    await eventually(async () => (await openConnections()).agent === 1, 'the stalled stream to register');

    const published: string[] = [];
    while ((await openConnections()).agent !== 0) {
      if (published.length >= MAX_PUBLISHED) throw new Error(`still connected after ${published.length} events of 60 kB`);
      for (let i = 0; i < 8; i++) {
        const event = { userId: alice.userId, type: 'doc.chunk', agentId: 'slow-reader', data: { n: published.length, payload: PAYLOAD } };
        published.push((await publish(service, event))!);
      }
    }

    // What the client gets when it reads again: a prefix of the events, then the end of the response.
    const text = await stalled.drainToEnd();
    const received = eventFrames(text)
      .map((f) => field(f, 'id'))
      .filter((id): id is string => id !== undefined);
    expect(received.length).toBeLessThan(published.length);
    expect(received).toEqual(published.slice(0, received.length));

    const rest = await collectEvents(url('/api/events/agents/slow-reader'), {
      token: alice.token,
      lastEventId: received.at(-1) ?? before,
      types: ['doc.chunk'],
      until: (e) => e.lastEventId === published.at(-1),
      timeoutMs: 30_000,
    });
    expect(rest.filter((e) => e.type === 'doc.chunk').map((e) => e.lastEventId)).toEqual(published.slice(received.length));
  });
});
