import { Pool, PoolClient, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { SqlDatabase, SqlExecutor } from './sql-database';

/** More distinct statement texts than Herald has: past this, a text runs unnamed rather than growing every session. */
const MAX_NAMED_STATEMENTS = 500;

/**
 * SqlDatabase on the node-postgres pool that TypeORM opened (distributed mode).
 * TypeORM keeps the schema, migrations and pool; statements go to the pool
 * directly, for two reasons measured in the generation benchmark:
 * - each distinct statement is prepared once per connection (named), so
 *   PostgreSQL stops parsing and planning it on every call: at operation starts,
 *   parse, analysis and planning were over a third of the database's CPU;
 * - rows come back as rows: TypeORM answers an UPDATE or DELETE with
 *   `[rows, rowCount]`, so `UPDATE … RETURNING` that matched nothing looked like a hit.
 */
export class PgPoolSqlDatabase extends SqlDatabase {
  private readonly pool: Pool;
  private readonly names = new Map<string, string>();

  constructor(dataSource: DataSource, private readonly prepare: boolean) {
    super();
    this.pool = (dataSource.driver as PostgresDriver).master as Pool;
  }

  async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    return (await this.pool.query(this.statement(sql, params))).rows as T[];
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client has no listener of the pool's: a connection that dies
    // between two statements (a database restart) would emit an unhandled
    // 'error' and end the process. Its error is kept and answers what follows.
    let broken: Error | undefined;
    const onError = (error: Error) => (broken ??= error);
    client.on('error', onError);
    const run = <R>(sql: string, params?: unknown[]): Promise<R[]> =>
      broken ? Promise.reject(broken) : this.run<R>(client, sql, params);
    try {
      await run('BEGIN');
      const result = await fn({ query: run });
      await run('COMMIT');
      return result;
    } catch (error) {
      // A client whose connection failed mid-transaction must leave the pool, not go back to it.
      if (!broken) await client.query('ROLLBACK').catch(onError);
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  private async run<T>(client: PoolClient, sql: string, params?: unknown[]): Promise<T[]> {
    return (await client.query(this.statement(sql, params))).rows as T[];
  }

  private statement(text: string, values?: unknown[]): QueryConfig {
    if (!this.prepare) return { text, values };
    let name = this.names.get(text);
    if (name === undefined && this.names.size < MAX_NAMED_STATEMENTS) {
      name = `herald_${this.names.size + 1}`;
      this.names.set(text, name);
    }
    return { name, text, values };
  }
}
