import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { OperationList } from '@herald/contracts';
import { encodeCursor } from '../dto/list-operations.query';
import { toIso, toOperation } from '../operation-row';
import { OperationsRepository } from '../operations.repository';
import { ListOperationsQuery } from './list-operations.query';

@QueryHandler(ListOperationsQuery)
export class ListOperationsHandler implements IQueryHandler<ListOperationsQuery, OperationList> {
  constructor(private readonly operations: OperationsRepository) {}

  async execute({ userId, filter }: ListOperationsQuery): Promise<OperationList> {
    // One extra row tells whether another page exists without a count query.
    const rows = await this.operations.list(userId, { ...filter, limit: filter.limit + 1 });
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toOperation),
      nextCursor: rows.length > filter.limit && last ? encodeCursor(toIso(last.created_at)!, last.id) : null,
    };
  }
}
