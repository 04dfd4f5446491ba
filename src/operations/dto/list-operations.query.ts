import { OPERATION_STATUSES, OperationStatus } from '@herald/contracts';
import { ApiError } from '../../common/api-error';
import { parseTagId } from '../../common/ids';
import { ListFilter } from '../operations.repository';

const KEYS = new Set(['status', 'workflowId', 'agentId', 'limit', 'cursor', 'access_token']);

export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(`${createdAt}|${id}`).toString('base64url');
}

export function parseListQuery(query: Record<string, unknown>): ListFilter {
  for (const key of Object.keys(query)) {
    if (!KEYS.has(key)) throw new ApiError(400, 'INVALID_QUERY', `unknown query parameter ${key}`);
    if (typeof query[key] !== 'string') throw new ApiError(400, 'INVALID_QUERY', `${key} must be given once`);
  }
  const q = query as Record<string, string | undefined>;
  const filter: ListFilter = { limit: 20 };
  if (q.status !== undefined) {
    if (!(OPERATION_STATUSES as readonly string[]).includes(q.status)) {
      throw new ApiError(400, 'INVALID_QUERY', `status must be one of ${OPERATION_STATUSES.join(', ')}`);
    }
    filter.status = q.status as OperationStatus;
  }
  if (q.workflowId !== undefined) filter.workflowId = parseTagId(q.workflowId, 'workflowId');
  if (q.agentId !== undefined) filter.agentId = parseTagId(q.agentId, 'agentId');
  if (q.limit !== undefined) {
    if (!/^\d+$/.test(q.limit) || Number(q.limit) < 1 || Number(q.limit) > 100) {
      throw new ApiError(400, 'INVALID_QUERY', 'limit must be a whole number from 1 to 100');
    }
    filter.limit = Number(q.limit);
  }
  if (q.cursor !== undefined) filter.before = decodeCursor(q.cursor);
  return filter;
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !id || Number.isNaN(Date.parse(createdAt)) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new ApiError(400, 'INVALID_CURSOR', 'cursor is not one this API returned');
  }
  return { createdAt, id };
}
