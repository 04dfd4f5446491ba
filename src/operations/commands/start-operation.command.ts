import { Command } from '@nestjs/cqrs';
import { OperationAccepted } from '@herald/contracts';
import { CreateOperationDto } from '../dto/create-operation.dto';

export class StartOperationCommand extends Command<OperationAccepted> {
  constructor(
    readonly userId: string,
    readonly body: CreateOperationDto,
    readonly idempotencyKey: string | null,
  ) {
    super();
  }
}
