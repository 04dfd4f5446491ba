import { Query } from '@nestjs/cqrs';
import { OperationList } from '@herald/contracts';
import { ListFilter } from '../operations.repository';

export class ListOperationsQuery extends Query<OperationList> {
  constructor(
    readonly userId: string,
    readonly filter: ListFilter,
  ) {
    super();
  }
}
