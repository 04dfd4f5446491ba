import { HttpException, Logger } from '@nestjs/common';
import type { ErrorBody } from '@herald/contracts';
import type { ServerResponse } from 'node:http';
import { ApiError, codeForStatus, statusText } from './api-error';
import { fromBodyParserError } from './body-parser-errors';

export interface ShapedError {
  body: ErrorBody;
  headers: Record<string, string>;
}

/**
 * What a client is told about any failure: `{ statusCode, error, message, code }`
 * and nothing else, no stack traces, no library messages from unexpected
 * failures (those are logged instead). Shared by the global filter and the
 * routes that answer outside Nest's pipeline, so both answer alike.
 */
export function shapeError(exception: unknown, logger: Logger): ShapedError {
  const fromBodyParser = fromBodyParserError(exception);
  if (fromBodyParser) return shapeError(fromBodyParser, logger);

  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status >= 500) logger.warn(`${status} ${exception.message}`);
    return {
      body: {
        statusCode: status,
        error: statusText(status),
        message: messageOf(exception),
        code: codeOf(exception) ?? codeForStatus(status),
      },
      headers: exception instanceof ApiError ? exception.headers : {},
    };
  }

  logger.error(
    exception instanceof Error ? exception.message : String(exception),
    exception instanceof Error ? exception.stack : undefined,
  );
  return {
    body: { statusCode: 500, error: statusText(500), message: 'internal server error', code: 'INTERNAL_ERROR' },
    headers: {},
  };
}

/** Answers with the error, keeping headers already set on the response (CORS, for one). */
export function sendError(response: ServerResponse, shaped: ShapedError): void {
  sendJson(response, shaped.body.statusCode, shaped.body, shaped.headers);
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  response.statusCode = status;
  for (const name in headers) response.setHeader(name, headers[name]);
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', Buffer.byteLength(json));
  response.end(json);
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  if (typeof message === 'string') return message;
  return exception.message;
}

function codeOf(exception: HttpException): string | null {
  const response = exception.getResponse();
  if (typeof response !== 'object' || response === null) return null;
  const code = (response as { code?: unknown }).code;
  return typeof code === 'string' && code.length > 0 ? code : null;
}
