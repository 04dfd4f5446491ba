import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Operation } from '@herald/contracts';
import { ApiError } from '../../common/api-error';
import { toOperation } from '../operation-row';
import { OperationsRepository } from '../operations.repository';
import { GetOperationQuery } from './get-operation.query';

@QueryHandler(GetOperationQuery)
export class GetOperationHandler implements IQueryHandler<GetOperationQuery, Operation> {
  constructor(private readonly operations: OperationsRepository) {}

  async execute({ userId, operationId }: GetOperationQuery): Promise<Operation> {
    const row = await this.operations.findOwned(userId, operationId);
    // Another user's operation answers exactly like a missing one: existence is not revealed.
    if (!row) throw new ApiError(404, 'NOT_FOUND', 'operation not found');
    return toOperation(row);
  }
}
