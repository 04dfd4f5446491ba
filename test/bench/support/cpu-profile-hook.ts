import { existsSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

// Preloaded into a server (NODE_OPTIONS=--require) by `npm run bench -- --cpu-prof`.
// `node --cpu-prof` writes its profile only on a normal exit, which a server
// stopped by a signal never has, and no spare signal is free (Nest shuts down
// on SIGUSR2, Node reserves SIGUSR1): the bench asks for the profile by
// creating a file named after the process, and the profile is written then.

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const name = `${process.env.BENCH_CPU_PROFILE_NAME ?? 'server'}-${process.env.HERALD_ROLE ?? 'all'}`;
  const session = new Session();
  session.connect();
  session.post('Profiler.enable', () => session.post('Profiler.start'));
  const poll = setInterval(() => {
    if (!existsSync(join(dir, `${process.pid}.stop`))) return;
    clearInterval(poll);
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  }, 200);
  poll.unref();
}
