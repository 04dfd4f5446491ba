import { SqlDatabase } from '../../src/infra/database/sql-database';
import { isTransientDbError } from '../../src/infra/database/transient-errors';
import { MODES } from './modes';
import { bootApp, BootedApp, useHerald } from './support/boot-app';

// The port every feature reaches PostgreSQL through: the same answers from both
// adapters, and in distributed mode statements prepared once per connection.
describe.each(MODES)('SqlDatabase (%s mode)', (mode) => {
  const herald = useHerald(mode);
  const db = () => herald().app.get(SqlDatabase);

  it('answers UPDATE … RETURNING with the changed rows, and with none when nothing matched', async () => {
    await db().query(`INSERT INTO herald_user_event_counters (user_id, last_id) VALUES ('sql-port', 1)`);
    const hit = await db().query(`UPDATE herald_user_event_counters SET last_id = last_id + 1 WHERE user_id = $1 RETURNING last_id::text AS n`, [
      'sql-port',
    ]);
    const miss = await db().query(`UPDATE herald_user_event_counters SET last_id = last_id + 1 WHERE user_id = $1 RETURNING last_id::text AS n`, [
      'nobody',
    ]);
    const inTx = await db().transaction((tx) => tx.query(`DELETE FROM herald_user_event_counters WHERE user_id = $1 RETURNING user_id`, ['nobody']));

    expect(hit).toEqual([{ n: '2' }]);
    expect(miss).toEqual([]);
    expect(inTx).toEqual([]);
  });

  it('rolls back a transaction that throws and keeps working afterwards', async () => {
    await expect(
      db().transaction(async (tx) => {
        await tx.query(`INSERT INTO herald_user_event_counters (user_id, last_id) VALUES ('sql-rollback', 5)`);
        await tx.query(`SELECT 1/0`);
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await db().query(`SELECT 1 FROM herald_user_event_counters WHERE user_id = 'sql-rollback'`)).toEqual([]);
    expect(await db().query(`SELECT 2 AS two`)).toEqual([{ two: 2 }]);
  });

  if (mode === 'distributed') {
    const preparedIn = (database: SqlDatabase, marker: string) =>
      database.transaction(async (tx) => {
        await tx.query(`SELECT $1::text AS marker`, [marker]);
        await tx.query(`SELECT $1::text AS marker`, [marker]);
        return tx.query<{ statement: string }>(`SELECT statement FROM pg_prepared_statements WHERE statement = $1`, [
          'SELECT $1::text AS marker',
        ]);
      });

    it('prepares each statement once per connection', async () => {
      const prepared = await preparedIn(db(), 'a');
      expect(prepared.map((p) => p.statement)).toEqual(['SELECT $1::text AS marker']);
    });

    it('rejects a transaction whose connection dies between statements as transient, and keeps working', async () => {
      // As in a database restart: the backend goes while the transaction holds its
      // connection but no statement is running. Unhandled, the client's 'error'
      // event would end the process; the worker then never finished its operation.
      const attempt = db().transaction(async (tx) => {
        const [{ pid }] = await tx.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`);
        await db().query(`SELECT pg_terminate_backend($1)`, [pid]);
        await new Promise((r) => setTimeout(r, 300));
        await tx.query(`SELECT 1`);
      });
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeDefined();
      expect(isTransientDbError(error)).toBe(true);
      expect(await db().query(`SELECT 3 AS three`)).toEqual([{ three: 3 }]);
    });

    describe('with DATABASE_PREPARED_STATEMENTS=false (a pooler that cannot keep them)', () => {
      let unprepared: BootedApp;
      beforeAll(async () => {
        unprepared = await bootApp(mode, { DATABASE_PREPARED_STATEMENTS: 'false' });
      });
      afterAll(async () => unprepared?.close());

      it('sends every statement unnamed', async () => {
        expect(await preparedIn(unprepared.app.get(SqlDatabase), 'b')).toEqual([]);
      });
    });
  }
});
