/**
 * The port every feature uses to reach PostgreSQL. Two adapters implement it:
 * node-postgres through TypeORM (distributed) and PGlite (embedded). Hot paths
 * are plain SQL so the same statements run on both.
 */
export interface SqlExecutor {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export abstract class SqlDatabase implements SqlExecutor {
  abstract query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs fn in one transaction; rolls back when it throws. */
  abstract transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  abstract ping(): Promise<void>;
}
