import type { EventEnvelope } from '@herald/contracts';
import { EventStore } from '../../src/events/event-store';
import { EventWriter } from '../../src/events/event-writer';
import { NewEvent } from '../../src/events/new-event';
import { ApiClient, publish, publisher } from './support/api-client';
import { useHerald } from './support/boot-app';
import { openEventStream } from './support/event-stream';
import { MODES } from './modes';

// A resuming stream reads the store's cursor and its first replay page in one
// statement (EventStore.cursorWithPage), then pages on as before. These check
// that the combined read is the two reads it replaces, and that resumes longer
// than a page, cut by the byte budget, or joining a user's open channel get
// exactly the stored events, once and in order.

const MANY = 2_500; // two and a half replay pages
const BUDGET = 64 * 1024;

describe.each(MODES)('replay pages (%s mode)', (mode) => {
  const herald = useHerald(mode, { SSE_MAX_BUFFERED_BYTES: String(BUDGET) });
  const store = () => herald().app.get(EventStore);
  const url = (path: string) => `${herald().url}${path}`;
  let alice: ApiClient;

  /** Alice's events: every fifth a doc.saved, the others doc.typed, with data of 20 to 2,000 bytes. */
  beforeAll(async () => {
    alice = new ApiClient(herald());
    const events: NewEvent[] = Array.from({ length: MANY }, (_, i) => ({
      userId: alice.userId,
      type: i % 5 === 0 ? 'doc.saved' : 'doc.typed',
      data: { n: i + 1, text: 'x'.repeat(20 + ((i * 37) % 1980)) },
    }));
    await herald().app.get(EventWriter).write(events);
  }, 60_000);

  it('reads the cursor and the page a separate cursor and read would give', async () => {
    const cursor = await store().cursor(alice.userId);
    const cases: [number, { types?: string[] }, number, number, number | undefined][] = [
      [0, {}, 1000, BUDGET, undefined],
      [0, {}, 1000, 10 * 1024 * 1024, undefined],
      [2_400, {}, 1000, BUDGET, undefined],
      [10, { types: ['doc.saved'] }, 1000, 10 * 1024 * 1024, undefined],
      [10, { types: ['doc.saved'] }, 7, BUDGET, undefined],
      [100, {}, 1000, BUDGET, 150],
      [MANY, {}, 1000, BUDGET, undefined],
      [MANY + 5, {}, 1000, BUDGET, undefined],
    ];
    for (const [after, filter, limit, maxBytes, upTo] of cases) {
      const combined = await store().cursorWithPage(alice.userId, after, filter, limit, maxBytes, upTo);
      const bound = upTo === undefined ? cursor.lastId : Math.min(cursor.lastId, upTo);
      const page = await store().read(alice.userId, after, filter, limit, bound, maxBytes);
      expect({ after, filter, limit, upTo, ...combined }).toEqual({ after, filter, limit, upTo, ...cursor, page });
    }
    expect(await store().cursorWithPage('nobody-ever', 0, {}, 1000, BUDGET)).toEqual({ lastId: 0, purgedThrough: 0, page: [] });
  });

  const ids = (events: { lastEventId: string }[]) => events.filter((e) => e.lastEventId).map((e) => Number(e.lastEventId));
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('resumes in one statement: the cursor and a page that holds the whole backlog, nothing read apart', async () => {
    const bob = new ApiClient(herald());
    const service = publisher(herald());
    for (let n = 1; n <= 3; n++) await publish(service, { userId: bob.userId, type: 'doc.saved', data: { n } });
    const calls = (spy: jest.SpyInstance) => spy.mock.calls.filter(([userId]) => userId === bob.userId).length;
    const spies = (['cursor', 'read', 'cursorWithPage'] as const).map((m) => jest.spyOn(store(), m));
    try {
      const stream = openEventStream(url('/api/events/stream'), { token: bob.token, lastEventId: '1', types: ['doc.saved'] });
      await stream.waitFor((e) => e.lastEventId === '3');
      stream.close();
      expect(ids(stream.events)).toEqual([2, 3]);
      expect(spies.map(calls)).toEqual([0, 0, 1]);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('replays thousands of events over several pages, cut by the byte budget, then goes live', async () => {
    const stream = openEventStream(url('/api/events/stream'), { token: alice.token, lastEventId: '0', types: ['doc.saved', 'doc.typed'] });
    await stream.waitFor((e) => e.lastEventId === String(MANY), 30_000);
    const service = publisher(herald());
    const live = await publish(service, { userId: alice.userId, type: 'doc.saved', data: { live: true } });
    await stream.waitFor((e) => e.lastEventId === live);
    stream.close();
    expect(ids(stream.events)).toEqual(range(1, Number(live)));
  }, 60_000);

  it('replays a filtered view from the middle, for a stream that joins a channel already open', async () => {
    // The first stream opens alice's channel; the second joins it and reads its cursor and page itself.
    const first = openEventStream(url('/api/events/stream'), { token: alice.token, types: ['doc.saved'] });
    await first.ready;
    const second = openEventStream(url('/api/events/stream?types=doc.saved'), { token: alice.token, lastEventId: '700', types: ['doc.saved'] });
    const last = (await store().cursor(alice.userId)).lastId;
    const expected = (await alice.storedEvents({ after: '700', types: 'doc.saved' })).map((e: EventEnvelope) => Number(e.id));
    expect(expected.at(-1)).toBe(last);
    await second.waitFor((e) => e.lastEventId === String(last), 30_000);
    second.close();
    first.close();
    expect(ids(second.events)).toEqual(expected);
  }, 60_000);
});
