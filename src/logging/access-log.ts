import { Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { redactUrl } from './redact-url';
import { ROOT_LOGGER } from './root-logger';

const REDACTED = '[redacted]';

/** Numbers the logged requests of this process, so one request's line can be told from another's. */
let lastRequestId = 0;

/**
 * One line per request, written when its response is done. Everything the
 * line holds is gathered then, not when the request arrives: a request costs
 * a timestamp and two listeners while it runs, and nothing at all when info
 * lines are off. Called by the Express middleware and by routes that bypass Express.
 */
@Injectable()
export class AccessLog {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  /** Whether track() would log anything: lets a caller skip its own work (e.g. route matching) too. */
  get enabled(): boolean {
    return this.logger.isLevelEnabled('info');
  }

  track(req: IncomingMessage, res: ServerResponse): void {
    if (!this.logger.isLevelEnabled('info')) return;
    const id = ++lastRequestId;
    const start = performance.now();
    // 'close' alone means the connection went before the response was written out.
    const done = (): void => {
      res.off('finish', done);
      res.off('close', done);
      this.write(id, start, req, res);
    };
    res.on('finish', done);
    res.on('close', done);
  }

  private write(id: number, start: number, req: IncomingMessage, res: ServerResponse): void {
    const statusCode = res.statusCode;
    const line = {
      req: { id, method: req.method, url: redactUrl(originalUrl(req)), headers: loggedHeaders(req.headers) },
      res: { statusCode },
      responseTime: Math.round(performance.now() - start),
    };
    const msg = res.writableFinished ? 'request completed' : 'request aborted';
    if (statusCode >= 500) this.logger.error(line, msg);
    else this.logger.info(line, msg);
  }
}

/** Express rewrites req.url while routing into mounted routers; originalUrl keeps what the client asked for. */
function originalUrl(req: IncomingMessage): string {
  return (req as { originalUrl?: string }).originalUrl ?? req.url ?? '';
}

/** A copy, so the redaction never touches the headers the application reads. */
function loggedHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const logged = { ...headers };
  if (logged.authorization !== undefined) logged.authorization = REDACTED;
  if (logged.cookie !== undefined) logged.cookie = REDACTED;
  // A page opened with a token in its address sends that address along as the Referer.
  if (typeof logged.referer === 'string') logged.referer = redactUrl(logged.referer);
  return logged;
}
