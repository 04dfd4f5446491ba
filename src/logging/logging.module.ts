import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { HeraldConfig } from '../config/herald-config';
import { redactUrl } from './redact-url';

/** Structured JSON logs (pretty in a terminal); tokens never reach them. */
@Module({})
export class LoggingModule {
  static forRoot(config: HeraldConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // No per-request logger on SSE streams: pino-http builds two child loggers
          // per request (with the serialized headers) and a stream keeps them for its
          // whole life — about 7 KB of every open connection's memory (npm run bench, idle).
          exclude: [
            { method: RequestMethod.GET, path: 'api/events/stream' },
            { method: RequestMethod.GET, path: 'api/events/operations/:id' },
            { method: RequestMethod.GET, path: 'api/events/workflows/:id' },
            { method: RequestMethod.GET, path: 'api/events/agents/:id' },
          ],
          pinoHttp: {
            level: config.logLevel,
            transport: config.logPretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
            serializers: {
              req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown> }) => ({
                id: req.id,
                method: req.method,
                url: redactUrl(req.url),
                // A page opened with a token in its address sends that address along as the Referer.
                headers:
                  typeof req.headers.referer === 'string' ? { ...req.headers, referer: redactUrl(req.headers.referer) } : req.headers,
              }),
            },
            autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') },
            customProps: () => ({ service: 'herald', role: config.role }),
          },
        }),
      ],
    };
  }
}
