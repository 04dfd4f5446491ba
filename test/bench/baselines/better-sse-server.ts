import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Channel, createChannel, createSession } from 'better-sse';
import { readBody } from '../../support/read-body';

// Peer baseline: better-sse on node:http as its documentation shows it, one
// channel per user. Nothing is stored, so a resume cannot be served; the
// benchmark compares only what both can do (holding streams, fanning out).
// GET /stream?user=<id>, POST /publish {userId, type, data} → 201.

const channels = new Map<string, Channel>();

function channelOf(userId: string): Channel {
  let channel = channels.get(userId);
  if (!channel) {
    const created = createChannel();
    created.on('session-deregistered', () => {
      if (created.sessionCount === 0) channels.delete(userId);
    });
    channels.set(userId, created);
    channel = created;
  }
  return channel;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/stream') {
    const user = url.searchParams.get('user');
    if (!user) return json(res, 400, { message: 'user is required' });
    channelOf(user).register(await createSession(req, res));
    return;
  }
  if (req.method === 'POST' && url.pathname === '/publish') {
    const { userId, type, data } = JSON.parse(await readBody(req)) as { userId: string; type: string; data: unknown };
    channels.get(userId)?.broadcast(data, type);
    return json(res, 201, { ok: true });
  }
  if (req.method === 'GET' && url.pathname === '/health/live') return json(res, 200, { status: 'ok' });
  json(res, 404, { message: 'not found' });
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: Error) => {
    if (!res.headersSent) json(res, 500, { message: error.message });
    else res.destroy();
  });
});
server.listen(Number(process.env.PORT ?? 3100), '127.0.0.1');
