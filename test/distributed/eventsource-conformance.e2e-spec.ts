import { EventSource } from 'eventsource';
import type { OperationResult } from '@herald/contracts';
import { FakeLlmServer, streamReply } from '../support/fake-llm-server';
import { collectEvents, CollectedEvent, KNOWN_EVENT_TYPES, openRawStream } from '../support/sse-client';
import { Cluster, startCluster, withProcessOutput } from './support/cluster';
import { watchEventSource } from './support/event-source-log';
import { HeraldApi } from './support/herald-api';
import { HOSTILE_PIECES, HOSTILE_TEXT } from './support/hostile-text';
import { isStrictlyIncreasing } from './support/operation-checks';
import { sleep, waitAtMost } from './support/time';

const RETRY_MS = 400;
/** What the eventsource package waits before reconnecting when the server never sent `retry:`. */
const LIBRARY_DEFAULT_RETRY_MS = 3000;
const CUSTOM_TYPES = ['test.hostile', 'system.save.completed'];
const isTerminal = (ev: CollectedEvent) =>
  ev.type === 'operation.completed' || ev.type === 'operation.failed' || ev.type === 'operation.cancelled';

interface Envelope {
  id: string;
  type: string;
  operationId: string | null;
  data: Record<string, unknown>;
}

/** Every event with an id repeats it, and its name, in its envelope; ids only grow. */
function expectWellFormed(events: CollectedEvent[]): void {
  const sequenced = events.filter((e) => e.type !== 'stream.ready');
  for (const ev of sequenced) {
    const env = ev.json as Envelope;
    expect({ id: env.id, type: env.type }).toEqual({ id: ev.lastEventId, type: ev.type });
  }
  expect(isStrictlyIncreasing(sequenced.map((e) => Number(e.lastEventId)))).toBe(true);
  expect(events[0].type).toBe('stream.ready');
  expect(events[0].lastEventId).toBe('');
  expect(typeof (events[0].json as { connectionId: unknown }).connectionId).toBe('string');
}

