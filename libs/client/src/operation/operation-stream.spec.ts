import { envelope, FakeHerald, frame, openSse, sendError } from '../../test/fake-herald';
import { HeraldClient } from '../herald-client';
import { OperationStream } from './operation-stream';

let fake: FakeHerald | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const chunk = (id: string, index: number, text: string) => envelope(id, 'operation.content', { index, offset: 0, text });

function settled(stream: OperationStream, test: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (test()) return resolve();
    const off = stream.subscribe(() => test() && (off(), resolve()));
  });
}

describe('OperationStream', () => {
  it('resumes after stop/start from the last folded event, so nothing is applied twice', async () => {
    fake = await FakeHerald.start((req, res, n) => {
      openSse(res);
      if (n === 0) res.write(frame(chunk('1', 0, 'Once ')));
      else {
        const completed = envelope('3', 'operation.completed', { result: { text: 'Once upon' } });
        res.end(frame(chunk('1', 0, 'Once ')) + frame(chunk('2', 1, 'upon')) + frame(completed));
      }
    });
    const stream = new OperationStream(new HeraldClient({ baseUrl: fake.url }), 'op-1');
    const notified: string[] = [];
    stream.subscribe(() => notified.push(stream.getSnapshot().connection));
    stream.start();
    await settled(stream, () => stream.getSnapshot().chunks === 1);
    stream.stop();
    stream.start();
    await settled(stream, () => stream.getSnapshot().status === 'completed' && stream.getSnapshot().connection === 'closed');

    expect(fake.requests[1].headers['last-event-id']).toBe('1');
    expect(stream.getSnapshot()).toMatchObject({ text: 'Once upon', chunks: 2, connection: 'closed' });
    expect(notified).toContain('open');
  });

  it('shows why it gave up on a permanent error', async () => {
    fake = await FakeHerald.start((req, res) => sendError(res, 404, 'NOT_FOUND'));
    const stream = new OperationStream(new HeraldClient({ baseUrl: fake.url }), 'op-1');
    stream.start();
    await settled(stream, () => stream.getSnapshot().error !== null);
    expect(stream.getSnapshot()).toMatchObject({ error: { code: 'NOT_FOUND' }, connection: 'closed' });
  });

  it('treats cancelling an operation that already finished (409) as done', async () => {
    fake = await FakeHerald.start((req, res) => sendError(res, 409, 'ALREADY_FINISHED'));
    const stream = new OperationStream(new HeraldClient({ baseUrl: fake.url }), 'op-1');
    await expect(stream.cancel()).resolves.toBeUndefined();
  });
});
