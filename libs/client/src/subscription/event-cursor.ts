import { EventEnvelope, TERMINAL_EVENT_TYPES } from '@herald/contracts';
import { StreamView } from './views';

const NUMERIC_ID = /^\d+$/;

/**
 * Where a subscription stands: the last event id it delivered (sent back as
 * Last-Event-ID), duplicate suppression across reconnects and transports, and
 * whether the operation view has seen its operation's terminal event.
 */
export class EventCursor {
  private last: number | null = null;
  private id: string | null = null;
  private terminal = false;

  constructor(
    private readonly view: StreamView,
    start: string | undefined,
    private readonly onEvent: (event: EventEnvelope) => void,
  ) {
    if (start !== undefined) this.advanceTo(start);
  }

  get lastEventId(): string | null {
    return this.id;
  }

  /** The operation view got its operation's terminal event: nothing more will come. */
  get ended(): boolean {
    return this.terminal;
  }

  /**
   * Delivers an event unless its id is at or below one already delivered.
   * Ids increase strictly across all of a user's events (SPEC §4), so a lower
   * id can only be a replayed duplicate. Events without an id (live-only
   * custom events) are always delivered.
   */
  deliver(id: string | null | undefined, event: EventEnvelope): void {
    if (id) {
      if (NUMERIC_ID.test(id)) {
        const n = Number(id);
        if (this.last !== null && n <= this.last) return;
        this.last = n;
      }
      this.id = id;
    }
    if (
      this.view.kind === 'operation' &&
      event.operationId === this.view.id &&
      TERMINAL_EVENT_TYPES.includes(event.type)
    ) {
      this.terminal = true;
    }
    this.onEvent(event);
  }

  /** Starts duplicate suppression afresh: the server's sequence no longer continues ours. */
  forget(): void {
    this.last = null;
  }

  /** Moves past ids that matched nothing (a filtered poll's high-water mark), so a resume skips them. */
  advanceTo(id: string | null): void {
    if (id === null || !NUMERIC_ID.test(id)) return;
    const n = Number(id);
    if (this.last === null || n > this.last) {
      this.last = n;
      this.id = id;
    }
  }
}
