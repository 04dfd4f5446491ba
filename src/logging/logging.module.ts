import { DynamicModule, Module } from '@nestjs/common';
import { HeraldConfig } from '../config/herald-config';
import { AccessLog } from './access-log';
import { HeraldLogger } from './herald-logger';
import { createRootLogger, ROOT_LOGGER } from './root-logger';

/**
 * Structured JSON logs (pretty in a terminal); tokens never reach them.
 * Deliberately no per-request logger or AsyncLocalStorage: running each
 * request in an AsyncLocalStorage turns on V8's promise hooks for the whole
 * process, which taxes every promise, logged or not.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: HeraldConfig): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      providers: [{ provide: ROOT_LOGGER, useFactory: () => createRootLogger(config) }, HeraldLogger, AccessLog],
      exports: [ROOT_LOGGER, HeraldLogger, AccessLog],
    };
  }
}
