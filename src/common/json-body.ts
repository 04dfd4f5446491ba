import type { IncomingMessage } from 'node:http';
import { invalidJson } from './body-parser-errors';

/**
 * The JSON body of a request whose Content-Length the caller has checked, read
 * as the JSON body parser reads it (strict: an object or an array at the top,
 * a byte-order mark ignored), for routes that answer outside Express.
 * Rejects with the same 400 INVALID_JSON; resolves to undefined when the
 * client went away before sending it all.
 */
export function readJsonBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    // After 'end' has settled it, a close changes nothing; before, the client gave up.
    request.on('error', () => resolve(undefined));
    request.on('close', () => resolve(undefined));
    request.on('end', () => {
      try {
        resolve(parseStrictJson(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
      } catch {
        reject(invalidJson());
      }
    });
  });
}

const JSON_NON_WHITESPACE = /[^\x20\t\n\r]/;

function parseStrictJson(bytes: Buffer): unknown {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const first = text[text.search(JSON_NON_WHITESPACE)];
  if (first !== '{' && first !== '[') throw new SyntaxError('a JSON body must be an object or an array');
  return JSON.parse(text);
}
