import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A route answered straight from Node's HTTP server, ahead of Express and
 * Nest. For the few hot requests whose cost is mostly the framework's own
 * pipeline; anything a raw route does not take goes on to Express unchanged.
 */
export interface RawRoute {
  /** Answers the request and returns true, or returns false before touching it (no byte read, nothing written). */
  take(request: IncomingMessage, response: ServerResponse): boolean;
}
