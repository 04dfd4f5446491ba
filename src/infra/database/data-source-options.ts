import { DataSourceOptions } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';
import * as path from 'node:path';
import { HeraldConfig } from '../../config/herald-config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

const INT8_OID = 20;

/** The DataSource of each mode: node-postgres for distributed, PGlite in the data directory for embedded. */
export function dataSourceOptions(config: HeraldConfig): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'herald_migrations',
    migrationsRun: config.migrationsRun,
    synchronize: false,
  };
  if (config.mode === 'distributed') {
    return {
      ...common,
      url: config.databaseUrl!,
      // Headroom for bursty writers plus replay readers; each API/worker process gets its own pool.
      extra: { max: 20, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 },
    };
  }
  return {
    ...common,
    // Embedded always migrates: there is no separate operator step in the quick start.
    migrationsRun: true,
    driver: new PGliteDriver({
      dataDir: path.join(config.dataDir, 'pg'),
      // Event ids are int8: keep them as strings, as node-postgres does, never as lossy numbers.
      parsers: { [INT8_OID]: (value: string) => value },
    }).driver,
  };
}
