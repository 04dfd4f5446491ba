import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Server the e2e tests use; TEST_POSTGRES_URL points them elsewhere. */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  /** Connection URL of the fresh database, suitable for DATABASE_URL. */
  url: string;
  name: string;
  /** Drops the database, terminating any connection still open to it. */
  drop(): Promise<void>;
}

// Tests run in parallel workers and several processes per test, so every test
// gets its own database instead of sharing one and truncating between tests.
export function uniqueDatabaseName(): string {
  return `herald_t_${process.pid}_${randomBytes(4).toString('hex')}`;
}

async function withAdminClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  // The maintenance database `postgres` always exists and is never the one
  // being created or dropped.
  const client = new Client({ connectionString: `${TEST_POSTGRES_URL}/postgres` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = uniqueDatabaseName();
  // Identifiers cannot be bound as parameters; the name is generated above
  // from [a-z0-9_] only, so quoting it is enough.
  await withAdminClient((c) => c.query(`CREATE DATABASE "${name}"`));
  let dropped = false;
  return {
    name,
    url: `${TEST_POSTGRES_URL}/${name}`,
    async drop() {
      if (dropped) return;
      dropped = true;
      // WITH (FORCE) (PostgreSQL 13+) kills connections a crashed or
      // still-stopping Herald process left behind, which would block DROP.
      await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
