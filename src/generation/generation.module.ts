import { Module } from '@nestjs/common';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';
import { EventsCoreModule } from '../events/events.module';
import { OperationsDataModule } from '../operations/operations.module';
import { DeliveredContentReader } from './delivered-content';
import { createTextGenerator } from './generators/create-text-generator';
import { TextGenerator } from './generators/text-generator';
import { OperationRunner } from './operation-runner';
import { RecoverySweep } from './recovery-sweep';
import { WorkerLifecycle } from './worker-lifecycle';

/** The worker role: consumes generation jobs and runs them. */
@Module({
  imports: [EventsCoreModule, OperationsDataModule],
  providers: [
    DeliveredContentReader,
    OperationRunner,
    RecoverySweep,
    WorkerLifecycle,
    {
      provide: TextGenerator,
      inject: [HERALD_CONFIG],
      useFactory: (config: HeraldConfig) => createTextGenerator(config.llm),
    },
  ],
})
export class GenerationModule {}
