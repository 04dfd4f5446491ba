import { ApiError } from '../common/api-error';
import { parseOperationId, parseTagId } from '../common/ids';
import { EventFilter } from './event-filter';
import { parseEventId, parseTypes } from './stream-query';

const KEYS = new Set(['after', 'operationId', 'workflowId', 'agentId', 'types', 'limit', 'wait', 'access_token']);

export interface PollQuery {
  after: number;
  filter: EventFilter;
  limit: number;
  waitMs: number;
}

export function parsePollQuery(query: Record<string, unknown>): PollQuery {
  for (const key of Object.keys(query)) {
    if (!KEYS.has(key)) throw new ApiError(400, 'INVALID_QUERY', `unknown query parameter ${key}`);
    if (typeof query[key] !== 'string') throw new ApiError(400, 'INVALID_QUERY', `${key} must be given once`);
  }
  const q = query as Record<string, string | undefined>;
  const filter: EventFilter = { types: parseTypes(q.types) };
  if (q.operationId !== undefined) filter.operationId = parseOperationId(q.operationId);
  if (q.workflowId !== undefined) filter.workflowId = parseTagId(q.workflowId, 'workflowId');
  if (q.agentId !== undefined) filter.agentId = parseTagId(q.agentId, 'agentId');
  return {
    after: parseEventId(q.after, 'after') ?? 0,
    filter,
    limit: intInRange(q.limit, 'limit', 1, 1000, 100),
    waitMs: intInRange(q.wait, 'wait', 0, 30, 0) * 1000,
  };
}

function intInRange(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ApiError(400, 'INVALID_QUERY', `${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
}
