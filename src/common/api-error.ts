import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';

/**
 * An HTTP error with a stable, machine-readable `code`. Feature code throws it
 * so clients can branch on `code` instead of parsing messages; the global
 * filter copies `headers` (e.g. Retry-After) onto the response.
 */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super({ statusCode: status, error: statusText(status), message, code }, status);
  }
}

export function statusText(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** 'Payload Too Large' → PAYLOAD_TOO_LARGE: the default code when nothing more specific was given. */
export function codeForStatus(status: number): string {
  if (status === 500) return 'INTERNAL_ERROR';
  return statusText(status)
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}
