import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { JwtStrategy } from '../auth/jwt.strategy';
import { RawRoute } from '../bootstrap/raw-route';
import { sendError, sendJson, shapeError } from '../common/error-response';
import { readJsonBody } from '../common/json-body';
import { UserRateLimit } from '../common/user-rate-limit';
import { createValidationPipe } from '../common/validation';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';
import { AccessLog } from '../logging/access-log';
import { asValidPublishEvent } from './dto/publish-event.check';
import { PublishEventDto } from './dto/publish-event.dto';
import { EventPublisherService, PUBLISH_SCOPE } from './event-publisher.service';

const PLAIN_JSON = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);

/**
 * `POST /api/events` as services send it, answered without Express and Nest.
 *
 * Publishing is the one request a busy deployment makes thousands of times a
 * second, and Express's router, body-parser, Nest's guards, pipe and
 * interceptor chain, and class-validator's metadata walk cost about three
 * times what storing and delivering the event does (npm run bench, fan-out;
 * BENCHMARKS.md, Findings). This route does the same steps in the same order
 * with the same shared parts: token check (JwtStrategy), scope, body (read
 * as the JSON body parser reads it), rate limit (UserRateLimit), validation
 * (PublishEventDto's own predicates; the validation pipe explains a refusal),
 * EventPublisherService, and the one error shape (error-response.ts).
 *
 * It takes only the plain case: a JSON body with a Content-Length within the
 * limit, an Authorization header whose token verifies and may publish, no
 * Origin (browsers need CORS) and no query string. Anything else — a bad or
 * missing token, a missing scope, a compressed or chunked body — goes to
 * EventsController unchanged, so every refusal before the body is read
 * comes from the documented route itself.
 */
@Injectable()
export class PublishRawRoute implements RawRoute {
  private readonly logger = new Logger(PublishRawRoute.name);
  private readonly validation = createValidationPipe();
  private readonly bodyLimit: number;

  constructor(
    private readonly strategy: JwtStrategy,
    private readonly rateLimit: UserRateLimit,
    private readonly publisher: EventPublisherService,
    private readonly accessLog: AccessLog,
    @Inject(HERALD_CONFIG) config: HeraldConfig,
  ) {
    this.bodyLimit = config.limits.bodyLimitBytes;
  }

  take(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'POST' || request.url !== '/api/events' || !this.isPlainJsonBody(request.headers)) return false;
    const publisher = this.publisherOf(request);
    if (!publisher) return false;
    this.accessLog.track(request, response);
    void this.answer(request, response, publisher);
    return true;
  }

  private isPlainJsonBody(headers: IncomingHttpHeaders): boolean {
    if (headers.origin !== undefined || headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) {
      return false;
    }
    const type = headers['content-type'];
    if (type === undefined || !PLAIN_JSON.has(type.toLowerCase())) return false;
    const length = Number(headers['content-length']);
    return length > 0 && length <= this.bodyLimit;
  }

  /** The caller, when its token verifies and carries the publish scope; otherwise EventsController answers. */
  private publisherOf(request: IncomingMessage): AuthenticatedUser | null {
    if (request.headers.authorization === undefined) return null;
    try {
      const user = this.strategy.authenticateRequest(request as Request);
      return user.scopes.includes(PUBLISH_SCOPE) ? user : null;
    } catch {
      return null;
    }
  }

  private async answer(request: IncomingMessage, response: ServerResponse, caller: AuthenticatedUser): Promise<void> {
    try {
      const body = await readJsonBody(request);
      if (body === undefined) return;
      await this.rateLimit.consume(caller.userId);
      const event =
        asValidPublishEvent(body) ??
        ((await this.validation.transform(body, { type: 'body', metatype: PublishEventDto })) as PublishEventDto);
      sendJson(response, 201, await this.publisher.publish(event));
    } catch (error) {
      sendError(response, shapeError(error, this.logger));
    }
  }
}
