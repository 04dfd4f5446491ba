import { Observable } from 'rxjs';
import { StoredEvent } from './stored-event';

/**
 * Carries committed events to every API process: an RxJS Subject in embedded
 * mode, Redis pub/sub between processes. Delivery may reorder or drop under
 * faults; the stream router repairs that from the store, so the bus only has
 * to be fast.
 */
export abstract class EventBus {
  /** Batches of events, in the order the publisher committed them. */
  abstract readonly events$: Observable<StoredEvent[]>;
  /** Emits after the bus (re)connects: subscribers re-read what they may have missed. */
  abstract readonly reconnected$: Observable<void>;
  abstract publish(events: StoredEvent[]): Promise<void>;
  /**
   * Starts receiving other processes' events into events$. Only a process that
   * routes streams calls it: a worker only publishes, and receiving (and parsing)
   * every batch there would cost it as much CPU as its own writes.
   */
  abstract listen(): Promise<void>;
}
