import { Logger } from '@nestjs/common';
import type { HeraldConfig } from '../config/herald-config';
import type { EventWriter } from '../events/event-writer';
import type { NewEvent } from '../events/new-event';
import type { StoredEvent } from '../events/stored-event';
import type { OperationRow } from '../operations/operation-row';
import type { OperationsRepository } from '../operations/operations.repository';
import { RetryLaterError } from '../queue/job-queue';
import type { DeliveredContentReader } from './delivered-content';
import { TextGenerator } from './generators/text-generator';
import { OperationRunner } from './operation-runner';

const config = { limits: { operationTimeoutMs: 60_000 } } as HeraldConfig;
const job = { operationId: '11111111-1111-1111-1111-111111111111', userId: 'u' };
const never = new AbortController().signal;
const connectionLost = () => new Error('Connection terminated unexpectedly');

const row: OperationRow = {
  id: job.operationId,
  user_id: 'u',
  kind: 'text-generation',
  status: 'queued',
  workflow_id: null,
  agent_id: null,
  input: JSON.stringify({ prompt: 'p', maxTokens: 5 }),
  progress: null,
  result: null,
  error: null,
  attempts: 0,
  cancel_requested_at: null,
  created_at: new Date(),
  started_at: null,
  finished_at: null,
  last_event_id: null,
  terminal_event_id: null,
};

/** Stores what it is given until `failFrom` writes have been made, then fails every write with `error`. */
class ScriptedWriter {
  readonly written: NewEvent[] = [];
  private writes = 0;
  constructor(
    private readonly failFrom = Infinity,
    private readonly error: () => Error = connectionLost,
  ) {}
  async write(events: NewEvent[]): Promise<StoredEvent[]> {
    if (++this.writes > this.failFrom) throw this.error();
    this.written.push(...events);
    return events as unknown as StoredEvent[];
  }
  types(): string[] {
    return this.written.map((e) => e.type);
  }
}

class Pieces extends TextGenerator {
  constructor(private readonly failWith?: Error) {
    super();
  }
  async *stream(): AsyncIterable<string> {
    yield 'a';
    yield 'b';
    if (this.failWith) throw this.failWith;
    yield 'c';
  }
}

function runner(writer: ScriptedWriter, generator: TextGenerator, findById: () => Promise<OperationRow> = async () => row) {
  const operations = { findById } as unknown as OperationsRepository;
  const delivered = {
    read: async () => ({ nextIndex: 0, offset: 0, byStage: new Map(), tokensByStage: new Map(), tokens: 0 }),
  } as unknown as DeliveredContentReader;
  return new OperationRunner(config, operations, writer as unknown as EventWriter, delivered, generator);
}

describe('OperationRunner when storage or generation fails', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  it('leaves the operation to run again later (RetryLaterError) when the database stays unreachable mid-generation, recording no failure', async () => {
    const writer = new ScriptedWriter(1);
    const error = await runner(writer, new Pieces()).handle(job, never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).message).toContain('the database is unreachable');
    expect(writer.types()).toEqual(['operation.status']);
  });

  it('leaves the operation to run again later when the database is unreachable before it starts', async () => {
    const writer = new ScriptedWriter();
    const refused = Object.assign(new AggregateError([]), { code: 'ECONNREFUSED' });
    const error = await runner(writer, new Pieces(), () => Promise.reject(refused)).handle(job, never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryLaterError);
    expect(writer.written).toEqual([]);
  });

  it('records a generator that breaks as GENERATION_FAILED, and finishes', async () => {
    const writer = new ScriptedWriter();
    expect(await runner(writer, new Pieces(new TypeError('bug'))).handle(job, never)).toBe('finished');
    const failed = writer.written.find((e) => e.type === 'operation.failed');
    expect(failed?.data).toEqual({ code: 'GENERATION_FAILED', message: 'the generator failed unexpectedly', retryable: true });
  });

  it('does not hide a database error that is not about reaching it: the queue sees it as it is', async () => {
    const violation = () => Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    const error = await runner(new ScriptedWriter(0, violation), new Pieces()).handle(job, never).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(RetryLaterError);
    expect((error as Error).message).toContain('duplicate key');
  });
});
