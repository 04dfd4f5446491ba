import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, get, RequestListener, Server } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAcceptors } from './extra-acceptors';

const QUEUED = 12;

function listening(handler: RequestListener = (_req, res) => res.end('ok')): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Has another process open QUEUED connections while this event loop is held
 * busy, so they all wait in the kernel's accept queue; then counts the
 * connections the server has seen after each of the next loop turns.
 */
async function acceptedPerTurn(server: Server): Promise<number[]> {
  const { port } = server.address() as AddressInfo;
  const dir = mkdtempSync(join(tmpdir(), 'herald-acceptors-'));
  const ready = join(dir, 'connected');
  const client = spawn(process.execPath, [
    '-e',
    `const net = require('net'); let n = 0;
     for (let i = 0; i < ${QUEUED}; i++) net.connect(${port}, '127.0.0.1').on('connect', () => {
       if (++n === ${QUEUED}) require('fs').writeFileSync(${JSON.stringify(ready)}, '');
     }).on('error', () => {});
     setTimeout(() => process.exit(0), 10000);`,
  ]);
  let seen = 0;
  server.on('connection', () => seen++);
  try {
    // Held busy: nothing is accepted until every connection waits in the queue.
    const deadline = Date.now() + 10_000;
    while (!existsSync(ready) && Date.now() < deadline);
    const counts: number[] = [];
    await new Promise<void>((resolve) => {
      const turn = () => {
        counts.push(seen);
        if (counts.length < 6) setImmediate(turn);
        else resolve();
      };
      setImmediate(turn);
    });
    return counts;
  } finally {
    client.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('addAcceptors', () => {
  it('lets one turn of the event loop accept a connection per descriptor, where the listener alone accepts one', async () => {
    const alone = await listening();
    const withAcceptors = await listening();
    await addAcceptors(withAcceptors, 3, 511);
    try {
      const one = await acceptedPerTurn(alone);
      const four = await acceptedPerTurn(withAcceptors);

      // libuv accepts once per ready descriptor per turn: 1 a turn alone, 4 with three more descriptors.
      expect(Math.max(...one.map((n, i) => n - (one[i - 1] ?? 0)))).toBe(1);
      expect(Math.max(...four.map((n, i) => n - (four[i - 1] ?? 0)))).toBe(4);
      expect(four.at(-1)).toBe(QUEUED);
    } finally {
      alone.closeAllConnections();
      withAcceptors.closeAllConnections();
      await Promise.all([alone, withAcceptors].map((s) => new Promise((r) => s.close(r))));
    }
  }, 30_000);

  it('serves the connections it accepts as the HTTP server, and close() stops every descriptor but waits for them', async () => {
    const server = await listening((_req, res) => setTimeout(() => res.end('ok'), 300));
    await addAcceptors(server, 3, 511);
    const { port } = server.address() as AddressInfo;
    const answers = Array.from(
      { length: 8 },
      () =>
        new Promise<number | string>((resolve) =>
          get({ port, host: '127.0.0.1', agent: false }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          }).on('error', (e: NodeJS.ErrnoException) => resolve(e.code!)),
        ),
    );
    await new Promise((r) => setTimeout(r, 100));
    // All eight are the HTTP server's, whichever descriptor took them: that count is what close() waits on.
    const counted = await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));
    const closedAt = new Promise<number>((resolve) => server.close(() => resolve(Date.now())));
    const refused = await new Promise<string>((resolve) =>
      connect(port, '127.0.0.1')
        .on('connect', () => resolve('connected'))
        .on('error', (e: NodeJS.ErrnoException) => resolve(e.code!)),
    );
    const statuses = await Promise.all(answers);
    const answeredAt = Date.now();

    expect(counted).toBe(8);
    expect(refused).toBe('ECONNREFUSED');
    expect(statuses).toEqual(Array(8).fill(200));
    expect(await closedAt).toBeGreaterThanOrEqual(answeredAt - 50);
  }, 30_000);

  it('does nothing for zero descriptors', async () => {
    const server = await listening();
    try {
      expect(await addAcceptors(server, 0, 511)).toEqual([]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
