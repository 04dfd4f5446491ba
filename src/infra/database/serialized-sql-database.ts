import { DataSource } from 'typeorm';
import { SqlDatabase, SqlExecutor } from './sql-database';

/**
 * SqlDatabase for PGlite: one session per process, so two overlapping
 * transactions would share one BEGIN and see each other's writes. Every
 * statement and transaction takes its turn through one promise chain.
 */
export class SerializedSqlDatabase extends SqlDatabase {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.exclusive(async () => rowsOf<T>(await this.dataSource.query(sql, params)));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.exclusive(() =>
      this.dataSource.transaction((manager) =>
        fn({ query: async <R>(sql: string, params?: unknown[]) => rowsOf<R>(await manager.query(sql, params)) }),
      ),
    );
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/** TypeORM answers UPDATE and DELETE with `[rows, rowCount]`; the port promises rows. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
