import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ErrorBody } from '@herald/contracts';
import type { Response } from 'express';
import { ApiError, codeForStatus, statusText } from './api-error';
import { fromBodyParserError } from './body-parser-errors';

interface ShapedError {
  body: ErrorBody;
  headers: Record<string, string>;
}

/**
 * The one place errors become responses, so every client sees
 * `{ statusCode, error, message, code }` and nothing else: no stack traces,
 * no library messages from unexpected failures.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const shaped = this.shape(exception);

    if (response.headersSent) {
      // A stream is already under way and a JSON body would corrupt it. Flush
      // what was written (events already sent stay delivered), then close the
      // connection, which also ends a body shorter than its Content-Length;
      // SSE clients resume by Last-Event-ID.
      response.end(() => response.destroy());
      return;
    }
    for (const [name, value] of Object.entries(shaped.headers)) response.setHeader(name, value);
    response.status(shaped.body.statusCode).json(shaped.body);
  }

  private shape(exception: unknown): ShapedError {
    const fromBodyParser = fromBodyParserError(exception);
    if (fromBodyParser) return this.shape(fromBodyParser);

    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status >= 500) this.logger.warn(`${status} ${exception.message}`);
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

    this.logger.error(
      exception instanceof Error ? exception.message : String(exception),
      exception instanceof Error ? exception.stack : undefined,
    );
    return {
      body: { statusCode: 500, error: statusText(500), message: 'internal server error', code: 'INTERNAL_ERROR' },
      headers: {},
    };
  }
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
