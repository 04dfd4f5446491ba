import type { EventEnvelope, PolledEvents } from '@herald/contracts';
import { collectEvents } from '../support/sse-client';
import { ApiClient, publish, publisher, sleep, textGeneration } from './support/api-client';
import { useHerald } from './support/boot-app';
import { openEventStream } from './support/event-stream';
import { MODES } from './modes';
import { StreamRouter } from '../../src/events/stream-router';

// SPEC §3 "Polling fallback and publishing": GET /api/events with its filters
// and long-poll, POST /api/events with its rules, and model-like text that
// must never forge an SSE field.

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each(MODES)('events: polling and publishing (%s mode)', (mode) => {
  const herald = useHerald(mode);

  describe('GET /api/events', () => {
    let alice: ApiClient;
    let all: EventEnvelope[];
    let tagged: string;
    let plain: string;

    beforeAll(async () => {
      alice = new ApiClient(herald());
      tagged = (await alice.run(textGeneration({ workflowId: 'wf-poll', agentId: 'ag-poll' }))).id;
      plain = (await alice.run(textGeneration())).id;
      all = await alice.storedEvents();
    });

    const poll = async (query: Record<string, string>): Promise<PolledEvents> => {
      const res = await alice.get('/api/events').query(query);
      expect(res.status).toBe(200);
      return res.body;
    };

    it("returns the user's stored events as envelopes, oldest first, with where to continue", async () => {
      const page = await poll({});

      expect(page.events).toEqual(all);
      expect(page.lastEventId).toBe(all.at(-1)!.id);
      const ids = all.map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
      for (const event of all) {
        expect(event).toEqual({
          id: expect.stringMatching(/^[1-9]\d*$/),
          type: expect.stringMatching(/^operation\./),
          v: 1,
          ts: expect.stringMatching(ISO_TIME),
          operationId: expect.any(String),
          workflowId: event.operationId === tagged ? 'wf-poll' : null,
          agentId: event.operationId === tagged ? 'ag-poll' : null,
          data: expect.any(Object),
        });
      }
    });

    it('pages with after and limit without gaps or repeats', async () => {
      const pages: EventEnvelope[] = [];
      let after = '0';
      for (;;) {
        const page = await poll({ after, limit: '3' });
        pages.push(...page.events);
        if (page.events.length < 3) break;
        expect(page.lastEventId).toBe(page.events.at(-1)!.id);
        after = page.lastEventId!;
      }
      expect(pages).toEqual(all);
      expect((await poll({ after: all[4].id! })).events).toEqual(all.slice(5));
      expect((await poll({ after: all.at(-1)!.id! })).events).toEqual([]);
    });

    it('filters by operationId, workflowId, agentId and types', async () => {
      expect((await poll({ operationId: plain })).events).toEqual(all.filter((e) => e.operationId === plain));
      expect((await poll({ workflowId: 'wf-poll' })).events).toEqual(all.filter((e) => e.operationId === tagged));
      expect((await poll({ agentId: 'ag-poll' })).events).toEqual(all.filter((e) => e.operationId === tagged));
      const types = ['operation.completed', 'operation.status'];
      expect((await poll({ types: types.join(',') })).events).toEqual(all.filter((e) => types.includes(e.type)));
      expect((await poll({ operationId: tagged, types: 'operation.completed' })).events).toEqual(
        all.filter((e) => e.operationId === tagged && e.type === 'operation.completed'),
      );
    });

    it('lets a filtered poller move past events that are not its own', async () => {
      const page = await poll({ operationId: tagged });
      expect(page.lastEventId).toBe(all.at(-1)!.id);
    });

    it('accepts limit 1 and 1000', async () => {
      expect((await poll({ limit: '1' })).events).toEqual(all.slice(0, 1));
      expect((await poll({ limit: '1000' })).events).toEqual(all);
    });

    it.each([
      ['limit 0', { limit: '0' }],
      ['limit 1001', { limit: '1001' }],
      ['a limit that is not a number', { limit: 'all' }],
      ['wait 31', { wait: '31' }],
      ['a negative wait', { wait: '-1' }],
      ['a malformed after', { after: 'yesterday' }],
      ['a malformed operationId', { operationId: 'op-1' }],
      ['a malformed workflowId', { workflowId: 'a/b' }],
      ['an unknown type', { types: 'nope' }],
      ['an unknown parameter', { since: '1' }],
    ])('answers 400 to %s', async (_case, query) => {
      const res = await alice.get('/api/events').query(query);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String), code: expect.any(String) });
    });
  });

  describe('long-poll', () => {
    it('returns as soon as an event arrives during the wait', async () => {
      const alice = new ApiClient(herald());
      const service = publisher(herald());
      const after = await alice.lastEventId();

      const waiting = alice.get('/api/events').query({ after, wait: '20' });
      const response = new Promise<PolledEvents>((resolve, reject) => waiting.then((res) => resolve(res.body), reject));
      await sleep(300);
      const id = await publish(service, { userId: alice.userId, type: 'doc.saved', data: { doc: 'a' } });
      const page = await response;

      expect(page.events).toEqual([expect.objectContaining({ id, type: 'doc.saved', data: { doc: 'a' } })]);
      expect(page.lastEventId).toBe(id);
    });

    it('wakes only for events that match its filter', async () => {
      const alice = new ApiClient(herald());
      const service = publisher(herald());
      const after = await alice.lastEventId();

      const waiting = alice.get('/api/events').query({ after, wait: '20', types: 'doc.published' });
      const response = new Promise<PolledEvents>((resolve, reject) => waiting.then((res) => resolve(res.body), reject));
      await sleep(200);
      await publish(service, { userId: alice.userId, type: 'doc.saved', data: {} });
      const id = await publish(service, { userId: alice.userId, type: 'doc.published', data: {} });

      expect((await response).events.map((e) => e.id)).toEqual([id]);
    });

    it('returns an empty page once the wait is over', async () => {
      const alice = new ApiClient(herald());
      const after = await alice.lastEventId();
      const started = Date.now();
      const res = await alice.get('/api/events').query({ after, wait: '1' });

      expect(res.status).toBe(200);
      expect(res.body.events).toEqual([]);
      // It did wait rather than answer at once.
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    });
  });

  describe('POST /api/events', () => {
    it('stores the event (201 { id }) and delivers it on streams and polls', async () => {
      const alice = new ApiClient(herald());
      const service = publisher(herald());
      const stream = openEventStream(`${herald().url}/api/events/stream`, { token: alice.token, types: ['system.save.completed'] });
      await stream.ready;

      const res = await service.post('/api/events').send({ userId: alice.userId, type: 'system.save.completed', data: { docId: 'd1' } });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: expect.stringMatching(/^\d+$/) });
      const events = await stream.waitFor((e) => e.type === 'system.save.completed');
      stream.close();

      const envelope = {
        id: res.body.id,
        type: 'system.save.completed',
        v: 1,
        ts: expect.stringMatching(ISO_TIME),
        operationId: null,
        workflowId: null,
        agentId: null,
        data: { docId: 'd1' },
      };
      expect(events.at(-1)!.lastEventId).toBe(res.body.id);
      expect(events.at(-1)!.json).toEqual(envelope);
      expect(await alice.storedEvents()).toEqual([envelope]);
    });

    it("ties an event to the user's operation and its tags", async () => {
      const alice = new ApiClient(herald());
      const service = publisher(herald());
      const op = await alice.run(textGeneration({ workflowId: 'wf-doc' }));
      const id = await publish(service, { userId: alice.userId, type: 'doc.linked', data: {}, operationId: op.id });

      expect((await alice.storedEvents({ workflowId: 'wf-doc', types: 'doc.linked' })).map((e) => e.id)).toEqual([id]);
      const foreign = await service.post('/api/events').send({ userId: 'someone-else', type: 'doc.linked', data: {}, operationId: op.id });
      expect(foreign.status).toBe(404);
    });

    it('delivers persistent:false live, without an id, and never stores it', async () => {
      const alice = new ApiClient(herald());
      const service = publisher(herald());
      const stream = openEventStream(`${herald().url}/api/events/stream`, { token: alice.token, types: ['typing.started'] });
      await stream.ready;

      const res = await service
        .post('/api/events')
        .send({ userId: alice.userId, type: 'typing.started', data: { by: 'bob' }, persistent: false });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: null });
      const events = await stream.waitFor((e) => e.type === 'typing.started');
      stream.close();

      const live = events.at(-1)!;
      expect(live.lastEventId).toBe('');
      expect(live.json).toMatchObject({ id: null, type: 'typing.started', data: { by: 'bob' } });
      expect(await alice.storedEvents()).toEqual([]);
    });

    it('sends stream.ready only once the stream is registered: a live-only event published in reply to it arrives', async () => {
      // Registration made slow on purpose: stream.ready written before it let this event pass by unseen.
      const router = herald().app.get(StreamRouter);
      const attach = router.attach.bind(router);
      const slowAttach = jest.spyOn(router, 'attach').mockImplementation(async (...args) => {
        await sleep(300);
        return attach(...args);
      });
      const alice = new ApiClient(herald());
      const stream = openEventStream(`${herald().url}/api/events/stream`, { token: alice.token, types: ['typing.started'] });
      try {
        await stream.ready;
        const res = await publisher(herald())
          .post('/api/events')
          .send({ userId: alice.userId, type: 'typing.started', data: { by: 'carol' }, persistent: false });
        expect(res.status).toBe(201);
        const events = await stream.waitFor((e) => e.type === 'typing.started', 3_000);
        expect(events.at(-1)!.json).toMatchObject({ id: null, data: { by: 'carol' } });
      } finally {
        stream.close();
        slowAttach.mockRestore();
      }
    });

    it.each([
      ['the operation. namespace', { type: 'operation.completed' }],
      ['the stream. namespace', { type: 'stream.ready' }],
      ['a name without a dot', { type: 'saved' }],
      ['an EventSource name', { type: 'message' }],
      ['upper case', { type: 'Doc.Saved' }],
      ['an empty segment', { type: 'doc..saved' }],
      ['a leading digit', { type: '1doc.saved' }],
      ['a name over 64 characters', { type: `doc.${'x'.repeat(61)}` }],
      ['data that is an array', { data: [1, 2] }],
      ['data that is a string', { data: 'hello' }],
      ['no userId', { userId: undefined }],
      ['an unknown field', { priority: 1 }],
      ['a malformed operationId', { operationId: 'op-1' }],
      ['persistent that is not a boolean', { persistent: 'no' }],
    ])('answers 400 to %s', async (_case, change) => {
      const alice = new ApiClient(herald());
      const body = { userId: alice.userId, type: 'doc.saved', data: { a: 1 }, ...change };
      const res = await publisher(herald()).post('/api/events').send(body);

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String), code: expect.any(String) });
      expect(await alice.storedEvents()).toEqual([]);
    });

    it('accepts a name of exactly 64 characters', async () => {
      const type = `doc.${'x'.repeat(60)}`;
      expect(type).toHaveLength(64);
      expect(await publish(publisher(herald()), { userId: new ApiClient(herald()).userId, type, data: {} })).toMatch(/^\d+$/);
    });

    it('answers 413 to data over 64 KiB', async () => {
      const alice = new ApiClient(herald());
      const body = { userId: alice.userId, type: 'doc.saved', data: { blob: 'x'.repeat(64 * 1024) } };
      const res = await publisher(herald()).post('/api/events').send(body);

      expect(res.status).toBe(413);
      expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.any(String), code: expect.any(String) });
      expect(await alice.storedEvents()).toEqual([]);
    });
  });

  it('carries hostile text intact through an EventSource without forging a field', async () => {
    const alice = new ApiClient(herald());
    const service = publisher(herald());
    const hostile = {
      forged: '\n\nevent: operation.completed\nid: 999\n\n',
      crlf: 'line one\r\nid: 998\rdata: {}\r\n\r\n',
      nul: 'before\u0000after',
      comment: '\n: not a comment\nretry: 1\n',
      loneSurrogate: 'half \ud800 a pair',
      unicode: 'héllo 🌊 \u2028\u2029',
    };
    const from = await alice.lastEventId();
    const id = await publish(service, { userId: alice.userId, type: 'doc.saved', data: hostile });
    const after = await publish(service, { userId: alice.userId, type: 'doc.saved', data: { next: true } });

    const events = await collectEvents(`${herald().url}/api/events/stream`, {
      token: alice.token,
      lastEventId: from,
      types: ['doc.saved'],
      until: (e) => e.lastEventId === after,
    });

    expect(events.map((e) => [e.type, e.lastEventId])).toEqual([
      ['stream.ready', ''],
      ['doc.saved', id],
      ['doc.saved', after],
    ]);
    const { data } = events[1].json as EventEnvelope;
    expect({ ...data, loneSurrogate: undefined }).toEqual({ ...hostile, loneSurrogate: undefined });
    // A lone surrogate cannot survive UTF-8 as itself; it must arrive as a replacement, never break the stream.
    expect((data.loneSurrogate as string).startsWith('half ')).toBe(true);
    expect((data.loneSurrogate as string).endsWith(' a pair')).toBe(true);
  });
});
