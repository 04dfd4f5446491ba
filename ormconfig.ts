import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ENTITIES } from './src/infra/database/entities';
import { MIGRATIONS } from './src/infra/database/migrations';

/**
 * The DataSource of the TypeORM CLI (`npm run migration:run`, `migration:generate`).
 * It reads DATABASE_URL directly because the CLI runs outside the Nest app.
 */
export default new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/herald',
  entities: ENTITIES,
  migrations: MIGRATIONS,
  migrationsTableName: 'herald_migrations',
});
