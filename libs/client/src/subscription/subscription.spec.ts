import type { EventEnvelope, StreamGapData } from '@herald/contracts';
import { envelope, FakeHerald, frame, openSse, sendError, sendJson } from '../../test/fake-herald';
import { HeraldClient } from '../herald-client';
import { HeraldError } from '../errors';
import { SubscribeOptions, SubscriptionStatus } from './subscription-options';
import { StreamView } from './views';

const OP = 'op-1';
// Small delays keep the suite fast; the backoff shape itself is covered in backoff.spec.ts.
const FAST = { initialRetryMs: 20, maxRetryMs: 200 };

let fake: FakeHerald | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function collect(client: HeraldClient, options: SubscribeOptions = {}, view: StreamView = { kind: 'operation', id: OP }) {
  const events: EventEnvelope[] = [];
  const statuses: SubscriptionStatus[] = [];
  const errors: HeraldError[] = [];
  const gaps: StreamGapData[] = [];
  const subscription = client.subscribe(view, {
    reconnect: FAST,
    onEvent: (e) => events.push(e),
    onStatus: (s) => statuses.push(s),
    onError: (e) => errors.push(e),
    onGap: (g) => gaps.push(g),
    ...options,
  });
  return { subscription, events, statuses, errors, gaps, ids: () => events.map((e) => e.id) };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Subscription (fetch streaming)', () => {
  it('sends the token as a Bearer header and delivers typed envelopes once open', async () => {
    fake = await FakeHerald.start((req, res) => {
      openSse(res);
      res.end(frame(envelope('1', 'operation.status', { status: 'running' })) + frame(envelope('2', 'operation.completed')));
    });
    const client = new HeraldClient({ baseUrl: fake.url, token: 'secret-token' });
    const c = collect(client);
    const end = await c.subscription.done;

    expect(fake.requests[0].path).toBe(`/api/events/operations/${OP}`);
    expect(fake.requests[0].headers.authorization).toBe('Bearer secret-token');
    expect(fake.requests[0].headers.accept).toBe('text/event-stream');
    expect(fake.requests[0].headers['last-event-id']).toBeUndefined();
    expect(c.events.map((e) => [e.id, e.type, e.data])).toEqual([
      ['1', 'operation.status', { status: 'running' }],
      ['2', 'operation.completed', {}],
    ]);
    expect(c.statuses.map((s) => s.state)).toEqual(['open', 'closed']);
    expect(end).toEqual({ reason: 'ended', lastEventId: '2' });
  });

  it('closes right after the terminal event of the operation view, without reconnecting', async () => {
    fake = await FakeHerald.start((req, res) => {
      openSse(res);
      // The stream is left open: the terminal event alone must end the subscription.
      res.write(frame(envelope('5', 'operation.cancelled', { reason: 'user' })));
    });
    const c = collect(new HeraldClient({ baseUrl: fake.url }));
    await expect(c.subscription.done).resolves.toMatchObject({ reason: 'ended' });
    await delay(100);
    expect(fake.requests).toHaveLength(1);
  });

  it('reconnects with Last-Event-ID, drops repeated ids, honours retry: and stops on 204', async () => {
    fake = await FakeHerald.start((req, res, n) => {
      if (n === 0) {
        openSse(res, 40);
        res.end(frame(envelope('1', 'operation.content')) + frame(envelope('2', 'operation.content')));
      } else if (n === 1) {
        openSse(res);
        // A replay overlapping what was delivered (2), then new events.
        res.end(frame(envelope('2', 'operation.content')) + frame(envelope('3', 'operation.content')));
      } else {
        res.writeHead(204).end();
      }
    });
    const c = collect(new HeraldClient({ baseUrl: fake.url }), { reconnect: { initialRetryMs: 5000 } });
    const end = await c.subscription.done;

    expect(c.ids()).toEqual(['1', '2', '3']);
    expect(fake.requests.map((r) => r.headers['last-event-id'])).toEqual([undefined, '2', '3']);
    const waits = c.statuses.filter((s) => s.retryInMs !== null).map((s) => s.retryInMs!);
    // retry: 40 replaced the 5 s default as the base: 40 ms, then 80 ms ceilings.
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeLessThanOrEqual(40);
    expect(waits[1]).toBeLessThanOrEqual(40);
    expect(end.reason).toBe('ended');
    await delay(100);
    expect(fake.requests).toHaveLength(3);
  });

  it('asks getToken() again for every connection, so a refreshed token is used on reconnect', async () => {
    fake = await FakeHerald.start((req, res, n) => {
      if (n === 0) {
        openSse(res);
        res.end(frame(envelope('1', 'operation.content')));
      } else {
        res.writeHead(204).end();
      }
    });
    let issued = 0;
    const c = collect(new HeraldClient({ baseUrl: fake.url, token: async () => `token-${++issued}` }));
    await c.subscription.done;
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it.each([
    [400, 'INVALID_EVENT_ID'],
    [401, 'UNAUTHORIZED'],
    [403, 'FORBIDDEN'],
    [404, 'NOT_FOUND'],
  ])('stops on %i without a reconnect loop', async (status, code) => {
    fake = await FakeHerald.start((req, res) => sendError(res, status, code));
    const c = collect(new HeraldClient({ baseUrl: fake.url }));
    const end = await c.subscription.done;

    expect(end.reason).toBe('error');
    expect(end.error).toMatchObject({ status, code, message: `${code} happened` });
    expect(c.subscription.status).toMatchObject({ state: 'closed', error: { status } });
    await delay(150);
    expect(fake.requests).toHaveLength(1);
  });

  it('backs off exponentially on server errors and waits at least Retry-After', async () => {
    const started: number[] = [];
    fake = await FakeHerald.start((req, res, n) => {
      started.push(Date.now());
      if (n < 3) sendError(res, 503, 'UNAVAILABLE');
      else if (n === 3) sendError(res, 429, 'TOO_MANY_STREAMS', { 'Retry-After': '1' });
      else res.writeHead(204).end();
    });
    const c = collect(new HeraldClient({ baseUrl: fake.url }), {
      reconnect: { initialRetryMs: 20, maxRetryMs: 10_000, pollAfterFailures: 100 },
    });
    await c.subscription.done;

    const waits = c.statuses.filter((s) => s.state === 'reconnecting' && s.retryInMs !== null);
    expect(waits.map((s) => s.attempt)).toEqual([0, 1, 2, 3]);
    waits.slice(0, 3).forEach((s, i) => expect(s.retryInMs).toBeLessThanOrEqual(20 * 2 ** i));
    expect(waits[3].retryInMs).toBeGreaterThanOrEqual(1000);
    expect(started[4] - started[3]).toBeGreaterThanOrEqual(990);
    expect(c.errors.map((e) => e.status)).toEqual([503, 503, 503, 429]);
  });

  it('surfaces stream.gap', async () => {
    fake = await FakeHerald.start((req, res) => {
      openSse(res);
      res.write('event: stream.gap\ndata: {"reason":"retention","after":"3"}\n\n');
      res.end(frame(envelope('9', 'operation.completed')));
    });
    const c = collect(new HeraldClient({ baseUrl: fake.url }), { lastEventId: '3' });
    await c.subscription.done;
    expect(c.gaps).toEqual([{ reason: 'retention', after: '3' }]);
    expect(fake.requests[0].headers['last-event-id']).toBe('3');
  });

  it('after a gap for an unknown Last-Event-ID, delivers the lower ids that follow instead of dropping them', async () => {
    fake = await FakeHerald.start((req, res) => {
      openSse(res);
      res.write('event: stream.gap\ndata: {"reason":"unknown-last-event-id","after":"500"}\n\n');
      res.write(frame(envelope('4', 'operation.progress')));
      res.end(frame(envelope('5', 'operation.completed')));
    });
    const c = collect(new HeraldClient({ baseUrl: fake.url }), { lastEventId: '500' });
    await c.subscription.done;
    expect(c.ids()).toEqual(['4', '5']);
  });

  it('ignores heartbeats and comments but counts them as signs of life', async () => {
    fake = await FakeHerald.start((req, res, n) => {
      if (n > 0) return void res.writeHead(204).end();
      openSse(res);
      let beats = 0;
      const timer = setInterval(() => {
        res.write(beats % 2 ? ': keep-alive\n\n' : 'event: heartbeat\ndata: {"serverTime":"t"}\n\n');
        if (++beats === 10) {
          clearInterval(timer);
          res.end(frame(envelope('1', 'operation.completed')));
        }
      }, 100);
    });
    // The stream lives 1 s, twice the idle timeout: only the heartbeats keep it from being reopened.
    const c = collect(new HeraldClient({ baseUrl: fake.url }), { reconnect: { idleTimeoutMs: 500 } });
    await c.subscription.done;
    expect(c.ids()).toEqual(['1']);
    expect(fake.requests).toHaveLength(1);
  });

  it('reopens a stream that goes silent for longer than the idle timeout', async () => {
    fake = await FakeHerald.start((req, res, n) => {
      openSse(res);
      if (n > 0) res.end(frame(envelope('1', 'operation.completed')));
    });
    const c = collect(new HeraldClient({ baseUrl: fake.url }), { reconnect: { ...FAST, idleTimeoutMs: 150 } });
    await c.subscription.done;
    expect(fake.requests).toHaveLength(2);
    await fake.requests[0].closed;
  });

  it('unsubscribes through an AbortSignal, closing the connection', async () => {
    fake = await FakeHerald.start((req, res) => openSse(res));
    const controller = new AbortController();
    const c = collect(new HeraldClient({ baseUrl: fake.url }), { signal: controller.signal });
    await fake.waitForRequests(1);
    await delay(50);
    controller.abort();
    await expect(c.subscription.done).resolves.toMatchObject({ reason: 'aborted' });
    await fake.requests[0].closed;
    expect(c.subscription.status.state).toBe('closed');
  });

  it('does not start at all with an already aborted signal', async () => {
    fake = await FakeHerald.start((req, res) => openSse(res));
    const c = collect(new HeraldClient({ baseUrl: fake.url }), { signal: AbortSignal.abort() });
    await expect(c.subscription.done).resolves.toMatchObject({ reason: 'aborted' });
    expect(fake.requests).toHaveLength(0);
  });

  it('keeps streaming (no polling) while the server is unreachable, and says it is reconnecting', async () => {
    fake = await FakeHerald.start(() => undefined);
    const url = fake.url;
    await fake.close();
    fake = undefined;
    const c = collect(new HeraldClient({ baseUrl: url }));
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => c.errors.length >= 5 && (clearInterval(timer), resolve()), 10);
    });
    c.subscription.close();
    await c.subscription.done;
    expect(c.errors.every((e) => e.code === 'NETWORK_ERROR' && e.status === null)).toBe(true);
    expect(c.statuses.some((s) => s.transport === 'poll')).toBe(false);
    expect(c.statuses.some((s) => s.state === 'reconnecting')).toBe(true);
  });
});

