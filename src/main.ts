import 'reflect-metadata';
import { resolveDevSecret } from './auth/dev-secret';
import { Server } from 'node:http';
import { createHttpApp, createWorkerContext } from './bootstrap/create-app';
import { addAcceptors } from './bootstrap/extra-acceptors';
import { startBanner } from './bootstrap/start-banner';
import { describeStartupError } from './bootstrap/startup-errors';
import { ConfigError, HeraldConfig } from './config/herald-config';
import { loadConfig } from './config/load-config';
import { HERALD_VERSION } from './config/version';
import { prepareDataDir } from './infra/embedded/data-dir';

// Node's default accept queue (511) overflows when thousands of clients reconnect at
// once (a restart, a network blip): each dropped SYN costs its client 1, then 3, 7,
// 15 s of TCP retransmission. The kernel caps this at net.core.somaxconn.
const LISTEN_BACKLOG = 4096;

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
  // Nest's typings omit the backlog argument that it passes through to http.Server.listen.
  await (app as unknown as { listen(port: number, host: string, backlog: number): Promise<unknown> }).listen(
    config.port,
    config.host,
    LISTEN_BACKLOG,
  );
  const server = app.getHttpServer() as Server;
  await addAcceptors(server, config.extraAcceptors, LISTEN_BACKLOG).catch((error: Error) => {
    // Herald works with the listener alone; it only accepts more slowly under load.
    process.stderr.write(`Herald: no extra acceptors (${error.message}); accepting on the listener alone\n`);
  });
  const address = server.address() as { port: number };
  process.stdout.write(`${startBanner(config, address.port, generated)}\n`);
}

function fail(message: string): never {
  process.stderr.write(`Herald cannot start.\n${message}\n`);
  process.exit(1);
}

main().catch((error: unknown) => fail(describeStartupError(error)));
