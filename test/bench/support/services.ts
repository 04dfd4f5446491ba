import Redis from 'ioredis';
import { Client } from 'pg';
import { TEST_POSTGRES_URL } from '../../support/test-database';
import { TEST_REDIS_URL } from '../../support/test-redis';

/** Versions of the PostgreSQL and Redis servers the distributed runs used, for the report. */
export async function serviceVersions(): Promise<{ postgres: string; redis: string }> {
  let postgres = 'unavailable';
  let redis = 'unavailable';
  const pg = new Client({ connectionString: `${TEST_POSTGRES_URL}/postgres` });
  try {
    await pg.connect();
    postgres = (await pg.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  } catch {
    // reported as unavailable
  } finally {
    await pg.end().catch(() => undefined);
  }
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    redis = /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
  } catch {
    // reported as unavailable
  } finally {
    client.disconnect();
  }
  return { postgres, redis };
}