// SSE is parsed by clients Herald does not control: what the server writes is
// checked here through an independent implementation (the `eventsource`
// package), with text a model could produce and a custom publisher could send.
describe('SSE output as the eventsource package reads it', () => {
  let cluster: Cluster;
  let provider: FakeLlmServer;
  let api: HeraldApi;
  let publisher: HeraldApi;
  let token: string;
  const userId = 'user-conformance';

  beforeAll(async () => {
    provider = await FakeLlmServer.start();
    cluster = await startCluster({
      apis: 1,
      workers: 1,
      env: { LLM_PROVIDER: 'openai', OPENAI_BASE_URL: provider.url, SSE_RETRY_MS: String(RETRY_MS) },
    });
    token = cluster.token(userId);
    api = new HeraldApi(cluster.apis[0].url, token);
    publisher = new HeraldApi(cluster.apis[0].url, cluster.token('conformance-publisher', { scopes: ['events:publish'] }));
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
    await provider?.close();
  });

  it('round-trips ids, event names and hostile data of custom events', () =>
    withProcessOutput(cluster, async () => {
      const payloads: Record<string, unknown>[] = [
        { text: HOSTILE_TEXT },
        { pieces: HOSTILE_PIECES, nested: { 'key\r\nwith\u2028breaks\u0000': ['\ud800', '\udfff', '\r', '\n'] } },
        { empty: '', onlyCrLf: '\r\n', deep: { a: [{ b: 'event: x\nid: 1\n\n' }] } },
      ];
      const ids: string[] = [];
      for (const [i, data] of payloads.entries()) {
        ids.push(await publisher.publish({ userId, type: CUSTOM_TYPES[i % CUSTOM_TYPES.length], data }));
      }

      const events = await collectEvents(`${api.baseUrl}/api/events/stream`, {
        token,
        lastEventId: '0',
        types: CUSTOM_TYPES,
        until: (_, all) => all.filter((e) => CUSTOM_TYPES.includes(e.type)).length === payloads.length,
      });

      expectWellFormed(events);
      const custom = events.filter((e) => CUSTOM_TYPES.includes(e.type));
      expect(custom.map((e) => e.lastEventId)).toEqual(ids);
      expect(custom.map((e) => e.type)).toEqual(payloads.map((_, i) => CUSTOM_TYPES[i % CUSTOM_TYPES.length]));
      expect(custom.map((e) => (e.json as Envelope).data)).toEqual(payloads);
    }),
    60_000,
  );

  it('round-trips model text with CR, LF, CRLF, NUL, U+2028 and lone surrogates, and the wire stays one line per field', () =>
    withProcessOutput(cluster, async () => {
      provider.script(streamReply([...HOSTILE_PIECES], { intervalMs: 5 }));
      const accepted = await api.startOperation({ kind: 'text-generation', input: { prompt: 'hostile prompt', maxTokens: 100 } });
      const url = `${api.baseUrl}/api/events/operations/${accepted.id}`;
      const events = await collectEvents(url, { token, timeoutMs: 30_000, until: isTerminal });

      expectWellFormed(events);
      const content = events.filter((e) => e.type === 'operation.content').map((e) => (e.json as Envelope).data);
      expect(content.map((c) => c.text)).toEqual(HOSTILE_PIECES);
      expect(content.map((c) => c.index)).toEqual(HOSTILE_PIECES.map((_, i) => i));
      expect(events.at(-1)?.type).toBe('operation.completed');
      const op = await api.getOperation(accepted.id);
      expect((op.result as OperationResult).text).toBe(HOSTILE_TEXT);
      expect(((events.at(-1)?.json as Envelope).data.result as OperationResult).text).toBe(HOSTILE_TEXT);

      // The same stream byte for byte: the only line ends are LF, and only Herald's own fields start a line.
      const raw = await openRawStream(url, { Authorization: `Bearer ${token}` });
      await raw.ended;
      const body = raw.text();
      expect(body).not.toMatch(/[\r\0]/);
      const lines = body.split('\n').filter((l) => l !== '');
      expect(lines.every((l) => /^(retry|event|data|id): /.test(l))).toBe(true);
      expect(lines.filter((l) => l.startsWith('id: ')).map((l) => l.slice(4))).toEqual(
        events.filter((e) => e.lastEventId !== '').map((e) => e.lastEventId),
      );
    }),
    60_000,
  );

  it('keeps multi-megabyte hostile model text inside one data: line per event, and delivers it whole', () =>
    withProcessOutput(cluster, async () => {
      // Larger than SSE_MAX_BUFFERED_BYTES (1 MiB by default) on its own, once JSON-escaped.
      const huge = (tag: string) => `${tag}:${HOSTILE_TEXT.repeat(Math.ceil((2 * 1024 * 1024) / HOSTILE_TEXT.length))}`;
      const pieces = [huge('first'), ' between ', huge('second')];
      provider.script(streamReply(pieces, { intervalMs: 5 }));
      const input = { prompt: 'a very long hostile answer', maxTokens: 10 };
      const accepted = await api.startOperation({ kind: 'text-generation', input });
      const url = `${api.baseUrl}/api/events/operations/${accepted.id}`;
      const events = await collectEvents(url, { token, timeoutMs: 60_000, until: isTerminal });

      expectWellFormed(events);
      const content = events.filter((e) => e.type === 'operation.content').map((e) => (e.json as Envelope).data);
      expect(content.map((c) => c.text)).toEqual(pieces);
      expect(((events.at(-1)?.json as Envelope).data.result as OperationResult).text).toBe(pieces.join(''));
      // Read once, from the first request: the stream was never cut off and resumed.
      expect(events.filter((e) => e.type === 'stream.ready')).toHaveLength(1);

      const raw = await openRawStream(url, { Authorization: `Bearer ${token}` });
      await raw.ended;
      const body = raw.text();
      expect(body).not.toMatch(/[\r\0]/);
      const lines = body.split('\n').filter((l) => l !== '');
      expect(lines.every((l) => /^(retry|event|data|id): /.test(l))).toBe(true);
      expect(lines.filter((l) => l.startsWith('data: ') && l.length > 2 * 1024 * 1024)).toHaveLength(3);
    }),
    90_000,
  );

  it('honours retry:, resumes with Last-Event-ID after the operation view ends, and stops for good on 204', () =>
    withProcessOutput(cluster, async () => {
      provider.script(streamReply(['One', ' two', ' three', ' four', ' five.'], { intervalMs: 100 }));
      const accepted = await api.startOperation({ kind: 'text-generation', input: { prompt: 'slow prompt', maxTokens: 10 } });
      const log = watchEventSource(`${api.baseUrl}/api/events/operations/${accepted.id}`, token, [...KNOWN_EVENT_TYPES]);
      try {
        await waitAtMost(log.closed, 20_000);
        expect(log.es.readyState).toBe(EventSource.CLOSED);
        const terminal = log.events.find((e) => e.type === 'operation.completed');
        expect(terminal).toBeDefined();

        expect(log.requests.map((r) => [r.lastEventId, r.status])).toEqual([
          [undefined, 200],
          [terminal!.lastEventId, 204],
        ]);
        // The reconnect waited the server's retry:, not the library's own default.
        const waited = log.requests[1].at - terminal!.at;
        expect(waited).toBeGreaterThanOrEqual(RETRY_MS - 50);
        expect(waited).toBeLessThan(LIBRARY_DEFAULT_RETRY_MS);

        // After the 204 nothing more is requested.
        await sleep(RETRY_MS * 3);
        expect(log.requests).toHaveLength(2);
        const text = log.events
          .filter((e) => e.type === 'operation.content')
          .map((e) => (JSON.parse(e.data) as Envelope).data.text)
          .join('');
        expect(text).toBe('One two three four five.');
      } finally {
        log.es.close();
      }
    }),
    60_000,
  );
});
