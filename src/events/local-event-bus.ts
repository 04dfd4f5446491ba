import { Subject } from 'rxjs';
import { EventBus } from './event-bus';
import { StoredEvent } from './stored-event';

/** The in-process bus of embedded mode. */
export class LocalEventBus extends EventBus {
  private readonly subject = new Subject<StoredEvent[]>();
  readonly events$ = this.subject.asObservable();
  readonly reconnected$ = new Subject<void>().asObservable();

  /** Everything published in this process is already in events$. */
  async listen(): Promise<void> {}

  async publish(events: StoredEvent[]): Promise<void> {
    if (events.length > 0) this.subject.next(events);
  }
}
