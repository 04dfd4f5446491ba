import { DataSource } from 'typeorm';
import { SqlDatabase, SqlExecutor } from './sql-database';

/** SqlDatabase over a TypeORM DataSource on node-postgres: a pool, real concurrent transactions. */
export class TypeOrmSqlDatabase extends SqlDatabase {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.dataSource.query(sql, params);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) =>
      fn({ query: <R>(sql: string, params?: unknown[]) => manager.query(sql, params) as Promise<R[]> }),
    );
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
