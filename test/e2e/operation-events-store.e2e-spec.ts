import { randomUUID } from 'node:crypto';
import { EventBus } from '../../src/events/event-bus';
import { EventStore } from '../../src/events/event-store';
import { EventWriter } from '../../src/events/event-writer';
import { NewEvent } from '../../src/events/new-event';
import { RetentionPolicy } from '../../src/events/retention-policy';
import { StoredEvent } from '../../src/events/stored-event';
import { SqlDatabase } from '../../src/infra/database/sql-database';
import { OperationsRepository } from '../../src/operations/operations.repository';
import { MODES } from './modes';
import { useHerald } from './support/boot-app';

// How operation events meet their operation row in the store (SPEC §3 polling
// fallback, DESIGN "ordered, gap-free"): chunks never land after the end, ids stay
// dense when a chunk is dropped, and the row reports the last event without being
// rewritten for every chunk.
describe.each(MODES)('event store: operation events and rows (%s mode)', (mode) => {
  const herald = useHerald(mode);
  const db = () => herald().app.get(SqlDatabase);
  /** A writer of its own: its own transactions, like a second worker process. */
  const newWriter = () =>
    new EventWriter(db(), herald().app.get(EventStore), herald().app.get(EventBus), herald().app.get(RetentionPolicy));

  async function runningOperation(userId: string): Promise<{ id: string; event: (type: string, data: object) => NewEvent }> {
    const id = randomUUID();
    const operations = herald().app.get(OperationsRepository);
    await db().transaction((tx) =>
      operations.insert(tx, { id, userId, kind: 'text-generation', workflowId: null, agentId: null, input: { prompt: 'p' }, idempotencyKey: null }),
    );
    const event = (type: string, data: object): NewEvent => ({ userId, operationId: id, workflowId: null, agentId: null, type, data });
    await newWriter().write([event('operation.status', { status: 'running', previousStatus: 'queued' })]);
    return { id, event };
  }

  const rowVersion = async (id: string) =>
    (await db().query<{ v: string }>(`SELECT xmin::text || '/' || xmax::text AS v FROM herald_operations WHERE id = $1`, [id]))[0].v;
  const lastEventIdOf = async (id: string) => (await herald().app.get(OperationsRepository).findById(id))!.last_event_id;
  const idsOf = async (userId: string) =>
    (await db().query<{ id: string }>(`SELECT id::text AS id FROM herald_events WHERE user_id = $1 ORDER BY herald_events.id`, [userId])).map(
      (r) => Number(r.id),
    );

  it('writes the operation row for status and progress, not for content chunks, and still reports the last chunk', async () => {
    const userId = `rows-${mode}`;
    const op = await runningOperation(userId);
    const before = await rowVersion(op.id);

    const chunks = await newWriter().write([0, 1, 2].map((index) => op.event('operation.content', { index, offset: index, text: 'x' })));

    expect(await rowVersion(op.id)).toBe(before);
    expect(await lastEventIdOf(op.id)).toBe(chunks[2].id);

    const [progress] = await newWriter().write([op.event('operation.progress', { current: 3, total: 10 })]);
    expect(await rowVersion(op.id)).not.toBe(before);
    const row = (await herald().app.get(OperationsRepository).findById(op.id))!;
    expect(JSON.parse(row.progress!)).toEqual({ current: 3, total: 10 });
    expect(row.last_event_id).toBe(progress.id);
  });

  it('drops chunks that come after the end and gives their ids back, so the next event follows without a hole', async () => {
    const userId = `dropped-${mode}`;
    const op = await runningOperation(userId);
    const ended = await newWriter().write([
      op.event('operation.status', { status: 'cancelled', previousStatus: 'running' }),
      op.event('operation.cancelled', { reason: 'test' }),
    ]);

    const late = await newWriter().write([
      op.event('operation.content', { index: 0, offset: 0, text: 'late' }),
      { userId, type: 'note', data: { n: 1 } },
      op.event('operation.content', { index: 1, offset: 4, text: 'later' }),
    ]);
    const next = await newWriter().write([{ userId, type: 'note', data: { n: 2 } }]);

    expect(late.map((e) => e.type)).toEqual(['note']);
    expect(late[0].seq).toBe(ended[1].seq! + 1);
    expect(next[0].seq).toBe(ended[1].seq! + 2);
    const ids = await idsOf(userId);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
    expect(await lastEventIdOf(op.id)).toBe(ended[1].id);
  });

  it("never stores an operation's event under another user: that user's counter lock would not serialize it with the operation's writers", async () => {
    const op = await runningOperation(`owner-${mode}`);
    const intruder = `intruder-${mode}`;
    const written = await newWriter().write([
      { ...op.event('operation.content', { index: 0, offset: 0, text: 'x' }), userId: intruder },
      { userId: intruder, type: 'note', data: {} },
    ]);

    expect(written.map((e) => e.type)).toEqual(['note']);
    expect(written[0].seq).toBe(1);
    expect(await idsOf(intruder)).toEqual([1]);
  });

  it('keeps every chunk before the end when a cancel races a stream of chunks from another writer', async () => {
    const userId = `race-${mode}`;
    const op = await runningOperation(userId);
    const chunkWriter = newWriter();
    const written: StoredEvent[] = [];
    let stop = false;
    const chunks = (async () => {
      for (let index = 0; !stop; index++) {
        written.push(...(await chunkWriter.write([op.event('operation.content', { index, offset: index, text: 'c' })])));
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    const ended = await newWriter().write([
      op.event('operation.status', { status: 'cancelled', previousStatus: 'running' }),
      op.event('operation.cancelled', { reason: 'race' }),
    ]);
    await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await chunks;

    const terminal = ended[1].seq!;
    const stored = await db().query<{ id: string; type: string }>(
      `SELECT id::text AS id, type FROM herald_events WHERE user_id = $1 ORDER BY herald_events.id`,
      [userId],
    );
    expect(stored.at(-1)).toEqual({ id: String(terminal), type: 'operation.cancelled' });
    expect(written.length).toBeGreaterThan(0);
    expect(written.every((e) => e.seq! < terminal)).toBe(true);
    expect(stored.map((r) => Number(r.id))).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
  });
});
