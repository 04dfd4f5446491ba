import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';
import { RawRoute } from './raw-route';

/**
 * Nest's Express adapter, with requests and responses born with the
 * prototypes Express gives them.
 *
 * Express 5 moves every request and response onto its own prototypes
 * (`app.request`, `app.response`) with `Object.setPrototypeOf`. V8 does not
 * share hidden classes across such a change: every property that Express, the
 * router, body-parser, Nest and the guards add afterwards gives that one
 * object a new hidden class and a new copy of its descriptor array, both
 * allocated straight in the old generation. That was about 12 KB of
 * old-generation garbage per stream handshake and 2 KB kept by every open
 * stream (npm run bench, idle: 21 → 13 KB of RSS per connection). Here the HTTP
 * server creates them from subclasses whose prototypes take the place of
 * `app.request` and `app.response`, so Express's `setPrototypeOf` changes
 * nothing and V8 shares their hidden classes as it does for any other objects.
 */
export class HeraldExpressAdapter extends ExpressAdapter {
  private forceCloseConnections = false;
  private readonly rawRoutes: RawRoute[] = [];

  override initHttpServer(options: NestApplicationOptions): void {
    if (options?.httpsOptions) return super.initHttpServer(options);
    const app = this.getInstance<Express>();
    const Request = subclassWithPrototypeOf(IncomingMessage, app.request);
    const Response = subclassWithPrototypeOf(ServerResponse, app.response);
    app.request = Request.prototype as Express['request'];
    app.response = Response.prototype as Express['response'];
    const routes = this.rawRoutes;
    this.setHttpServer(
      createServer({ IncomingMessage: Request, ServerResponse: Response }, (request, response) => {
        for (const route of routes) if (route.take(request, response)) return;
        app(request, response);
      }),
    );
    this.forceCloseConnections = options?.forceCloseConnections === true;
  }

  /** Serves `route` ahead of Express (plain HTTP only: an HTTPS server is Nest's own and passes everything to Express). */
  addRawRoute(route: RawRoute): void {
    this.rawRoutes.push(route);
  }

  override close(): Promise<unknown> | undefined {
    // What forceCloseConnections does in Nest's adapter, which tracks sockets only on a server it created itself.
    if (this.forceCloseConnections) (this.getHttpServer() as Server | undefined)?.closeAllConnections();
    return super.close();
  }
}

/**
 * A subclass of `Base` whose prototype stands in for `prototype` (an object
 * inheriting from Base.prototype): same parent, same own properties. A class,
 * because V8 shares the hidden class of the objects a class constructs.
 */
function subclassWithPrototypeOf<T extends typeof IncomingMessage | typeof ServerResponse>(Base: T, prototype: object): T {
  const Subclass = class extends (Base as typeof IncomingMessage) {};
  Object.setPrototypeOf(Subclass.prototype, Object.getPrototypeOf(prototype));
  Object.defineProperties(Subclass.prototype, Object.getOwnPropertyDescriptors(prototype));
  return Subclass as unknown as T;
}
