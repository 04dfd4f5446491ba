import type { EventEnvelope } from '@herald/client';
import { TERMINAL_EVENT_TYPES } from '@herald/client';
import { describeEvent } from './format';

const MAX_ENTRIES = 300;

/** The live event log: every event of the operation as it arrives, plus connection changes and the page's own actions. */
export class EventLog {
  private lastShown: EventEnvelope | null = null;
  private total = 0;

  constructor(
    private readonly list: HTMLOListElement,
    private readonly counter: HTMLElement,
  ) {}

  /** Appends the events not shown yet (the snapshot keeps a bounded, growing window of them). */
  sync(events: readonly EventEnvelope[]): void {
    const from = this.lastShown ? events.lastIndexOf(this.lastShown) + 1 : 0;
    for (const event of events.slice(from)) {
      const kind = TERMINAL_EVENT_TYPES.includes(event.type) ? 'terminal' : 'event';
      this.add(kind, event.id ? `#${event.id}` : '', event.type, describeEvent(event));
    }
    if (events.length > 0) this.lastShown = events[events.length - 1];
  }

  /** A line that is not an event: `connection` changes, or what the page itself did (`client`). */
  note(type: 'connection' | 'client', detail: string): void {
    this.add(type, '', type, detail);
  }

  /** A new operation: its events start a fresh window. */
  restart(): void {
    this.lastShown = null;
  }

  private add(kind: string, id: string, type: string, detail: string): void {
    const nearBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    const item = document.createElement('li');
    item.dataset.kind = kind;
    item.dataset.type = type;
    item.append(span('id', id || new Date().toLocaleTimeString()), span('type', type), span('detail', detail));
    this.list.append(item);
    while (this.list.childElementCount > MAX_ENTRIES) this.list.firstElementChild?.remove();
    this.counter.textContent = String(++this.total);
    if (nearBottom) this.list.scrollTop = this.list.scrollHeight;
  }
}

function span(className: string, text: string): HTMLSpanElement {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}
