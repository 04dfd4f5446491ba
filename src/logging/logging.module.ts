import { DynamicModule, Module } from '@nestjs/common';
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
          pinoHttp: {
            level: config.logLevel,
            transport: config.logPretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
            serializers: {
              req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown> }) => ({
                id: req.id,
                method: req.method,
                url: redactUrl(req.url),
                headers: req.headers,
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
