import type { SqlExecutor } from '../infra/database/sql-database';
import { SqlDatabase } from '../infra/database/sql-database';
import type { EventBus } from './event-bus';
import type { EventStore } from './event-store';
import { EventWriter } from './event-writer';
import type { NewEvent } from './new-event';
import { StoredEvent } from './stored-event';

/** Transactions that take a few milliseconds, recording how many ran at once and what each committed. */
class SlowDatabase extends SqlDatabase {
  running = 0;
  maxRunning = 0;
  constructor(private readonly lanes: number) {
    super();
  }
  get writeLanes(): number {
    return this.lanes;
  }
  async query<T>(): Promise<T[]> {
    return [];
  }
  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await new Promise((r) => setTimeout(r, 5));
      return await fn({ query: async () => [] });
    } finally {
      this.running--;
    }
  }
  async ping(): Promise<void> {}
}

function fixture(lanes: number) {
  const db = new SlowDatabase(lanes);
  const next = new Map<string, number>();
  const committed: string[] = [];
  const store = {
    appendInTransaction: async (_tx: SqlExecutor, events: NewEvent[]) =>
      events.map((e) => {
        const seq = (next.get(e.userId) ?? 0) + 1;
        next.set(e.userId, seq);
        committed.push(`${e.userId}:${e.type}`);
        // The store drops what it must: here, events typed `x.dropped`.
        return e.type === 'x.dropped' ? null : new StoredEvent(e.userId, seq, e.type, null, null, null, '{}', '');
      }),
  } as unknown as EventStore;
  const published: StoredEvent[][] = [];
  const bus = { publish: async (events: StoredEvent[]) => void published.push(events) } as unknown as EventBus;
  return { writer: new EventWriter(db, store, bus), db, committed, published };
}

const ev = (userId: string, type: string): NewEvent => ({ userId, type, data: {} });

describe('EventWriter', () => {
  it("runs the lanes' transactions side by side and keeps each user's events in the order written", async () => {
    const { writer, db, committed } = fixture(4);
    const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    await Promise.all(users.flatMap((u) => [1, 2, 3].map((n) => writer.write([ev(u, `x.e${n}`)]))));
    expect(db.maxRunning).toBeGreaterThan(1);
    expect(db.maxRunning).toBeLessThanOrEqual(4);
    for (const u of users) {
      expect(committed.filter((c) => c.startsWith(`${u}:`))).toEqual([`${u}:x.e1`, `${u}:x.e2`, `${u}:x.e3`]);
    }
  });

  it('answers a write spanning users in input order, without the events the store dropped', async () => {
    const { writer, published } = fixture(4);
    const stored = await writer.write([ev('a', 'x.one'), ev('b', 'x.two'), ev('c', 'x.dropped'), ev('a', 'x.three')]);
    expect(stored.map((s) => `${s.userId}:${s.type}:${s.seq}`)).toEqual(['a:x.one:1', 'b:x.two:1', 'a:x.three:2']);
    expect(published.flat()).toHaveLength(3);
  });

  it('commits one transaction at a time when the database has one lane', async () => {
    const { writer, db } = fixture(1);
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.write([ev(`u${i}`, 'x.e')])));
    expect(db.maxRunning).toBe(1);
  });
});
