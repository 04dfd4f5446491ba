import { Subject } from 'rxjs';
import { EventBus } from './event-bus';
import { StoredEvent } from './stored-event';

/** The in-process bus of embedded mode. */
export class LocalEventBus extends EventBus {
  private readonly subject = new Subject<StoredEvent[]>();
  readonly events$ = this.subject.asObservable();
  readonly reconnected$ = new Subject<void>().asObservable();

  async publish(events: StoredEvent[]): Promise<void> {
    if (events.length > 0) this.subject.next(events);
  }
}
