import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../../distributed/support/time';
import { freePort } from '../../support/herald-process';

/** Debian's nginx; NGINX_BIN points the tests at another build. */
export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/** The production configuration the tests put in front of Herald. */
export const PRODUCTION_CONFIG = join(__dirname, '..', '..', '..', 'docker', 'nginx.conf');

export interface RenderOptions {
  /** Directory for the pid file, logs and temporary files. */
  dir: string;
  /** Port nginx listens on, on 127.0.0.1. */
  port: number;
  /** Ports of the API processes on 127.0.0.1, in place of the compose services. */
  upstreams: number[];
  /** Replaces `proxy_read_timeout`, so a test can wait past it in seconds rather than minutes. */
  readTimeoutSeconds: number;
}

/**
 * The production configuration with only what must differ on a test machine:
 * where the API processes and the listener are, a short `proxy_read_timeout`,
 * one worker, and files under `dir` instead of /var and /run (so it runs
 * without root). Everything that shapes a stream — HTTP/1.1 keep-alive to the
 * upstreams, buffering off, retries to the next upstream — is left as shipped.
 * Throws when a line it must change is missing, so the test cannot silently
 * run against a configuration other than the one it names.
 */
export function renderNginxConfig(source: string, opts: RenderOptions): string {
  let text = source;
  const replace = (pattern: RegExp, count: number, what: string, by: (match: string, index: number) => string) => {
    let n = 0;
    text = text.replace(pattern, (match) => by(match, n++));
    if (n !== count) throw new Error(`docker/nginx.conf: expected ${count} ${what}, found ${n}`);
  };
  replace(/^\s*worker_processes\s+[^;]+;/m, 1, 'worker_processes directive', () => 'worker_processes 1;');
  replace(/\bserver\s+api-\d+:3000\b/g, opts.upstreams.length, 'upstream servers (api-N:3000)', (_, i) => {
    return `server 127.0.0.1:${opts.upstreams[i]}`;
  });
  replace(/\blisten\s+\d+;/g, 1, 'listen directive', () => `listen 127.0.0.1:${opts.port};`);
  replace(/\bproxy_read_timeout\s+\w+;/g, 1, 'proxy_read_timeout directive', () => {
    return `proxy_read_timeout ${opts.readTimeoutSeconds}s;`;
  });
  const files = [
    `access_log ${join(opts.dir, 'access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `${kind}_temp_path ${join(opts.dir, kind)};`),
  ];
  replace(/^http\s*\{/m, 1, 'http block', (match) => `${match}\n  ${files.join('\n  ')}`);
  return `pid ${join(opts.dir, 'nginx.pid')};\nerror_log ${join(opts.dir, 'error.log')} warn;\n${text}`;
}

/** Fails with what to install: a missing nginx must fail the suite, never skip it. */
export function requireNginx(): void {
  if (!existsSync(NGINX_BIN)) {
    throw new Error(
      `${NGINX_BIN} not found: the nginx tests run Debian's nginx in front of Herald. ` +
        'Install it with `apt-get install nginx` (or set NGINX_BIN to an nginx binary).',
    );
  }
}

/** nginx running docker/nginx.conf (rendered for this machine) in the foreground, as a child of the test. */
export class Nginx {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    private readonly stderr: () => string,
  ) {}

  static async start(opts: Omit<RenderOptions, 'dir' | 'port'>): Promise<Nginx> {
    requireNginx();
    const dir = mkdtempSync(join(tmpdir(), 'herald-nginx-'));
    // As root, nginx's workers run as `nobody` and must reach their temporary directories in here.
    chmodSync(dir, 0o755);
    const port = await freePort();
    const config = join(dir, 'nginx.conf');
    writeFileSync(config, renderNginxConfig(readFileSync(PRODUCTION_CONFIG, 'utf8'), { ...opts, dir, port }));
    const child = spawn(NGINX_BIN, ['-p', `${dir}/`, '-c', config, '-e', join(dir, 'error.log'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // SIGTERM, not SIGKILL: the master then stops its workers, which would otherwise keep the port.
    const stopOnExit = () => child.kill('SIGTERM');
    process.once('exit', stopOnExit);
    child.once('exit', () => process.off('exit', stopOnExit));
    const nginx = new Nginx(child, dir, port, () => stderr);
    try {
      await nginx.waitForListener();
    } catch (error) {
      await nginx.stop();
      throw error;
    }
    return nginx;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** nginx's own complaints (upstream failures, timeouts), for failure messages. */
  errorLog(): string {
    const file = join(this.dir, 'error.log');
    return `${this.stderr()}${existsSync(file) ? readFileSync(file, 'utf8') : ''}`;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitForListener(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`nginx did not start listening on ${this.port} (exit ${this.child.exitCode}):\n${this.errorLog()}`);
      }
      await sleep(50);
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
