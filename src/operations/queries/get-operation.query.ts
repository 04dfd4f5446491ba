import { Query } from '@nestjs/cqrs';
import { Operation } from '@herald/contracts';

export class GetOperationQuery extends Query<Operation> {
  constructor(
    readonly userId: string,
    readonly operationId: string,
  ) {
    super();
  }
}
