import { isBoolean, isObject, isString, isUUID, length, matches } from 'class-validator';
import { TAG_ID_PATTERN } from '@herald/contracts';
import { PublishEventDto } from './publish-event.dto';

const FIELDS = new Set(['userId', 'type', 'data', 'operationId', 'workflowId', 'agentId', 'persistent']);

/**
 * PublishEventDto's rules as plain function calls, for the publish fast path:
 * the same class-validator predicates the decorators name, without the
 * metadata walk, the class instance and the error objects the validation pipe
 * builds for every request.
 *
 * It may refuse more than the DTO (null where the DTO allows a missing value,
 * for one) but never accepts less: a body it returns null for goes through
 * the validation pipe, which either explains the refusal or accepts it.
 * publish-event.check.spec.ts holds it to that.
 */
export function asValidPublishEvent(body: unknown): PublishEventDto | null {
  if (!isObject<Record<string, unknown>>(body) || Array.isArray(body)) return null;
  for (const key in body) if (!FIELDS.has(key)) return null;
  const { userId, type, data, operationId, workflowId, agentId, persistent } = body;
  if (!isString(userId) || !length(userId, 1, 256)) return null;
  if (!isString(type)) return null;
  if (!isObject<Record<string, unknown>>(data)) return null;
  if (operationId !== undefined && !isUUID(operationId)) return null;
  if (workflowId !== undefined && !(isString(workflowId) && matches(workflowId, TAG_ID_PATTERN))) return null;
  if (agentId !== undefined && !(isString(agentId) && matches(agentId, TAG_ID_PATTERN))) return null;
  if (persistent !== undefined && !isBoolean(persistent)) return null;
  return body as unknown as PublishEventDto;
}
