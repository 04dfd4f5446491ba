import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type HeraldRole = 'api' | 'worker' | 'all';

export interface StartHeraldOptions {
  /** Merged over the inherited environment; a value of `undefined` removes the variable. */
  env: Record<string, string | undefined>;
  /** Defaults to a free port. */
  port?: number;
  /** Sets HERALD_ROLE; when omitted the environment decides (default `all`). */
  role?: HeraldRole;
  /** How long to wait for readiness. Default 30 s. */
  readyTimeoutMs?: number;
  /** Script to run instead of the built app (dist/src/main.js); lets the helper itself be tested. */
  entry?: string;
}

export interface HeraldProcess {
  port: number;
  /** `http://127.0.0.1:<port>` (a worker has no HTTP server). */
  url: string;
  pid: number;
  role: HeraldRole;
  /** Embedded-mode data directory, pass it again to restart on the same data. */
  dataDir: string | undefined;
  /** Sends `signal`, waits for exit, escalates to SIGKILL after 10 s. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** The last ~200 lines of stdout and stderr, for failure messages. */
  output(): string;
  /** Resolves with the first output line matching `pattern` (including lines already seen). */
  waitForOutput(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Exit code, or null when ended by a signal. */
  exited: Promise<number | null>;
}

const OUTPUT_LINES = 200;
const KILL_GRACE_MS = 10_000;
const WORKER_READY = /worker ready/i;

// Configuration a developer's shell may carry (e.g. DATABASE_URL for a local
// run) that would silently switch a test into another mode; tests state the
// configuration they need in `opts.env` instead.
const ISOLATED_ENV = [
  'DATABASE_URL',
  'REDIS_URL',
  'HERALD_ROLE',
  'HERALD_DATA_DIR',
  'PORT',
  'LOG_LEVEL',
  'JWT_SECRET',
  'JWT_PUBLIC_KEY',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
];

const running = new Set<HeraldProcess>();
const tempDirs = new Set<string>();

// Safety net for a test run that ends without calling stopAllHeralds (a crash
// or a forgotten afterAll): never leave servers holding ports and databases.
// Registered only while processes run, so test files sharing a Jest worker do
// not pile up `exit` listeners.
function killRunningOnExit(): void {
  for (const p of running) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function track(proc: HeraldProcess): void {
  if (running.size === 0) process.on('exit', killRunningOnExit);
  running.add(proc);
}

function untrack(proc: HeraldProcess): void {
  if (running.delete(proc) && running.size === 0) process.off('exit', killRunningOnExit);
}

// Found by walking up rather than a fixed `../..` so the helper works both from
// test/support (ts-jest) and from dist/test/support (compiled benchmarks).
function findRepoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'herald') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`herald package.json not found above ${__dirname}`);
    dir = parent;
  }
}

// Below Linux's ephemeral range (32768–60999 by default): a port the kernel
// picked with listen(0) is one it also hands to outgoing connections, and the
// tests open thousands of those, so between the check and the server's own
// listen such a port could be taken and the server would die of EADDRINUSE.
const PORT_RANGE = { from: 20_000, to: 32_000 };

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free TCP port on 127.0.0.1, chosen at random outside the range the kernel gives outgoing connections. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port found between ${PORT_RANGE.from} and ${PORT_RANGE.to}`);
}

function buildEnv(opts: StartHeraldOptions, port: number): { env: NodeJS.ProcessEnv; dataDir?: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ISOLATED_ENV) delete env[key];
  // The worker's ready line is an info-level log; other roles stay at warn to
  // keep test output and logging overhead small.
  env.LOG_LEVEL = opts.role === 'worker' ? 'info' : 'warn';
  env.PORT = String(port);
  if (opts.role) env.HERALD_ROLE = opts.role;
  for (const [key, value] of Object.entries(opts.env)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  // Embedded mode keeps PGlite data in HERALD_DATA_DIR, which one process at a
  // time may own; a private directory keeps parallel tests apart.
  if (!env.DATABASE_URL && !env.HERALD_DATA_DIR) {
    const dataDir = mkdtempSync(join(tmpdir(), 'herald-e2e-'));
    tempDirs.add(dataDir);
    env.HERALD_DATA_DIR = dataDir;
  }
  return { env, dataDir: env.HERALD_DATA_DIR };
}

function createOutputBuffer(child: ChildProcess) {
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const attach = (stream: NodeJS.ReadableStream | null, tag: string) => {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts) {
        const line = `${tag}${part}`;
        lines.push(line);
        if (lines.length > OUTPUT_LINES) lines.shift();
        for (const listener of listeners) listener(line);
      }
    });
  };
  attach(child.stdout, '');
  attach(child.stderr, '[stderr] ');
  return { lines, listeners };
}

async function isLive(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

function waitForLive(url: string, deadline: number, isExited: () => boolean): Promise<void> {
  return (async () => {
    while (Date.now() < deadline && !isExited()) {
      if (await isLive(url)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(isExited() ? 'process exited before it was ready' : 'timed out waiting for /health/live');
  })();
}

export async function startHerald(opts: StartHeraldOptions): Promise<HeraldProcess> {
  const root = findRepoRoot();
  const main = opts.entry ?? join(root, 'dist', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} not found: run \`npm run build\` first`);

  const port = opts.port ?? (await freePort());
  const role: HeraldRole = opts.role ?? ((opts.env.HERALD_ROLE as HeraldRole | undefined) || 'all');
  const { env, dataDir } = buildEnv(opts, port);
  const child = spawn(process.execPath, [main], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const { lines, listeners } = createOutputBuffer(child);
  const output = () => lines.join('\n');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;

  const waitForOutput = (pattern: RegExp | string, timeoutMs = 30_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const matches = (line: string) => (typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line));
      const seen = lines.find(matches);
      if (seen !== undefined) return resolve(seen);
      const done = (err: Error | null, line?: string) => {
        clearTimeout(timer);
        listeners.delete(onLine);
        if (err) reject(err);
        else resolve(line as string);
      };
      const onLine = (line: string) => matches(line) && done(null, line);
      const timer = setTimeout(() => done(new Error(`no output matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
      listeners.add(onLine);
      void exited.then(
        () => listeners.has(onLine) && done(new Error(`process exited before printing ${pattern}\n--- last output ---\n${output()}`)),
      );
    });

  const proc: HeraldProcess = {
    port,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    role,
    dataDir,
    output,
    waitForOutput,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (!hasExited()) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      untrack(proc);
    },
  };
  track(proc);
  void exited.then(() => untrack(proc));

  const timeoutMs = opts.readyTimeoutMs ?? 30_000;
  try {
    if (role === 'worker') await waitForOutput(WORKER_READY, timeoutMs);
    else await waitForLive(proc.url, Date.now() + timeoutMs, hasExited);
  } catch (err) {
    await proc.kill('SIGKILL');
    const code = child.exitCode ?? child.signalCode;
    throw new Error(
      `Herald (${role}, port ${port}) did not become ready: ${(err as Error).message}; exit: ${code}\n` +
        `--- last output ---\n${output()}`,
    );
  }
  return proc;
}

/** Stops every Herald process started by this module and removes their temporary data directories. */
export async function stopAllHeralds(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

