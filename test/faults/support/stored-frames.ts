import { isDeepStrictEqual } from 'node:util';
import { StoredRow } from '../../distributed/support/resume-views';
import { SseFrame } from './sse-frames';

/** The frames a client received that are not, id for id, a stored event: none may exist (stored before delivered). */
export function unstoredFrames(frames: SseFrame[], rows: StoredRow[]): SseFrame[] {
  const stored = new Map(rows.map((row) => [String(row.id), row]));
  return frames.filter((f) => {
    const row = stored.get(f.id);
    return !row || row.type !== f.event || !isDeepStrictEqual(row.data, f.envelope.data);
  });
}
