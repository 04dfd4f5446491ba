/** One SSE block as written on the wire: its fields in order, comments kept apart. */
export interface SseFrame {
  fields: [name: string, value: string][];
  comments: string[];
  /** The block exactly as received, without its blank-line terminator. */
  raw: string;
}

/**
 * Splits raw SSE text into complete blocks, for byte-level checks that an
 * EventSource hides (which fields a frame carries, comments, `retry:`). An
 * unterminated last block is left out: it may still be arriving.
 */
export function parseFrames(text: string): SseFrame[] {
  const blocks = text.replace(/\r\n?/g, '\n').split('\n\n');
  blocks.pop();
  return blocks
    .filter((raw) => raw.length > 0)
    .map((raw) => {
      const frame: SseFrame = { fields: [], comments: [], raw };
      for (const line of raw.split('\n')) {
        if (line.startsWith(':')) {
          frame.comments.push(line.slice(1).trimStart());
          continue;
        }
        const colon = line.indexOf(':');
        const name = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        frame.fields.push([name, value]);
      }
      return frame;
    });
}

export function field(frame: SseFrame, name: string): string | undefined {
  return frame.fields.find(([n]) => n === name)?.[1];
}

/** Frames that carry an event (not only comments or `retry:`). */
export function eventFrames(text: string): SseFrame[] {
  return parseFrames(text).filter((f) => field(f, 'event') !== undefined || field(f, 'data') !== undefined);
}
