import { CUSTOM_EVENT_TYPE_PATTERN, EventTypes } from '@herald/contracts';
import { ApiError } from '../common/api-error';

const ID_PATTERN = /^(0|[1-9]\d{0,14})$/;
const STREAM_QUERY_KEYS = new Set(['types', 'lastEventId', 'heartbeat', 'access_token']);
const STORED_TYPES = new Set<string>([
  EventTypes.status,
  EventTypes.progress,
  EventTypes.content,
  EventTypes.warning,
  EventTypes.completed,
  EventTypes.failed,
  EventTypes.cancelled,
]);

export interface StreamQuery {
  types?: string[];
  lastEventId?: number;
  heartbeatAsEvent: boolean;
}

/** An event id as sent by a client: a decimal integer, nothing else. */
export function parseEventId(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw new ApiError(400, 'INVALID_EVENT_ID', `${name} must be a decimal event id such as 42`);
  }
  return Number(value);
}

/** `types=a.b,c.d`: each a stored operation type or a custom `a.b` name. */
export function parseTypes(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ApiError(400, 'INVALID_TYPES', 'types must be a comma-separated list of event types');
  }
  const types = value.split(',').map((t) => t.trim());
  for (const type of types) {
    if (!STORED_TYPES.has(type) && !(CUSTOM_EVENT_TYPE_PATTERN.test(type) && type.length <= 64)) {
      throw new ApiError(400, 'INVALID_TYPES', `types: ${JSON.stringify(type)} is not an event type`);
    }
  }
  return [...new Set(types)];
}

/** Last-Event-ID header wins over the lastEventId query parameter (SPEC §3). */
export function parseStreamQuery(query: Record<string, unknown>, lastEventIdHeader: string | undefined): StreamQuery {
  for (const key of Object.keys(query)) {
    if (!STREAM_QUERY_KEYS.has(key)) throw new ApiError(400, 'INVALID_QUERY', `unknown query parameter ${key}`);
  }
  const heartbeat = query.heartbeat;
  if (heartbeat !== undefined && heartbeat !== 'event' && heartbeat !== 'comment') {
    throw new ApiError(400, 'INVALID_QUERY', 'heartbeat must be event or comment');
  }
  const header = lastEventIdHeader === undefined || lastEventIdHeader === '' ? undefined : lastEventIdHeader;
  const lastEventId =
    header !== undefined ? parseEventId(header.trim(), 'Last-Event-ID') : parseEventId(query.lastEventId, 'lastEventId');
  return { types: parseTypes(query.types), lastEventId, heartbeatAsEvent: heartbeat === 'event' };
}
