import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureHttp } from './bootstrap/configure-http';
import { startBanner } from './bootstrap/start-banner';
import { ConfigError, HeraldConfig } from './config/herald-config';
import { loadConfig } from './config/load-config';
import { resolveDevSecret } from './auth/dev-secret';
import { describeStartupError } from './bootstrap/startup-errors';

/** One entry for every role: HERALD_ROLE picks api, worker or all (SPEC §1). */
async function main(): Promise<void> {
  let config: HeraldConfig;
  let generated = false;
  try {
    ({ config, generated } = await resolveDevSecret(loadConfig()));
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : (error as Error).message);
  }

  if (config.role === 'worker') {
    const app = await NestFactory.createApplicationContext(AppModule.forRole(config), { bufferLogs: true });
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    return;
  }

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRole(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  configureHttp(app, config);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`${startBanner(config, address.port, generated)}\n`);
}

function fail(message: string): never {
  process.stderr.write(`Herald cannot start.\n${message}\n`);
  process.exit(1);
}

main().catch((error: unknown) => fail(describeStartupError(error)));
