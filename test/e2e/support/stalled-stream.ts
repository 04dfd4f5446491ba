import { IncomingMessage, request } from 'node:http';

export interface StalledStream {
  status: number;
  /**
   * Starts reading again and resolves with everything the server sent once
   * the response is over; rejects if it is still open after `timeoutMs`.
   */
  drainToEnd(timeoutMs?: number): Promise<string>;
  close(): void;
}

/**
 * A client that stops reading right after the response headers: the paused
 * response makes Node stop reading the socket, so the server's writes pile up
 * in kernel buffers and then in the server's own — a slow consumer.
 */
export function openStalledStream(url: string, headers: Record<string, string>): Promise<StalledStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res: IncomingMessage) => {
      res.pause();
      const chunks: Buffer[] = [];
      const over = new Promise<void>((done) => {
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
        res.on('aborted', done);
      });
      resolve({
        status: res.statusCode ?? 0,
        close: () => req.destroy(),
        async drainToEnd(timeoutMs = 15_000) {
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.resume();
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<never>((_, fail) => {
            timer = setTimeout(() => fail(new Error(`the server kept the stream open for ${timeoutMs} ms`)), timeoutMs);
          });
          try {
            await Promise.race([over, timeout]);
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
