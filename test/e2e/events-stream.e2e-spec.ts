import type { EventEnvelope } from '@herald/contracts';
import { collectEvents, openRawStream } from '../support/sse-client';
import { ApiClient, LONG_RUNNING, publish, publisher, textGeneration } from './support/api-client';
import { useHerald } from './support/boot-app';
import { eventFrames, field, parseFrames, SseFrame } from './support/sse-frames';
import { MODES } from './modes';

// SPEC §3 "Events over SSE": framing and headers, the operation view (replay,
// end after the terminal event, 204 on a finished resume), Last-Event-ID and
// lastEventId, the types filter, and which event names may never appear.

const RETRY_MS = 1500;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const FORBIDDEN_NAMES = ['error', 'open', 'message'];

/** The stored events a frame list carries, as envelopes, checking each frame is exactly id/event/data. */
function storedFrames(frames: SseFrame[]): EventEnvelope[] {
  return frames
    .filter((f) => field(f, 'id') !== undefined)
    .map((f) => {
      expect(f.fields.map(([name]) => name)).toEqual(['id', 'event', 'data']);
      const envelope = JSON.parse(field(f, 'data')!) as EventEnvelope;
      expect(envelope.id).toBe(field(f, 'id'));
      expect(envelope.type).toBe(field(f, 'event'));
      return envelope;
    });
}

