import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventsCoreModule } from '../events/events.module';
import { CancelOperationHandler } from './commands/cancel-operation.handler';
import { StartOperationHandler } from './commands/start-operation.handler';
import { OperationsController } from './operations.controller';
import { OperationsRepository } from './operations.repository';
import { GetOperationHandler } from './queries/get-operation.handler';
import { ListOperationsHandler } from './queries/list-operations.handler';

@Module({
  imports: [CqrsModule, EventsCoreModule],
  controllers: [OperationsController],
  providers: [OperationsRepository, StartOperationHandler, CancelOperationHandler, GetOperationHandler, ListOperationsHandler],
})
export class OperationsModule {}

/** The repository alone, for the worker role that has no HTTP surface. */
@Module({ providers: [OperationsRepository], exports: [OperationsRepository] })
export class OperationsDataModule {}
