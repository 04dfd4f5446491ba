import { Global, Module } from '@nestjs/common';
import { HeraldConfig } from './herald-config';

/** Injection token of the validated configuration object. */
export const HERALD_CONFIG = Symbol('HERALD_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: HeraldConfig) {
    return {
      module: ConfigModule,
      providers: [{ provide: HERALD_CONFIG, useValue: config }],
      exports: [HERALD_CONFIG],
    };
  }
}
