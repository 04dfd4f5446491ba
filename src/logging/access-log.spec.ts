import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { pino } from 'pino';
import { AccessLog } from './access-log';
import { rootLoggerOptions } from './root-logger';

type Line = { level: number; msg: string; req: { id: number; method: string; url: string; headers: Record<string, string> }; res: { statusCode: number }; responseTime: number };

function capture(logLevel: string) {
  const lines: Line[] = [];
  const root = pino(rootLoggerOptions({ logLevel, logPretty: false, role: 'api' }), { write: (l: string) => lines.push(JSON.parse(l)) });
  return { accessLog: new AccessLog(root), lines };
}

/** A server whose every request is tracked, then answered by `respond`. */
async function serve(accessLog: AccessLog, respond: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    accessLog.track(req, res);
    respond(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';

describe('AccessLog', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  it('writes one line per request, with the token redacted from headers, URL and Referer', async () => {
    const { accessLog, lines } = capture('info');
    const target = await serve(accessLog, (_req, res) => res.end('ok'));
    server = target.server;
    const res = await fetch(`${target.url}/api/operations?limit=5&access_token=${TOKEN}`, {
      headers: { Authorization: `Bearer ${TOKEN}`, Cookie: `session=${TOKEN}`, Referer: `http://localhost/?token=${TOKEN}`, 'X-Other': 'kept' },
    });
    await res.text();
    await waitFor(() => lines.length === 1);

    expect(JSON.stringify(lines)).not.toContain(TOKEN.split('.')[2]);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      service: 'herald',
      role: 'api',
      req: {
        method: 'GET',
        url: '/api/operations?limit=5&access_token=[redacted]',
        headers: { authorization: '[redacted]', cookie: '[redacted]', referer: 'http://localhost/?token=[redacted]', 'x-other': 'kept' },
      },
      res: { statusCode: 200 },
    });
    expect(typeof lines[0].req.id).toBe('number');
    expect(lines[0].responseTime).toBeGreaterThanOrEqual(0);
  });

  it('leaves the request’s own headers untouched', async () => {
    const { accessLog } = capture('info');
    let seen: string | undefined;
    const target = await serve(accessLog, (req, res) => res.on('finish', () => (seen = req.headers.authorization)).end());
    server = target.server;
    await (await fetch(target.url, { headers: { Authorization: 'Bearer abc' } })).text();
    await waitFor(() => seen !== undefined);
    expect(seen).toBe('Bearer abc');
  });

  it('writes at error level for a 5xx response, info otherwise, and numbers requests', async () => {
    const { accessLog, lines } = capture('info');
    const statuses = [200, 404, 499, 500, 503];
    const target = await serve(accessLog, (req, res) => {
      res.statusCode = Number(req.url?.slice(1));
      res.end();
    });
    server = target.server;
    for (const status of statuses) await (await fetch(`${target.url}/${status}`)).arrayBuffer();
    await waitFor(() => lines.length === statuses.length);
    expect(lines.map((l) => [l.res.statusCode, l.level])).toEqual([
      [200, 30],
      [404, 30],
      [499, 30],
      [500, 50],
      [503, 50],
    ]);
    const ids = lines.map((l) => l.req.id);
    expect(ids).toEqual(ids.map((_, i) => ids[0] + i));
  });

  it('writes "request aborted" when the client goes before the response is done', async () => {
    const { accessLog, lines } = capture('info');
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const target = await serve(accessLog, () => arrived());
    server = target.server;
    const client = request(`${target.url}/slow`);
    client.on('error', () => undefined);
    client.end();
    await requestArrived;
    client.destroy();
    await waitFor(() => lines.length === 1);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'request aborted', req: { url: '/slow' } });
  });

  it('does nothing when info lines are off: no listener, no line', () => {
    const { accessLog, lines } = capture('warn');
    const req = new IncomingMessage(new Socket());
    const res = new ServerResponse(req);
    const before = { finish: res.listenerCount('finish'), close: res.listenerCount('close') };

    expect(accessLog.enabled).toBe(false);
    accessLog.track(req, res);
    expect({ finish: res.listenerCount('finish'), close: res.listenerCount('close') }).toEqual(before);
    res.emit('finish');
    res.emit('close');
    expect(lines).toEqual([]);
  });

  it('listens for the end of the response when info lines are on', () => {
    const { accessLog } = capture('info');
    const req = new IncomingMessage(new Socket());
    const res = new ServerResponse(req);
    const before = res.listenerCount('finish');
    accessLog.track(req, res);
    expect(res.listenerCount('finish')).toBe(before + 1);
    res.emit('close');
    // Both listeners go with the first of the two events.
    expect(res.listenerCount('finish')).toBe(before);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
