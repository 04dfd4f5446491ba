import type { EventEnvelope } from '@herald/contracts';
import { collectEvents, CollectedEvent, openRawStream } from '../support/sse-client';
import { ApiClient, publish, publisher, textGeneration } from './support/api-client';
import { useHerald } from './support/boot-app';
import { openEventStream } from './support/event-stream';
import { eventFrames, field, parseFrames } from './support/sse-frames';
import { MODES } from './modes';

// SPEC §3 views and §4.2 resume, seen through the `eventsource` package (an
// independent, spec-conformant parser): what each view delivers live, what a
// reconnect with Last-Event-ID gets, and event heartbeats.

const HEARTBEAT_MS = 150;
const MARKER = 'test.marker';

const stored = (events: CollectedEvent[]) => events.filter((e) => e.lastEventId !== '' && e.type !== 'stream.ready');
const envelopes = (events: CollectedEvent[]) => stored(events).map((e) => e.json as EventEnvelope);

describe.each(MODES)('events: views and resume (%s mode)', (mode) => {
  const herald = useHerald(mode, { SSE_HEARTBEAT_MS: String(HEARTBEAT_MS) });
  const url = (path: string) => `${herald().url}${path}`;

  it("workflow and agent views get only their tagged operations' events", async () => {
    const alice = new ApiClient(herald());
    const service = publisher(herald());
    const workflow = openEventStream(url('/api/events/workflows/wf-7'), { token: alice.token, types: [MARKER] });
    const agent = openEventStream(url('/api/events/agents/agent.x'), { token: alice.token, types: [MARKER] });
    await Promise.all([workflow.ready, agent.ready]);

    const ops = {
      wf: await alice.start(textGeneration({ workflowId: 'wf-7' })),
      ag: await alice.start(textGeneration({ agentId: 'agent.x' })),
      both: await alice.start(textGeneration({ workflowId: 'wf-7', agentId: 'agent.x' })),
      otherWf: await alice.start(textGeneration({ workflowId: 'wf-8', agentId: 'agent.y' })),
      untagged: await alice.start(textGeneration()),
    };
    for (const op of Object.values(ops)) await alice.waitForEnd(op.id);
    // Delivery follows id order, so once this (tagged for both views) arrives, nothing older is still on its way.
    const markerId = await publish(service, { userId: alice.userId, type: MARKER, data: {}, workflowId: 'wf-7', agentId: 'agent.x' });
    const isMarker = (e: CollectedEvent) => e.lastEventId === markerId;
    const [wfEvents, agEvents] = await Promise.all([workflow.waitFor(isMarker), agent.waitFor(isMarker)]);
    workflow.close();
    agent.close();

    const all = await alice.storedEvents();
    const expected = (opIds: string[]) => all.filter((e) => opIds.includes(e.operationId!) || e.id === markerId);
    expect(envelopes(wfEvents)).toEqual(expected([ops.wf.id, ops.both.id]));
    expect(envelopes(agEvents)).toEqual(expected([ops.ag.id, ops.both.id]));
  });

  it('user view without Last-Event-ID starts with live events only', async () => {
    const alice = new ApiClient(herald());
    const before = await alice.run(textGeneration());
    const stream = openEventStream(url('/api/events/stream'), { token: alice.token });
    await stream.ready;

    const { id } = await alice.start(textGeneration());
    const events = await stream.waitFor((e) => e.type === 'operation.completed');
    stream.close();

    const received = envelopes(events);
    expect(received.some((e) => e.operationId === before.id)).toBe(false);
    expect(received).toEqual(await alice.storedEvents({ operationId: id }));
  });

  it('lastEventId=0 replays everything retained, then continues live', async () => {
    const alice = new ApiClient(herald());
    await alice.run(textGeneration());
    const stream = openEventStream(url('/api/events/stream?lastEventId=0'), { token: alice.token });
    await stream.ready;
    const { id } = await alice.start(textGeneration());
    const events = await stream.waitFor((e) => e.type === 'operation.completed' && (e.json as EventEnvelope).operationId === id);
    stream.close();

    expect(envelopes(events)).toEqual(await alice.storedEvents());
  });

  it('resume with Last-Event-ID gets exactly the missed events, once and in order, then live ones', async () => {
    const alice = new ApiClient(herald());
    const service = publisher(herald());
    const first = openEventStream(url('/api/events/stream'), { token: alice.token, types: ['doc.saved'] });
    await first.ready;
    const { id: opId } = await alice.start(textGeneration({ maxTokens: 30 }));
    const seen = await first.waitFor((e) => e.type === 'operation.content' && stored(first.events).length >= 4);
    first.close();
    const resumeFrom = stored(seen).at(-1)!.lastEventId;

    // Missed while disconnected: the rest of the operation and a custom event.
    await alice.waitForEnd(opId);
    await publish(service, { userId: alice.userId, type: 'doc.saved', data: { doc: 1 } });
    const missed = await alice.storedEvents({ after: resumeFrom });
    expect(missed.length).toBeGreaterThan(0);

    const resumed = openEventStream(url('/api/events/stream'), { token: alice.token, lastEventId: resumeFrom, types: ['doc.saved'] });
    await resumed.waitFor((e) => e.lastEventId === missed.at(-1)!.id);
    const live = await alice.start(textGeneration());
    await resumed.waitFor((e) => e.type === 'operation.completed' && (e.json as EventEnvelope).operationId === live.id);
    resumed.close();

    const received = envelopes(resumed.events);
    const liveEvents = await alice.storedEvents({ operationId: live.id });
    expect(received).toEqual([...missed, ...liveEvents]);
    expect(resumed.events[0].type).toBe('stream.ready');
    expect(resumed.events.some((e) => e.type === 'stream.gap')).toBe(false);
  });

  it('answers a Last-Event-ID it never issued with stream.gap (no id), then live events', async () => {
    const alice = new ApiClient(herald());
    await alice.run(textGeneration({ maxTokens: 2 }));
    const unknown = String(Number(await alice.lastEventId()) + 1000);
    const stream = openEventStream(url('/api/events/stream'), { token: alice.token, lastEventId: unknown });
    const [, gap] = await stream.waitFor((e) => e.type === 'stream.gap');
    const { id } = await alice.start(textGeneration({ maxTokens: 2 }));
    const events = await stream.waitFor((e) => e.type === 'operation.completed');
    stream.close();

    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['stream.ready', 'stream.gap']);
    // Sent without id:, so the client's own last id (none, in a fresh EventSource) is untouched.
    expect(gap.lastEventId).toBe('');
    expect(gap.json).toEqual({ reason: 'unknown-last-event-id', after: unknown });
    expect(envelopes(events)).toEqual(await alice.storedEvents({ operationId: id }));
  });

  it('the header wins over lastEventId on the user view too', async () => {
    const alice = new ApiClient(herald());
    await alice.run(textGeneration({ maxTokens: 4 }));
    const all = await alice.storedEvents();
    const lastId = all.at(-1)!.id;
    const events = await collectEvents(url(`/api/events/stream?lastEventId=0`), {
      token: alice.token,
      lastEventId: all[2].id!,
      until: (e) => e.lastEventId === lastId,
    });
    expect(envelopes(events)).toEqual(all.slice(3));
  });

  it('heartbeat=event sends heartbeat events without an id; otherwise heartbeats are comments', async () => {
    const alice = new ApiClient(herald());
    const events = await collectEvents(url('/api/events/stream?heartbeat=event'), {
      token: alice.token,
      until: (_e, all) => all.filter((e) => e.type === 'heartbeat').length >= 2,
    });
    const heartbeat = events.find((e) => e.type === 'heartbeat')!;
    expect(heartbeat.json).toEqual({ serverTime: expect.any(String) });
    expect(Number.isNaN(Date.parse((heartbeat.json as { serverTime: string }).serverTime))).toBe(false);

    const bearer = { Authorization: `Bearer ${alice.token}` };
    const asEvents = await openRawStream(url('/api/events/stream?heartbeat=event'), bearer);
    const asComments = await openRawStream(url('/api/events/stream'), bearer);
    await asEvents.waitFor((t) => eventFrames(t).filter((f) => field(f, 'event') === 'heartbeat').length >= 2);
    await asComments.waitFor((t) => parseFrames(t).filter((f) => f.comments.length > 0).length >= 2);
    asEvents.close();
    asComments.close();

    for (const frame of eventFrames(asEvents.text()).filter((f) => field(f, 'event') === 'heartbeat')) {
      expect(frame.fields.map(([name]) => name)).toEqual(['event', 'data']);
    }
    expect(asComments.text()).not.toContain('event: heartbeat');
    const comments = parseFrames(asComments.text()).filter((f) => f.comments.length > 0);
    for (const frame of comments) expect(frame.fields).toEqual([]);
  });
});
