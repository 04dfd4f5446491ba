import { randomUUID } from 'node:crypto';
import { EventBus } from '../../src/events/event-bus';
import { EventStore } from '../../src/events/event-store';
import { EventWriter } from '../../src/events/event-writer';
import { NewEvent } from '../../src/events/new-event';
import { RetentionPolicy } from '../../src/events/retention-policy';
import { SqlDatabase, SqlExecutor } from '../../src/infra/database/sql-database';
import { OperationsRepository } from '../../src/operations/operations.repository';
import { bootApp, BootedApp } from '../e2e/support/boot-app';
import { MODES } from '../e2e/modes';

const LOST = 'Connection terminated unexpectedly';

/**
 * The database a connection lost at the end of a write leaves behind: the
 * write committed, but the answer never came, so the writer sees the same
 * error as for a write that did not happen. Plain events are written by one
 * statement (an INSERT into herald_events), operation events by a transaction.
 * `failBefore` fails that many writes without running them instead.
 */
class LosesAcks extends SqlDatabase {
  lost = 0;
  statements = 0;
  transactions = 0;
  toLose = 0;
  failBefore = 0;

  constructor(private readonly real: SqlDatabase) {
    super();
  }

  async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    this.statements++;
    if (!sql.includes('INSERT INTO herald_events')) return this.real.query<T>(sql, params);
    return this.answer(() => this.real.query<T>(sql, params));
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.transactions++;
    return this.answer(() => this.real.transaction(fn));
  }

  ping(): Promise<void> {
    return this.real.ping();
  }

  private async answer<T>(write: () => Promise<T>): Promise<T> {
    if (this.failBefore > 0) {
      this.failBefore--;
      throw new Error(LOST);
    }
    const result = await write();
    if (this.toLose > 0) {
      this.toLose--;
      this.lost++;
      throw new Error(LOST);
    }
    return result;
  }
}

describe.each(MODES)('event writer when a write is acknowledged too late (%s mode)', (mode) => {
  let booted: BootedApp;

  beforeAll(async () => {
    booted = await bootApp(mode);
  }, 60_000);
  afterAll(async () => booted?.close(), 60_000);

  const real = () => booted.app.get(SqlDatabase);
  const writerOn = (db: SqlDatabase) =>
    new EventWriter(db, booted.app.get(EventStore), booted.app.get(EventBus), booted.app.get(RetentionPolicy));
  const stored = (userId: string) =>
    real().query<{ id: string; type: string }>(
      `SELECT id::text AS id, type FROM herald_events WHERE user_id = $1 ORDER BY herald_events.id`,
      [userId],
    );
  const plain = (userId: string, types: string[]): NewEvent[] => types.map((type) => ({ userId, type, data: { type, nul: 'a\u0000b' } }));

  it('writes a batch of plain events in one statement, no transaction', async () => {
    const db = new LosesAcks(real());
    const result = await writerOn(db).write(plain(`one-${mode}`, ['a.one', 'a.two']));
    expect(result.map((e) => [e.id, e.type])).toEqual([
      ['1', 'a.one'],
      ['2', 'a.two'],
    ]);
    expect([db.statements, db.transactions]).toEqual([1, 0]);
  });

  it('stores a batch of plain events once when the answer to its statement is lost, and answers with its ids', async () => {
    const db = new LosesAcks(real());
    const user = `ack-${mode}`;
    await writerOn(real()).write(plain(user, ['a.before']));
    db.toLose = 1;

    const result = await writerOn(db).write(plain(user, ['a.one', 'a.two', 'a.three']));

    expect(db.lost).toBe(1);
    expect(result.map((e) => [e.id, e.type])).toEqual([
      ['2', 'a.one'],
      ['3', 'a.two'],
      ['4', 'a.three'],
    ]);
    expect(result[0].dataJson).toBe('{"type":"a.one","nul":"a\\u0000b"}');
    expect(await stored(user)).toEqual([
      { id: '1', type: 'a.before' },
      { id: '2', type: 'a.one' },
      { id: '3', type: 'a.two' },
      { id: '4', type: 'a.three' },
    ]);
  });

  it('still stores a batch of plain events whose failed attempt did not commit, and tells it from a later batch of its writer', async () => {
    const db = new LosesAcks(real());
    const writer = writerOn(db);
    const user = `nack-${mode}`;
    await writer.write(plain(user, ['a.first']));
    db.failBefore = 1;

    const result = await writer.write(plain(user, ['a.only']));

    expect(result.map((e) => e.id)).toEqual(['2']);
    expect(await stored(user)).toEqual([
      { id: '1', type: 'a.first' },
      { id: '2', type: 'a.only' },
    ]);
  });

  it('stores operation events once when the answer to their COMMIT is lost', async () => {
    const userId = `op-ack-${mode}`;
    const operationId = randomUUID();
    await real().transaction((tx) =>
      booted.app.get(OperationsRepository).insert(tx, {
        id: operationId,
        userId,
        kind: 'text-generation',
        workflowId: null,
        agentId: null,
        input: { prompt: 'p' },
        idempotencyKey: null,
      }),
    );
    const db = new LosesAcks(real());
    db.toLose = 1;
    const event = (type: string, data: object): NewEvent => ({ userId, operationId, type, data });

    const result = await writerOn(db).write([
      event('operation.status', { status: 'running', previousStatus: 'queued' }),
      event('operation.content', { text: 'hi' }),
    ]);

    expect(db.lost).toBe(1);
    // The lost COMMIT is found in the store, not written again.
    expect(db.transactions).toBe(1);
    expect(result.map((e) => [e.id, e.type])).toEqual([
      ['1', 'operation.status'],
      ['2', 'operation.content'],
    ]);
    expect(await stored(userId)).toEqual([
      { id: '1', type: 'operation.status' },
      { id: '2', type: 'operation.content' },
    ]);
  });
});
