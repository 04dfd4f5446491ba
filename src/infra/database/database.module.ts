import { Global, Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { HERALD_CONFIG } from '../../config/config.module';
import { HeraldConfig } from '../../config/herald-config';
import { dataSourceOptions } from './data-source-options';
import { SerializedSqlDatabase } from './serialized-sql-database';
import { SqlDatabase } from './sql-database';
import { PgPoolSqlDatabase } from './pg-pool-sql-database';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [HERALD_CONFIG],
      useFactory: (config: HeraldConfig) => ({ ...dataSourceOptions(config), retryAttempts: 3, retryDelay: 1000 }),
    }),
  ],
  providers: [
    {
      provide: SqlDatabase,
      inject: [HERALD_CONFIG, getDataSourceToken()],
      useFactory: (config: HeraldConfig, dataSource: DataSource) =>
        config.mode === 'embedded'
          ? new SerializedSqlDatabase(dataSource)
          : new PgPoolSqlDatabase(dataSource, config.preparedStatements),
    },
  ],
  exports: [SqlDatabase],
})
export class DatabaseModule {}
