import type { ErrorRequestHandler } from 'express';
import { ApiError, codeForStatus } from './api-error';

interface BodyParserError {
  type: string;
  status: number;
  expose?: boolean;
  message: string;
  limit?: number;
}

/** body-parser's http-errors carry a `type` such as entity.too.large and a 4xx status. */
function isBodyParserError(error: unknown): error is BodyParserError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as Partial<BodyParserError>;
  return (
    typeof candidate.type === 'string' &&
    typeof candidate.status === 'number' &&
    candidate.status >= 400 &&
    candidate.status < 500
  );
}

/** The client-facing form of a body-parser failure, or null when the error is something else. */
export function fromBodyParserError(error: unknown): ApiError | null {
  if (!isBodyParserError(error)) return null;
  switch (error.type) {
    case 'entity.too.large':
      return payloadTooLarge(error.limit);
    case 'entity.parse.failed':
      return invalidJson();
    default:
      return new ApiError(error.status, codeForStatus(error.status), error.expose ? error.message : 'bad request body');
  }
}

function payloadTooLarge(limit?: number): ApiError {
  return new ApiError(413, 'PAYLOAD_TOO_LARGE', limit ? `request body is larger than ${limit} bytes` : 'request body is too large');
}

export function invalidJson(): ApiError {
  return new ApiError(400, 'INVALID_JSON', 'request body is not valid JSON');
}

/**
 * Mount right after the body parsers. Nest turns a JSON SyntaxError into a
 * plain BadRequestException before filters run, which loses the fact that the
 * JSON was at fault; converting here keeps the INVALID_JSON code.
 */
export const forwardBodyParserErrors: ErrorRequestHandler = (error, _req, _res, next) => {
  next(fromBodyParserError(error) ?? error);
};
