import { envelope } from '../../test/fake-herald';
import { applyEvent, applyOperation, initialSnapshot, OperationSnapshot } from './operation-snapshot';
import type { EventEnvelope, Operation } from '@herald/contracts';

const result = { text: 'Once upon a time', tokens: 4, durationMs: 10 };

function fold(events: EventEnvelope[], max = 100): OperationSnapshot {
  return events.reduce((s, e) => applyEvent(s, e, max), initialSnapshot('op-1'));
}

const chunk = (id: string, index: number, text: string, stage?: string) =>
  envelope(id, 'operation.content', { index, offset: 0, text, ...(stage ? { stage } : {}) });

describe('operation snapshot', () => {
  it('builds status, progress, stage and text from the events', () => {
    const s = fold([
      envelope('1', 'operation.status', { status: 'running', previousStatus: 'queued' }),
      envelope('2', 'operation.progress', { current: 1, total: 4, percentage: 25, stage: 'world', etaMs: 300 }),
      chunk('3', 0, 'Once ', 'world'),
      chunk('4', 1, 'upon a time'),
    ]);
    expect(s).toMatchObject({
      status: 'running',
      progress: { percentage: 25, etaMs: 300 },
      stage: 'world',
      text: 'Once upon a time',
      chunks: 2,
      lastEventId: '4',
      textSource: 'stream',
    });
    expect(s.events.map((e) => e.id)).toEqual(['1', '2', '3', '4']);
  });

  it('keeps the streamed text on completion and records the result', () => {
    const s = fold([chunk('1', 0, 'Once upon a time'), envelope('2', 'operation.completed', { result })]);
    expect(s).toMatchObject({ status: 'completed', result, text: 'Once upon a time', textSource: 'stream' });
  });

  it('ignores a chunk index it already has', () => {
    const s = fold([chunk('1', 0, 'Once '), chunk('2', 0, 'Once '), chunk('3', 1, 'upon')]);
    expect(s.text).toBe('Once upon');
  });

  it('replaces text with missing chunks by the result when it arrives', () => {
    const s = fold([chunk('7', 3, 'time'), envelope('8', 'operation.completed', { result })]);
    expect(s).toMatchObject({ text: 'Once upon a time', textSource: 'result', missingChunks: false });
  });

  it('records failure and cancellation', () => {
    const failed = fold([envelope('1', 'operation.failed', { code: 'TIMEOUT', message: 'too slow', retryable: false })]);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT', message: 'too slow' } });
    expect(fold([envelope('1', 'operation.cancelled', { reason: 'user' })]).status).toBe('cancelled');
  });

  it('keeps only the latest events', () => {
    const s = fold(['1', '2', '3', '4', '5'].map((id) => envelope(id, 'x.y')), 3);
    expect(s.events.map((e) => e.id)).toEqual(['3', '4', '5']);
  });

  it('takes the stored operation as the truth after a gap', () => {
    const operation = { status: 'completed', progress: { percentage: 100 }, result, error: null } as unknown as Operation;
    const gapped = fold([chunk('9', 5, 'time')]);
    expect(applyOperation(gapped, operation)).toMatchObject({ status: 'completed', text: result.text, textSource: 'result' });
    const whole = fold([chunk('1', 0, 'Once upon a time')]);
    expect(applyOperation(whole, operation)).toMatchObject({ text: 'Once upon a time', textSource: 'stream' });
  });
});