describe('Subscription (long-polling fallback)', () => {
  it('switches to GET /api/events after repeated answers without an event stream, resuming from the cursor', async () => {
    fake = await FakeHerald.start((req, res, n) => {
      if (req.path.startsWith('/api/events/operations/')) {
        if (n === 0) {
          openSse(res);
          return void res.end(frame(envelope('1', 'operation.content')));
        }
        // A proxy that answers streams with its own page.
        res.writeHead(200, { 'Content-Type': 'text/html' });
        return void res.end('<html>buffered</html>');
      }
      if (req.query.get('after') === '1') {
        const events = [envelope('1', 'operation.content'), envelope('2', 'operation.content')];
        return sendJson(res, 200, { events, lastEventId: '2' });
      }
      sendJson(res, 200, { events: [envelope('3', 'operation.completed')], lastEventId: '3' });
    });
    const c = collect(new HeraldClient({ baseUrl: fake.url, token: 't' }), { types: ['operation.content', 'operation.completed'] });
    const end = await c.subscription.done;

    expect(end.reason).toBe('ended');
    expect(c.ids()).toEqual(['1', '2', '3']);
    const polls = fake.requests.filter((r) => r.path === '/api/events');
    expect(polls).toHaveLength(2);
    expect(Object.fromEntries(polls[0].query)).toEqual({
      operationId: OP,
      types: 'operation.content,operation.completed',
      after: '1',
      limit: '1000',
      wait: '25',
    });
    expect(polls[0].headers.authorization).toBe('Bearer t');
    expect(fake.requests.filter((r) => r.path !== '/api/events')).toHaveLength(4);
    const opened = c.statuses.filter((s, i) => s.state === 'open' && c.statuses[i - 1]?.state !== 'open');
    expect(opened.map((s) => s.transport)).toEqual(['stream', 'poll']);
  });

  it('tries streaming again after the interval and stays on it when it works', async () => {
    let streams = 0;
    fake = await FakeHerald.start((req, res) => {
      if (req.path === '/api/events') return sendJson(res, 200, { events: [], lastEventId: '7' });
      if (++streams <= 2) return sendError(res, 502, 'BAD_GATEWAY');
      openSse(res);
      res.end(frame(envelope('8', 'operation.completed')));
    });
    const c = collect(new HeraldClient({ baseUrl: fake.url }), {
      reconnect: { ...FAST, pollAfterFailures: 2, streamRetryIntervalMs: 150 },
    });
    const end = await c.subscription.done;

    expect(end).toMatchObject({ reason: 'ended', lastEventId: '8' });
    const kinds = fake.requests.map((r) => (r.path === '/api/events' ? 'poll' : 'stream'));
    expect(kinds.slice(0, 3)).toEqual(['stream', 'stream', 'poll']);
    expect(kinds[kinds.length - 1]).toBe('stream');
    // The stream resumed from the polls' high-water mark.
    expect(fake.requests[fake.requests.length - 1].headers['last-event-id']).toBe('7');
  });

  it('ends a polled operation view when the operation is finished, and fails on someone else’s operation', async () => {
    fake = await FakeHerald.start((req, res) => {
      if (req.path.startsWith('/api/events/operations/')) return sendError(res, 502, 'BAD_GATEWAY');
      if (req.path === '/api/events') return sendJson(res, 200, { events: [], lastEventId: '12' });
      if (req.path === `/api/operations/${OP}`) return sendJson(res, 200, { id: OP, status: 'completed', lastEventId: '12' });
      sendError(res, 404, 'NOT_FOUND');
    });
    const reconnect = { ...FAST, pollAfterFailures: 1 };
    const client = new HeraldClient({ baseUrl: fake.url });
    await expect(collect(client, { reconnect, lastEventId: '12' }).subscription.done).resolves.toMatchObject({ reason: 'ended' });
    const foreign = collect(client, { reconnect }, { kind: 'operation', id: 'op-2' }).subscription.done;
    await expect(foreign).resolves.toMatchObject({ reason: 'error', error: { status: 404 } });
  });

  it('starts a polled user view at the newest event, like a live-only stream', async () => {
    fake = await FakeHerald.start((req, res) => {
      if (req.path === '/api/events/stream') return sendError(res, 502, 'BAD_GATEWAY');
      if (req.query.get('wait') === '0') return sendJson(res, 200, { events: [envelope('4', 'old.event')], lastEventId: '4' });
      if (req.query.get('after') === '4') return sendJson(res, 200, { events: [envelope('5', 'new.event')], lastEventId: '5' });
      sendJson(res, 200, { events: [], lastEventId: '5' });
    });
    const c = collect(new HeraldClient({ baseUrl: fake.url }), { reconnect: { ...FAST, pollAfterFailures: 1 } }, { kind: 'user' });
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => c.events.length > 0 && (clearInterval(timer), resolve()), 10);
    });
    c.subscription.close();
    expect(c.ids()).toEqual(['5']);
  });
});
