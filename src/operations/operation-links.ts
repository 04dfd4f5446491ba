import { OperationAccepted } from '@herald/contracts';
import { OperationRow, toIso } from './operation-row';

export function toAccepted(row: OperationRow): OperationAccepted {
  return {
    id: row.id,
    kind: row.kind as OperationAccepted['kind'],
    status: row.status as OperationAccepted['status'],
    createdAt: toIso(row.created_at)!,
    links: {
      self: `/api/operations/${row.id}`,
      events: `/api/events/operations/${row.id}`,
      cancel: `/api/operations/${row.id}/cancel`,
    },
  };
}
