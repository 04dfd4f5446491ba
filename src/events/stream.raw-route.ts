import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuerystring } from 'node:querystring';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { JwtStrategy } from '../auth/jwt.strategy';
import { RawRoute } from '../bootstrap/raw-route';
import { sendError, shapeError } from '../common/error-response';
import { UserRateLimit } from '../common/user-rate-limit';
import { StreamRequest, StreamViewName, StreamViews } from './stream-views';

const STREAM_PATH = '/api/events/stream';
const VIEW_PREFIXES: [string, StreamViewName][] = [
  ['/api/events/operations/', 'operation'],
  ['/api/events/workflows/', 'workflow'],
  ['/api/events/agents/', 'agent'],
];

/**
 * `GET` on the four SSE views as clients send it, answered without Express
 * and Nest.
 *
 * Opening a stream is what thousands of clients do at once after a restart
 * or a network blip (the reconnect storm), and what every generation's
 * follower does as its operation starts. Express's router and Nest's guard,
 * pipe and parameter chain are work a handshake need not do: without them
 * the storm resumed about a tenth sooner (npm run bench, storm; BENCHMARKS.md,
 * Findings). This route does the same steps in
 * the same order with the same shared parts: token check (JwtStrategy), rate
 * limit (UserRateLimit), then StreamViews, which EventStreamController also
 * calls, and the one error shape (error-response.ts). The query is parsed as
 * Express parses it (node:querystring, Express 5's "simple" parser).
 *
 * It takes only the plain case: an exact path (no trailing slash, no escaped
 * characters in the id), no Origin header (cross-origin browsers need CORS
 * headers) and a token that verifies. Anything else goes to the controller
 * unchanged, so a refusal of the token comes from the documented route itself.
 */
@Injectable()
export class StreamRawRoute implements RawRoute {
  private readonly logger = new Logger(StreamRawRoute.name);

  constructor(
    private readonly strategy: JwtStrategy,
    private readonly rateLimit: UserRateLimit,
    private readonly views: StreamViews,
  ) {}

  take(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'GET' || request.headers.origin !== undefined) return false;
    const url = request.url ?? '';
    const mark = url.indexOf('?');
    const target = viewOf(mark === -1 ? url : url.slice(0, mark));
    if (!target) return false;
    const caller = this.callerOf(request);
    if (!caller) return false;
    const stream: StreamRequest = {
      ...target,
      query: mark === -1 ? {} : parseQuerystring(url.slice(mark + 1)),
      // Node joins a repeated header (other than Set-Cookie) into one string, as the controller sees it.
      lastEventIdHeader: request.headers['last-event-id'] as string | undefined,
    };
    void this.answer(request as Request, response as Response, caller, stream);
    return true;
  }

  /** The caller, when the token verifies; otherwise the controller answers (with its 401). */
  private callerOf(request: IncomingMessage): AuthenticatedUser | null {
    try {
      return this.strategy.authenticateRequest(request as Request);
    } catch {
      return null;
    }
  }

  private async answer(req: Request, res: Response, caller: AuthenticatedUser, stream: StreamRequest): Promise<void> {
    try {
      await this.rateLimit.consume(caller.userId);
      await this.views.open(req, res, caller, stream);
    } catch (error) {
      // Failures after the head are the stream service's to handle; it ends such streams itself.
      if (res.headersSent) res.destroy();
      else sendError(res, shapeError(error, this.logger));
    }
  }
}

/** The view a path names, or null when the path is not one the route takes as it is. */
function viewOf(path: string): Pick<StreamRequest, 'view' | 'id'> | null {
  if (path === STREAM_PATH) return { view: 'user' };
  for (const [prefix, view] of VIEW_PREFIXES) {
    if (!path.startsWith(prefix)) continue;
    const id = path.slice(prefix.length);
    // Escapes and deeper paths are Express's to decode or refuse.
    return id.length > 0 && !/[/%]/.test(id) ? { view, id } : null;
  }
  return null;
}
