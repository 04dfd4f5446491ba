import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';

/** How long each event type is kept (SPEC §4.3): content and progress a day, the rest 30 days. */
@Injectable()
export class RetentionPolicy {
  constructor(@Inject(HERALD_CONFIG) private readonly config: HeraldConfig) {}

  retentionMs(type: string): number {
    return this.config.retention.overrides[type] ?? this.config.retention.defaultMs;
  }
}
