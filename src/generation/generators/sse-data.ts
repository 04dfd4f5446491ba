/**
 * The `data` of each event in a Server-Sent Events body, following the WHATWG
 * parsing rules OpenAI-compatible servers rely on: lines end in \n, \r\n or
 * \r; the data lines of one event join with \n; comments and other fields are
 * ignored. An event counts only once its blank line arrives, so a body cut off
 * mid-event yields nothing for it rather than half a JSON document.
 */
export async function* sseData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const parser = new SseParser();
  for await (const bytes of body) yield* parser.push(decoder.decode(bytes, { stream: true }), false);
  yield* parser.push(decoder.decode(), true);
}

class SseParser {
  private buffer = '';
  private data: string[] = [];

  *push(text: string, final: boolean): Generator<string> {
    this.buffer += text;
    let start = 0;
    for (;;) {
      const end = lineEnd(this.buffer, start);
      if (end < 0) break;
      // A \r as the last character may be the first half of a \r\n split across reads.
      if (this.buffer[end] === '\r' && end === this.buffer.length - 1 && !final) break;
      const event = this.line(this.buffer.slice(start, end));
      if (event !== null) yield event;
      start = end + (this.buffer.startsWith('\r\n', end) ? 2 : 1);
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string): string | null {
    if (line === '') {
      if (this.data.length === 0) return null;
      const event = this.data.join('\n');
      this.data = [];
      return event;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field !== 'data') return null;
    const value = colon < 0 ? '' : line.slice(colon + 1);
    this.data.push(value.startsWith(' ') ? value.slice(1) : value);
    return null;
  }
}

function lineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\n' || text[i] === '\r') return i;
  }
  return -1;
}
