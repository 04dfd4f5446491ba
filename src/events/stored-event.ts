import { EventEnvelope } from '@herald/contracts';
import type { NewEvent } from './new-event';

/**
 * An event as stored and delivered. The envelope JSON and the SSE frame are
 * built once per process and shared by every connection that receives the
 * event: serialization must not cost O(connections).
 */
export class StoredEvent {
  private envelopeJson?: string;
  private sseFrame?: string;
  private storedAt?: number;

  constructor(
    readonly userId: string,
    /** Per-user sequence number; null for a non-persistent (live-only) event. */
    readonly seq: number | null,
    readonly type: string,
    readonly operationId: string | null,
    readonly workflowId: string | null,
    readonly agentId: string | null,
    /** The `data` object already serialized as JSON text, as stored. */
    readonly dataJson: string,
    readonly ts: string,
  ) {}

  /** A new event as stored under `seq` at `ts`, its data already serialized. */
  static of(event: NewEvent, seq: number, dataJson: string, ts: string): StoredEvent {
    const { userId, type, operationId, workflowId, agentId } = event;
    return new StoredEvent(userId, seq, type, operationId ?? null, workflowId ?? null, agentId ?? null, dataJson, ts);
  }

  get id(): string | null {
    return this.seq === null ? null : String(this.seq);
  }

  get json(): string {
    this.envelopeJson ??=
      `{"id":${this.seq === null ? 'null' : `"${this.seq}"`},"type":${JSON.stringify(this.type)},"v":1,` +
      `"ts":"${this.ts}","operationId":${nullableString(this.operationId)},` +
      `"workflowId":${nullableString(this.workflowId)},"agentId":${nullableString(this.agentId)},` +
      `"data":${this.dataJson}}`;
    return this.envelopeJson;
  }

  /** `id:` / `event:` / `data:` lines. JSON never contains CR or LF, so model text cannot forge a field. */
  get frame(): string {
    this.sseFrame ??= `${this.seq === null ? '' : `id: ${this.seq}\n`}event: ${this.type}\ndata: ${this.json}\n\n`;
    return this.sseFrame;
  }

  /** `ts` as epoch milliseconds, parsed once however many connections measure latency with it. */
  get storedAtMs(): number {
    this.storedAt ??= Date.parse(this.ts);
    return this.storedAt;
  }

  envelope(): EventEnvelope {
    return JSON.parse(this.json) as EventEnvelope;
  }

  get byteLength(): number {
    return Buffer.byteLength(this.frame);
  }
}

function nullableString(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}
