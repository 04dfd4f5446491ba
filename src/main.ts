import 'reflect-metadata';
import { resolveDevSecret } from './auth/dev-secret';
import { createHttpApp, createWorkerContext } from './bootstrap/create-app';
import { startBanner } from './bootstrap/start-banner';
import { describeStartupError } from './bootstrap/startup-errors';
import { ConfigError, HeraldConfig } from './config/herald-config';
import { loadConfig } from './config/load-config';
import { HERALD_VERSION } from './config/version';
import { prepareDataDir } from './infra/embedded/data-dir';

/** One entry for every role: HERALD_ROLE picks api, worker or all (SPEC §1). */
async function main(): Promise<void> {
  let config: HeraldConfig;
  let generated = false;
  try {
    const loaded = loadConfig();
    if (loaded.mode === 'embedded') await prepareDataDir(loaded.dataDir, HERALD_VERSION);
    ({ config, generated } = await resolveDevSecret(loaded));
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : (error as Error).message);
  }

  if (config.role === 'worker') {
    await createWorkerContext(config);
    // Printed whatever LOG_LEVEL is: whoever started the worker wants to know it is consuming.
    process.stdout.write(`Herald worker ready (concurrency ${config.worker.concurrency})\n`);
    return;
  }
  const app = await createHttpApp(config);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`${startBanner(config, address.port, generated)}\n`);
}

function fail(message: string): never {
  process.stderr.write(`Herald cannot start.\n${message}\n`);
  process.exit(1);
}

main().catch((error: unknown) => fail(describeStartupError(error)));
