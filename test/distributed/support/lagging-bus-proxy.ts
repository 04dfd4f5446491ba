import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';

// A SUBSCRIBE command in RESP, as any client library sends it.
const SUBSCRIBE = /\r\nsubscribe\r\n/i;

/**
 * A TCP proxy in front of Redis that delays what Redis sends to connections
 * that have subscribed to a channel, and nothing else: a process behind it
 * gets every pub/sub message late while its own commands stay fast. That
 * makes one API process lag the other on the event bus, so a client that
 * drops on the fast one and resumes on the slow one at once is ahead of it.
 */
export class LaggingBusProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
    private readonly delayMs: number,
  ) {
    this.server = createServer((client) => this.connect(client));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private connect(client: Socket): void {
    const upstream = createConnection(this.upstreamPort, this.upstreamHost);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    let delay = 0;
    client.on('data', (chunk: Buffer) => {
      if (SUBSCRIBE.test(chunk.toString('latin1'))) delay = this.delayMs;
      upstream.write(chunk);
    });
    // The delay only ever grows (0 → delayMs) and timers of one duration fire in the
    // order they were set, so the byte stream keeps its order.
    upstream.on('data', (chunk: Buffer) => {
      const send = () => !client.destroyed && client.write(chunk);
      if (delay === 0) send();
      else setTimeout(send, delay);
    });
  }
}
