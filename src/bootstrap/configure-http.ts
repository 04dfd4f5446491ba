import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { HeraldConfig } from '../config/herald-config';
import { forwardBodyParserErrors } from '../common/body-parser-errors';
import { PublishRawRoute } from '../events/publish.raw-route';
import { StreamRawRoute } from '../events/stream.raw-route';
import { HeraldExpressAdapter } from './express-adapter';

/** Body limits, CORS, the raw routes and the OpenAPI document: everything the HTTP app needs beyond its modules. */
export function configureHttp(app: NestExpressApplication, config: HeraldConfig): void {
  const adapter = app.getHttpAdapter();
  if (adapter instanceof HeraldExpressAdapter) {
    adapter.addRawRoute(app.get(PublishRawRoute));
    adapter.addRawRoute(app.get(StreamRawRoute));
  }
  app.useBodyParser('json', { limit: config.limits.bodyLimitBytes });
  app.use(forwardBodyParserErrors);
  app.enableCors({
    origin: config.corsOrigins,
    exposedHeaders: ['Retry-After'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID', 'Idempotency-Key'],
  });
  app.disable('x-powered-by');
  setupOpenApi(app);
}

function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Herald')
      .setDescription(
        'Long AI generation jobs streamed over Server-Sent Events with gap-free resume. ' +
          'Every event stream writes `id:`, `event:` and one-line JSON `data:` (the envelope).',
      )
      .setVersion('1')
      .addTag('operations', 'Start, follow (polling fallback), list and cancel generation jobs')
      .addTag('events', 'Event streams (SSE) with gap-free resume, the long-polling fallback, and publishing')
      .addBearerAuth()
      // EventSource cannot send headers: browsers pass the same JWT in the query string.
      .addApiKey({ type: 'apiKey', in: 'query', name: 'access_token', description: 'The bearer JWT, for clients that cannot send headers' }, 'access_token')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
