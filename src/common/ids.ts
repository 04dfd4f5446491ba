import { TAG_ID_PATTERN } from '@herald/contracts';
import { ApiError } from './api-error';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Operation ids are UUIDs; anything else is a malformed id (400), not an unknown one (404). */
export function parseOperationId(value: string): string {
  if (!UUID_PATTERN.test(value)) throw new ApiError(400, 'INVALID_ID', 'operation id must be a UUID');
  return value.toLowerCase();
}

export function parseTagId(value: string, name: 'workflowId' | 'agentId'): string {
  if (!TAG_ID_PATTERN.test(value)) {
    throw new ApiError(400, 'INVALID_ID', `${name} must be 1–128 characters of A-Z a-z 0-9 _ . : -`);
  }
  return value;
}
