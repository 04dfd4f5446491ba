import { IncomingMessage, request } from 'node:http';

export interface StalledReader {
  status: number;
  /**
   * Starts reading again and resolves with the body once the response is over
   * or, given `lastId`, once the event with that id has arrived.
   */
  read(timeoutMs: number, lastId?: string): Promise<string>;
  close(): void;
}

/**
 * A client that stops reading right after the response headers: the paused
 * response stops Node reading the socket, so what the server writes piles up
 * in kernel buffers and then in the server's own — a slow consumer.
 */
export function openStalledReader(url: string, headers: Record<string, string>): Promise<StalledReader> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res: IncomingMessage) => {
      res.pause();
      const over = new Promise<void>((done) => {
        for (const event of ['end', 'close', 'error', 'aborted']) res.on(event, () => done());
      });
      resolve({
        status: res.statusCode ?? 0,
        close: () => req.destroy(),
        async read(timeoutMs, lastId) {
          const chunks: Buffer[] = [];
          let arrived: () => void = () => undefined;
          const reachedLast = new Promise<void>((done) => (arrived = done));
          const marker = lastId === undefined ? null : Buffer.from(`id: ${lastId}\n`);
          // Only the new bytes (and a few before them) are searched: bodies run to many megabytes.
          let tail = Buffer.alloc(0);
          let inLastEvent = false;
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            if (!marker) return;
            const window = Buffer.concat([tail, chunk]);
            const from = inLastEvent ? Math.max(0, tail.length - 1) : window.indexOf(marker);
            if (from !== -1) {
              inLastEvent = true;
              // The event is complete at its blank line.
              if (window.indexOf('\n\n', from) !== -1) arrived();
            }
            tail = window.subarray(Math.max(0, window.length - 64));
          });
          res.resume();
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<never>((_, fail) => {
            const message = `the stream neither ended nor reached its last event within ${timeoutMs} ms`;
            timer = setTimeout(() => fail(new Error(message)), timeoutMs);
          });
          try {
            await Promise.race([over, reachedLast, timeout]);
          } finally {
            clearTimeout(timer);
          }
          return Buffer.concat(chunks).toString('utf8');
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}
