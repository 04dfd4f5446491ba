import { EMPTY, Observable } from 'rxjs';
import { EventBus } from '../../src/events/event-bus';
import { EventStore } from '../../src/events/event-store';
import { EventWriter } from '../../src/events/event-writer';
import { RetentionPolicy } from '../../src/events/retention-policy';
import { StoredEvent } from '../../src/events/stored-event';
import { SqlDatabase } from '../../src/infra/database/sql-database';
import { MODES } from './modes';
import { useHerald } from './support/boot-app';

/** A bus whose publishes are acknowledged only when the test says so. */
class HeldBus extends EventBus {
  readonly events$: Observable<StoredEvent[]> = EMPTY;
  readonly reconnected$: Observable<void> = EMPTY;
  readonly published: StoredEvent[][] = [];
  private readonly acks: (() => void)[] = [];

  publish(events: StoredEvent[]): Promise<void> {
    this.published.push(events);
    return new Promise((resolve) => this.acks.push(resolve));
  }

  listen(): Promise<void> {
    return Promise.resolve();
  }

  ackNext(): void {
    this.acks.shift()!();
  }
}

const until = async (condition: () => Promise<boolean> | boolean) => {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

// The writer's next batch goes to the database while the bus is still
// acknowledging the last one (a Redis round trip less per batch on a busy
// API); publishes keep commit order, and a caller is answered only after its
// own batch was published.
describe.each(MODES)('event writer and the bus (%s mode)', (mode) => {
  const herald = useHerald(mode);

  it("stores the next batch before the last one's publish is acknowledged, publishes in order and answers callers after their ack", async () => {
    const app = herald().app;
    const bus = new HeldBus();
    const db = app.get(SqlDatabase);
    const writer = new EventWriter(db, app.get(EventStore), bus, app.get(RetentionPolicy));
    const user = `held-${mode}`;
    const storedCount = async () =>
      Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM herald_events WHERE user_id = $1`, [user]))[0].n);

    let firstDone = false;
    const first = writer.write([{ userId: user, type: 'test.one', data: {} }]).then((r) => ((firstDone = true), r));
    await until(() => bus.published.length === 1);
    const second = writer.write([{ userId: user, type: 'test.two', data: {} }]);

    // The second batch is stored and published while the first still waits for its ack.
    await until(() => bus.published.length === 2);
    expect(await storedCount()).toBe(2);
    expect(bus.published.map((batch) => batch.map((e) => [e.seq, e.type]))).toEqual([[[1, 'test.one']], [[2, 'test.two']]]);
    expect(firstDone).toBe(false);

    bus.ackNext();
    expect((await first).map((e) => e.id)).toEqual(['1']);
    bus.ackNext();
    expect((await second).map((e) => e.id)).toEqual(['2']);
  });
});
