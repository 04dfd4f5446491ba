/** One stored event as read off the wire: its id, name and parsed envelope. */
export interface SseFrame {
  id: string;
  event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  envelope: { data: Record<string, any> };
}

/** Parses Herald's frames (one-line data) and keeps those with an id: the stored events. */
export function sseFrames(text: string): SseFrame[] {
  return text
    .split('\n\n')
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .find((line) => line.startsWith(`${name}: `))
          ?.slice(name.length + 2);
      const id = field('id');
      return id ? { id, event: field('event')!, envelope: JSON.parse(field('data')!) } : null;
    })
    .filter((frame): frame is SseFrame => frame !== null);
}
