import type { RequestHandler } from 'express';
import { AccessLog } from './access-log';

/**
 * The four SSE views (GET /api/events/stream, /api/events/{operations,workflows,agents}/:id),
 * matched as Express's router matches them: any letter case, an optional
 * trailing slash. HEAD too, since Express answers it with the GET handler.
 */
const STREAM_ROUTE = /^\/api\/events\/(?:stream|(?:operations|workflows|agents)\/[^/?]+)\/?(?:\?|$)/i;

/**
 * Which requests get an access line. Health probes would drown the log. A
 * stream's line would come only when it ends, and its tracking would live as
 * long as the connection — memory that every one of thousands of open streams pays.
 */
export function isAccessLogged(method: string | undefined, url: string): boolean {
  if (url.startsWith('/health')) return false;
  return !((method === 'GET' || method === 'HEAD') && STREAM_ROUTE.test(url));
}

/** Mount ahead of the body parsers: Express skips ordinary middleware after one fails, and a rejected body must still be logged. */
export function accessLogMiddleware(accessLog: AccessLog): RequestHandler {
  return (req, res, next) => {
    if (accessLog.enabled && isAccessLogged(req.method, req.url)) accessLog.track(req, res);
    next();
  };
}
