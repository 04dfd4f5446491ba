import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../app.module';
import { HeraldConfig } from '../config/herald-config';
import { AccessLog } from '../logging/access-log';
import { accessLogMiddleware } from '../logging/access-log.middleware';
import { HeraldLogger } from '../logging/herald-logger';
import { configureHttp } from './configure-http';
import { HeraldExpressAdapter } from './express-adapter';

/** The HTTP application of the api and all roles, configured as main.ts runs it (tests boot it the same way). */
export async function createHttpApp(config: HeraldConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRole(config), new HeraldExpressAdapter(), {
    bufferLogs: true,
    bodyParser: false,
    // Nest would otherwise log and process.exit(1) on a boot failure: main.ts
    // could never print its one-line fix (describeStartupError), and an
    // in-process test would lose its whole Jest worker.
    abortOnError: false,
    // On shutdown, idle keep-alive sockets would hold server.close() for seconds;
    // open streams were already ended (ConnectionRegistry) so clients can reconnect elsewhere.
    forceCloseConnections: true,
  });
  app.useLogger(app.get(HeraldLogger));
  // Before configureHttp mounts the body parsers, so a body they reject still gets its access line.
  app.use(accessLogMiddleware(app.get(AccessLog)));
  app.enableShutdownHooks();
  configureHttp(app, config);
  return app;
}

/** The worker role: no HTTP server, just the job consumer. */
export async function createWorkerContext(config: HeraldConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.forRole(config), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(HeraldLogger));
  app.enableShutdownHooks();
  return app;
}
