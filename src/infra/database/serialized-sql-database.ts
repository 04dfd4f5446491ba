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
    return this.exclusive(() => this.dataSource.query(sql, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.exclusive(() =>
      this.dataSource.transaction((manager) =>
        fn({ query: <R>(sql: string, params?: unknown[]) => manager.query(sql, params) as Promise<R[]> }),
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
