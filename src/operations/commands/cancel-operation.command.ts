import { Command } from '@nestjs/cqrs';

export class CancelOperationCommand extends Command<void> {
  constructor(
    readonly userId: string,
    readonly operationId: string,
  ) {
    super();
  }
}
