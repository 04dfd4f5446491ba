export interface SseEvent {
  id: string | null;
  type: string;
  data: string;
}

/**
 * Incremental decoder of an HTTP/1.1 response body carrying an event stream:
 * chunked transfer coding first, then SSE framing. It works on latin1 strings
 * (one char per byte), so a chunk size counts chars exactly and a multi-byte
 * character split across reads is never mangled; the benchmark only reads
 * ASCII fields (ids, names, numbers) out of events.
 */
export class SseDecoder {
  /** The body ended in-band (last chunk of a chunked body). */
  finished = false;
  private raw = '';
  private chunkLeft = 0;
  private needCrlf = false;
  private pending = '';

  constructor(
    private readonly chunked: boolean,
    private readonly onEvent: (event: SseEvent) => void,
  ) {}

  push(text: string): void {
    if (this.finished) return;
    if (this.chunked) this.dechunk(text);
    else this.frame(text);
  }

  private dechunk(text: string): void {
    const raw = this.raw.length > 0 ? this.raw + text : text;
    let pos = 0;
    let out = '';
    for (;;) {
      if (this.chunkLeft > 0) {
        const take = Math.min(this.chunkLeft, raw.length - pos);
        out += raw.substr(pos, take);
        pos += take;
        this.chunkLeft -= take;
        if (this.chunkLeft > 0) break;
        this.needCrlf = true;
      }
      if (this.needCrlf) {
        if (raw.length - pos < 2) break;
        pos += 2;
        this.needCrlf = false;
      }
      const eol = raw.indexOf('\r\n', pos);
      if (eol < 0) break;
      // parseInt stops at a chunk extension (";name=value"), which is what the grammar wants ignored.
      const size = parseInt(raw.slice(pos, eol), 16);
      pos = eol + 2;
      if (size === 0) {
        this.finished = true;
        break;
      }
      this.chunkLeft = size;
    }
    this.raw = raw.slice(pos);
    if (out.length > 0) this.frame(out);
  }

  private frame(text: string): void {
    const buf = this.pending.length > 0 ? this.pending + text : text;
    let start = 0;
    for (;;) {
      const end = buf.indexOf('\n\n', start);
      if (end < 0) break;
      this.dispatch(buf, start, end);
      start = end + 2;
    }
    this.pending = start === 0 ? buf : buf.slice(start);
  }

  /** Fields of one event block; the three servers measured all end lines with LF. */
  private dispatch(buf: string, start: number, end: number): void {
    let id: string | null = null;
    let type = 'message';
    let data: string | null = null;
    let pos = start;
    while (pos < end) {
      let eol = buf.indexOf('\n', pos);
      if (eol < 0 || eol > end) eol = end;
      const colon = buf.indexOf(':', pos);
      if (colon > pos && colon < eol) {
        const field = buf.slice(pos, colon);
        const valueStart = buf.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
        const value = buf.slice(valueStart, eol);
        if (field === 'data') data = data === null ? value : `${data}\n${value}`;
        else if (field === 'id') id = value;
        else if (field === 'event') type = value;
      }
      pos = eol + 1;
    }
    if (data !== null) this.onEvent({ id, type, data });
  }
}

/** The number after `"key":` in a JSON text, without parsing the whole text. */
export function numberField(json: string, key: string): number {
  const at = json.indexOf(`"${key}":`);
  if (at < 0) return NaN;
  return parseFloat(json.slice(at + key.length + 3, at + key.length + 3 + 24));
}

/** The string after `"key":"` in a JSON text (no escapes expected). */
export function stringField(json: string, key: string): string | null {
  const marker = `"${key}":"`;
  const at = json.indexOf(marker);
  if (at < 0) return null;
  const from = at + marker.length;
  return json.slice(from, json.indexOf('"', from));
}
