import type { Operation } from '@herald/contracts';
import type { CollectedEvent } from '../../support/sse-client';

interface Envelope {
  id: string;
  type: string;
  operationId: string | null;
  data: Record<string, unknown>;
}

/** What a client reassembles from an operation's stream. */
export interface ReassembledOperation {
  ids: number[];
  statuses: string[];
  indexes: number[];
  text: string;
  /** Content text per pipeline stage, in the order the stages streamed. */
  stages: { name: string; text: string }[];
  terminal: Envelope | undefined;
}

/**
 * Reassembles an operation from the events a client received, checking on the
 * way what every event must satisfy: an id, an envelope that repeats that id
 * and the event name, and offsets that match the text received so far.
 */
export function reassemble(events: CollectedEvent[], operationId: string): ReassembledOperation {
  const out: ReassembledOperation = { ids: [], statuses: [], indexes: [], text: '', stages: [], terminal: undefined };
  for (const ev of events) {
    if (ev.lastEventId === '') continue;
    const env = ev.json as Envelope;
    if (env.operationId !== operationId) continue;
    if (env.id !== ev.lastEventId || env.type !== ev.type) {
      throw new Error(`envelope ${ev.data} does not match id ${ev.lastEventId} / event ${ev.type}`);
    }
    out.ids.push(Number(ev.lastEventId));
    if (ev.type === 'operation.status') out.statuses.push(env.data.status as string);
    if (ev.type === 'operation.content') {
      const { index, offset, text, stage } = env.data as { index: number; offset: number; text: string; stage?: string };
      if (offset !== out.text.length) throw new Error(`chunk ${index} has offset ${offset}, expected ${out.text.length}`);
      out.indexes.push(index);
      out.text += text;
      const name = stage ?? '';
      if (out.stages.at(-1)?.name !== name) out.stages.push({ name, text: '' });
      out.stages[out.stages.length - 1].text += text;
    }
    if (['operation.completed', 'operation.failed', 'operation.cancelled'].includes(ev.type)) out.terminal = env;
  }
  return out;
}

export function isStrictlyIncreasing(values: number[]): boolean {
  return values.every((v, i) => i === 0 || v > values[i - 1]);
}

/** The id of the operation's last stored event, as GET /api/operations/:id reports it. */
export function lastEventIdOf(op: Operation): number {
  return Number(op.lastEventId);
}