describe.each(MODES)('events: SSE streams (%s mode)', (mode) => {
  const herald = useHerald(mode, { SSE_RETRY_MS: String(RETRY_MS) });

  const streamUrl = (path: string) => `${herald().url}${path}`;
  const bearer = (client: ApiClient) => ({ Authorization: `Bearer ${client.token}` });

  it('answers with the SSE headers, then retry: and stream.ready without an id', async () => {
    const alice = new ApiClient(herald());
    const stream = await openRawStream(streamUrl('/api/events/stream'), bearer(alice));
    const text = await stream.waitFor('event: stream.ready');
    await stream.waitFor((t) => parseFrames(t).length > 0);
    stream.close();

    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-cache, no-transform');
    expect(stream.headers['x-accel-buffering']).toBe('no');
    expect(text.startsWith(`retry: ${RETRY_MS}\n`)).toBe(true);
    const [ready] = eventFrames(stream.text());
    expect(field(ready, 'event')).toBe('stream.ready');
    expect(field(ready, 'id')).toBeUndefined();
    expect(JSON.parse(field(ready, 'data')!)).toEqual({ connectionId: expect.any(String), serverTime: expect.stringMatching(ISO_TIME) });
  });

  describe('operation view', () => {
    it('replays a finished operation from its start and ends the response', async () => {
      const alice = new ApiClient(herald());
      const op = await alice.run(textGeneration({ maxTokens: 6 }));
      const stored = await alice.storedEvents({ operationId: op.id });

      const stream = await openRawStream(streamUrl(`/api/events/operations/${op.id}`), bearer(alice));
      await stream.ended;

      expect(stream.status).toBe(200);
      const frames = eventFrames(stream.text());
      expect(field(frames[0], 'event')).toBe('stream.ready');
      expect(storedFrames(frames.slice(1))).toEqual(stored);
      expect(stored.at(-1)!.type).toBe('operation.completed');
    });

    it('streams a running operation live and ends right after its terminal event', async () => {
      const alice = new ApiClient(herald());
      const { id } = await alice.start(textGeneration({ maxTokens: 20 }));
      const stream = await openRawStream(streamUrl(`/api/events/operations/${id}`), bearer(alice));
      await stream.ended;

      const received = storedFrames(eventFrames(stream.text()));
      expect(received).toEqual(await alice.storedEvents({ operationId: id }));
      expect(received.at(-1)!.type).toBe('operation.completed');
      expect(received[0]).toMatchObject({ type: 'operation.status', data: { status: 'queued' } });
    });

    it('answers 204 to a reconnect at or past the terminal event, so EventSource stops', async () => {
      const alice = new ApiClient(herald());
      const op = await alice.run(textGeneration({ maxTokens: 4 }));
      const terminal = op.lastEventId!;

      for (const lastEventId of [terminal, String(Number(terminal) + 5)]) {
        const stream = await openRawStream(streamUrl(`/api/events/operations/${op.id}`), {
          ...bearer(alice),
          'Last-Event-ID': lastEventId,
        });
        await stream.ended;
        expect(stream.status).toBe(204);
        expect(stream.text()).toBe('');
      }

      // A real EventSource: replays, reconnects after the end with the terminal id, gets 204 and stays closed.
      const events = await collectEvents(streamUrl(`/api/events/operations/${op.id}`), { token: alice.token, timeoutMs: 10_000 });
      const ids = events.filter((e) => e.type !== 'stream.ready').map((e) => e.lastEventId);
      expect(ids).toEqual((await alice.storedEvents({ operationId: op.id })).map((e) => e.id));
      expect(events.at(-1)!.type).toBe('operation.completed');
    });

    it('answers 404 for an unknown or foreign operation and 400 for a malformed id', async () => {
      const alice = new ApiClient(herald());
      const mallory = new ApiClient(herald());
      const { id } = await alice.start(textGeneration({ maxTokens: 2 }));

      for (const [client, path, status] of [
        [mallory, `/api/events/operations/${id}`, 404],
        [alice, '/api/events/operations/00000000-0000-4000-8000-000000000000', 404],
        [alice, '/api/events/operations/not-an-id', 400],
        [alice, '/api/events/workflows/not%20valid', 400],
        [alice, '/api/events/agents/not%20valid', 400],
      ] as const) {
        const stream = await openRawStream(streamUrl(path), bearer(client));
        await stream.ended;
        expect(stream.status).toBe(status);
        expect(stream.headers['content-type']).toMatch(/^application\/json/);
        expect(JSON.parse(stream.text())).toMatchObject({ statusCode: status, code: expect.any(String) });
      }
    });
  });

  describe('Last-Event-ID', () => {
    let alice: ApiClient;
    let opId: string;
    let stored: EventEnvelope[];

    beforeAll(async () => {
      alice = new ApiClient(herald());
      const op = await alice.run(textGeneration({ maxTokens: 10 }));
      opId = op.id;
      stored = await alice.storedEvents({ operationId: op.id });
    });

    const replayAfter = async (headers: Record<string, string>, query = '') => {
      const stream = await openRawStream(streamUrl(`/api/events/operations/${opId}${query}`), { ...bearer(alice), ...headers });
      await stream.ended;
      expect(stream.status).toBe(200);
      return storedFrames(eventFrames(stream.text()));
    };

    it('replays only what comes after the header', async () => {
      const from = stored[3].id!;
      expect(await replayAfter({ 'Last-Event-ID': from })).toEqual(stored.slice(4));
    });

    it('takes the lastEventId query parameter when there is no header', async () => {
      expect(await replayAfter({}, `?lastEventId=${stored[5].id}`)).toEqual(stored.slice(6));
    });

    it('lets the header win over the query parameter', async () => {
      const headerWins = await replayAfter({ 'Last-Event-ID': stored[6].id! }, `?lastEventId=${stored[1].id}`);
      expect(headerWins).toEqual(stored.slice(7));
      const evenWhenLower = await replayAfter({ 'Last-Event-ID': stored[1].id! }, `?lastEventId=${stored[6].id}`);
      expect(evenWhenLower).toEqual(stored.slice(2));
    });

    it.each(['abc', '-1', '1.5', '1e3', '0x10', '12abc', '99999999999999999999'])(
      'answers 400 to the malformed id %j, as header or as query',
      async (bad) => {
        for (const path of [`/api/events/operations/${opId}`, '/api/events/stream']) {
          const asHeader = await openRawStream(streamUrl(path), { ...bearer(alice), 'Last-Event-ID': bad });
          const asQuery = await openRawStream(streamUrl(`${path}?lastEventId=${encodeURIComponent(bad)}`), bearer(alice));
          await Promise.all([asHeader.ended, asQuery.ended]);
          for (const stream of [asHeader, asQuery]) {
            expect(stream.status).toBe(400);
            expect(JSON.parse(stream.text())).toEqual({
              statusCode: 400,
              error: 'Bad Request',
              message: expect.any(String),
              code: expect.any(String),
            });
          }
        }
      },
    );
  });

  describe('types filter', () => {
    let alice: ApiClient;
    let opId: string;
    let stored: EventEnvelope[];

    beforeAll(async () => {
      alice = new ApiClient(herald());
      const stages = [
        { name: 'a', prompt: 'x', maxTokens: 4 },
        { name: 'b', prompt: 'y', maxTokens: 4 },
      ];
      const op = await alice.run({ kind: 'pipeline', input: { stages } });
      opId = op.id;
      stored = await alice.storedEvents({ operationId: op.id });
    });

    it('sends only the listed types, and the operation view still ends at the terminal event', async () => {
      for (const types of [['operation.content', 'operation.completed'], ['operation.progress']]) {
        const stream = await openRawStream(streamUrl(`/api/events/operations/${opId}?types=${types.join(',')}`), bearer(alice));
        await stream.ended;
        const received = storedFrames(eventFrames(stream.text()));
        expect(received).toEqual(stored.filter((e) => types.includes(e.type)));
        expect(received.length).toBeGreaterThan(0);
      }
    });

    it.each([
      ['an unknown name', 'bogus'],
      ['an empty list', ''],
      ['an empty entry', 'operation.content,,operation.completed'],
      ['upper case', 'Operation.Content'],
      ['an EventSource name', 'error'],
      ['a name over 64 characters', `a.${'b'.repeat(63)}`],
    ])('answers 400 to %s', async (_case, types) => {
      const stream = await openRawStream(streamUrl(`/api/events/stream?types=${encodeURIComponent(types)}`), bearer(alice));
      await stream.ended;
      expect(stream.status).toBe(400);
      expect(JSON.parse(stream.text())).toMatchObject({ statusCode: 400, code: expect.any(String) });
    });

    it('answers 400 to an unknown query parameter', async () => {
      const stream = await openRawStream(streamUrl('/api/events/stream?since=5'), bearer(alice));
      await stream.ended;
      expect(stream.status).toBe(400);
    });
  });

  it('never names an event error, open or message, whatever happens on the stream', async () => {
    const alice = new ApiClient(herald());
    const service = publisher(herald());
    const stream = await openRawStream(streamUrl('/api/events/stream?heartbeat=event&lastEventId=0'), bearer(alice));
    await stream.waitFor('event: stream.ready');

    await alice.run({ kind: 'pipeline', input: { stages: [{ name: 'one', prompt: 'x', maxTokens: 3 }] } });
    const cancelled = await alice.start(textGeneration(LONG_RUNNING));
    await alice.cancel(cancelled.id);
    await alice.waitForEnd(cancelled.id);
    const lastId = await publish(service, { userId: alice.userId, type: 'message.sent', data: { to: 'bob' } });
    await stream.waitFor(`id: ${lastId}\n`);
    stream.close();

    const names = eventFrames(stream.text()).map((f) => field(f, 'event'));
    expect(names).toContain('operation.cancelled');
    expect(names).toContain('message.sent');
    for (const name of names) {
      expect(name).toBeDefined();
      expect(FORBIDDEN_NAMES).not.toContain(name);
    }
  });
});
