import type { EventWriter } from '../events/event-writer';
import type { NewEvent } from '../events/new-event';
import type { StoredEvent } from '../events/stored-event';
import { OperationEnded, OperationEventSink } from './operation-event-sink';

/** A writer whose writes stay in flight until the test settles them. */
class ManualWriter {
  readonly writes: { events: NewEvent[]; resolve: (n: number) => void; reject: (e: Error) => void }[] = [];
  write(events: NewEvent[]): Promise<StoredEvent[]> {
    return new Promise((resolve, reject) => {
      this.writes.push({ events, resolve: (n) => resolve(events.slice(0, n) as unknown as StoredEvent[]), reject });
    });
  }
  get batches(): string[][] {
    return this.writes.map((w) => w.events.map((e) => e.type));
  }
}

const ev = (name: string): NewEvent => ({ userId: 'u', type: name, data: {} });
const tick = () => new Promise((r) => setImmediate(r));

describe('OperationEventSink', () => {
  it('keeps one write in flight and puts what arrives meanwhile into the next one, in order', async () => {
    const writer = new ManualWriter();
    const sink = new OperationEventSink(writer as unknown as EventWriter);
    await sink.push([ev('a.1')]);
    await sink.push([ev('a.2')]);
    await sink.push([ev('a.3'), ev('a.4')]);
    expect(writer.batches).toEqual([['a.1']]);
    writer.writes[0].resolve(1);
    await tick();
    expect(writer.batches).toEqual([['a.1'], ['a.2', 'a.3', 'a.4']]);
    const flushed = sink.flush();
    writer.writes[1].resolve(3);
    await expect(flushed).resolves.toBeUndefined();
  });

  it('never writes a later event once a write failed, and reports the failure', async () => {
    const writer = new ManualWriter();
    const sink = new OperationEventSink(writer as unknown as EventWriter);
    await sink.push([ev('a.1')]);
    await sink.push([ev('a.2')]);
    writer.writes[0].reject(new Error('database down'));
    await tick();
    await expect(sink.push([ev('a.3')])).rejects.toThrow('database down');
    await expect(sink.flush()).rejects.toThrow('database down');
    expect(writer.batches).toEqual([['a.1']]);
  });

  it('stops with OperationEnded when the store dropped the events (the operation ended elsewhere)', async () => {
    const writer = new ManualWriter();
    const sink = new OperationEventSink(writer as unknown as EventWriter);
    await sink.push([ev('a.1')]);
    await sink.push([ev('a.2')]);
    writer.writes[0].resolve(0);
    await tick();
    await expect(sink.push([ev('a.3')])).rejects.toBeInstanceOf(OperationEnded);
    expect(writer.batches).toEqual([['a.1']]);
  });

  it('makes the producer wait while too much is pending', async () => {
    const writer = new ManualWriter();
    const sink = new OperationEventSink(writer as unknown as EventWriter);
    await sink.push([ev('a.0')]);
    let returned = false;
    const pushing = sink.push(Array.from({ length: 300 }, (_, i) => ev(`a.${i + 1}`))).then(() => (returned = true));
    await tick();
    expect(returned).toBe(false);
    writer.writes[0].resolve(1);
    await tick();
    writer.writes[1].resolve(300);
    await pushing;
    expect(returned).toBe(true);
  });

  it('abandon waits for the write in flight and drops the rest', async () => {
    const writer = new ManualWriter();
    const sink = new OperationEventSink(writer as unknown as EventWriter);
    await sink.push([ev('a.1')]);
    await sink.push([ev('a.2')]);
    const abandoned = sink.abandon();
    writer.writes[0].reject(new Error('gone'));
    await expect(abandoned).resolves.toBeUndefined();
    expect(writer.batches).toEqual([['a.1']]);
  });
});
