import { EventBus } from '../../src/events/event-bus';
import { EventStore } from '../../src/events/event-store';
import { EventWriter } from '../../src/events/event-writer';
import { NewEvent } from '../../src/events/new-event';
import { SqlDatabase, SqlExecutor } from '../../src/infra/database/sql-database';
import { bootApp, BootedApp } from '../e2e/support/boot-app';
import { MODES } from '../e2e/modes';

/**
 * The database a connection-loss at COMMIT leaves behind: the transaction
 * committed, but the answer never came, so the writer sees the same error as
 * for a write that did not happen.
 */
class LosesCommitAcks extends SqlDatabase {
  lost = 0;
  constructor(
    private readonly real: SqlDatabase,
    private toLose: number,
  ) {
    super();
  }
  query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.real.query<T>(sql, params);
  }
  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const result = await this.real.transaction(fn);
    if (this.toLose > 0) {
      this.toLose--;
      this.lost++;
      throw new Error('Connection terminated unexpectedly');
    }
    return result;
  }
  ping(): Promise<void> {
    return this.real.ping();
  }
}

describe.each(MODES)('event writer when a commit is acknowledged too late (%s mode)', (mode) => {
  let booted: BootedApp;

  beforeAll(async () => {
    booted = await bootApp(mode);
  }, 60_000);
  afterAll(async () => booted?.close(), 60_000);

  const stored = (userId: string) =>
    booted.app
      .get(SqlDatabase)
      .query<{ id: string; type: string }>(`SELECT id::text AS id, type FROM herald_events WHERE user_id = $1 ORDER BY herald_events.id`, [userId]);

  it('stores the batch once and answers with the ids it was given', async () => {
    const db = new LosesCommitAcks(booted.app.get(SqlDatabase), 1);
    const writer = new EventWriter(db, booted.app.get(EventStore), booted.app.get(EventBus));
    const events: NewEvent[] = ['a.one', 'a.two', 'a.three'].map((type) => ({ userId: `ack-${mode}`, type, data: { type } }));

    const result = await writer.write(events);

    expect(db.lost).toBe(1);
    expect(result.map((e) => [e.id, e.type])).toEqual([
      ['1', 'a.one'],
      ['2', 'a.two'],
      ['3', 'a.three'],
    ]);
    expect(await stored(`ack-${mode}`)).toEqual([
      { id: '1', type: 'a.one' },
      { id: '2', type: 'a.two' },
      { id: '3', type: 'a.three' },
    ]);
  });

  it('still stores a batch whose failed attempt did not commit', async () => {
    const real = booted.app.get(SqlDatabase);
    let failures = 1;
    const failsBeforeCommit = new (class extends LosesCommitAcks {
      async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
        if (failures-- > 0) throw new Error('Connection terminated unexpectedly');
        return real.transaction(fn);
      }
    })(real, 0);
    const writer = new EventWriter(failsBeforeCommit, booted.app.get(EventStore), booted.app.get(EventBus));

    const result = await writer.write([{ userId: `nack-${mode}`, type: 'a.only', data: {} }]);

    expect(result.map((e) => e.id)).toEqual(['1']);
    expect(await stored(`nack-${mode}`)).toEqual([{ id: '1', type: 'a.only' }]);
  });
});
