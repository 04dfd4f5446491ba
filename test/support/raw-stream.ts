import { IncomingHttpHeaders, request } from 'node:http';
import { StringDecoder } from 'node:string_decoder';

// For byte-level assertions (exact framing, headers, what is written before
// an error) that EventSource hides: a plain HTTP GET whose body is kept as
// received.

export interface RawStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** Everything received so far, decoded as UTF-8. */
  text(): string;
  /** Everything received so far, as bytes. */
  buffer(): Buffer;
  /** Resolves with the text received so far once it contains/matches `pattern`. */
  waitFor(pattern: string | RegExp | ((text: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Resolves when the response is over (server end, close() or socket error). */
  ended: Promise<void>;
  /** Yields body chunks (as text) from the first one on, until the response ends. */
  [Symbol.asyncIterator](): AsyncIterator<string>;
  close(): void;
}

export function openRawStream(url: string, headers: Record<string, string> = {}): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      const wakeups = new Set<() => void>();
      let done = false;
      const wake = () => {
        for (const w of [...wakeups]) w();
      };
      const ended = new Promise<void>((resolveEnded) => {
        const end = () => {
          if (done) return;
          done = true;
          wake();
          resolveEnded();
        };
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
      });
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        wake();
      });

      const buffer = () => Buffer.concat(chunks);
      const text = () => buffer().toString('utf8');
      // Resolves on the next chunk or at the end of the response.
      const nextChange = () => new Promise<void>((r) => wakeups.add(function once() { wakeups.delete(once); r(); }));

      const waitFor: RawStream['waitFor'] = async (pattern, timeoutMs = 10_000) => {
        const matches =
          typeof pattern === 'function'
            ? pattern
            : (t: string) => (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t));
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const current = text();
          if (matches(current)) return current;
          if (done) throw new Error(`stream ended without ${String(pattern)}; received:\n${current}`);
          const remaining = deadline - Date.now();
          if (remaining <= 0) throw new Error(`no ${String(pattern)} within ${timeoutMs} ms; received:\n${current}`);
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([nextChange(), new Promise((r) => (timer = setTimeout(r, remaining)))]);
          clearTimeout(timer);
        }
      };

      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        text,
        buffer,
        waitFor,
        ended,
        close: () => req.destroy(),
        async *[Symbol.asyncIterator]() {
          // A decoder per iterator: a multi-byte character may span two chunks.
          const decoder = new StringDecoder('utf8');
          let index = 0;
          for (;;) {
            while (index < chunks.length) yield decoder.write(chunks[index++]);
            if (done) {
              const rest = decoder.end();
              if (rest) yield rest;
              return;
            }
            await nextChange();
          }
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}
