import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { sendError, shapeError } from './error-response';

/** The one place Nest's errors become responses: every client sees the shape of error-response.ts. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const shaped = shapeError(exception, this.logger);

    if (response.headersSent) {
      // A stream is already under way and a JSON body would corrupt it. Flush
      // what was written (events already sent stay delivered), then close the
      // connection, which also ends a body shorter than its Content-Length;
      // SSE clients resume by Last-Event-ID.
      response.end(() => response.destroy());
      return;
    }
    sendError(response, shaped);
  }
}
