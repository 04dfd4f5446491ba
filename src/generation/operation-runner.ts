import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  EventTypes,
  OperationResult,
  OperationStatus,
  PipelineInput,
  TERMINAL_STATUSES,
  TextGenerationInput,
} from '@herald/contracts';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';
import { EventWriter } from '../events/event-writer';
import { NewEvent } from '../events/new-event';
import { OperationRow } from '../operations/operation-row';
import { OperationsRepository } from '../operations/operations.repository';
import { isTransientDbError } from '../infra/database/transient-errors';
import { GenerationJob, JobHandler, JobOutcome, RetryLaterError, SHUTDOWN_REASON } from '../queue/job-queue';
import { DeliveredContentReader } from './delivered-content';
import { GenerationError, TextGenerator } from './generators/text-generator';
import { OperationEnded, OperationEventSink } from './operation-event-sink';
import { OperationEvents } from './operation-events';
import { ProgressTracker } from './progress-tracker';

interface Stage {
  name: string;
  prompt: string;
  maxTokens: number;
}

const DEFAULT_MAX_TOKENS = 256;

/**
 * Runs one operation to its end: status transitions, content chunks, progress,
 * and exactly one terminal event. It never throws for a failed generation —
 * the failure is an event — so the queue only retries real crashes. Only when
 * the database cannot be reached (the writer's retries ran out) does it throw
 * RetryLaterError: not even a failure could be stored, and the recovery sweep
 * runs the job again later, continuing from the chunks already stored.
 */
@Injectable()
export class OperationRunner extends JobHandler {
  private readonly logger = new Logger(OperationRunner.name);

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly operations: OperationsRepository,
    private readonly writer: EventWriter,
    private readonly delivered: DeliveredContentReader,
    private readonly generator: TextGenerator,
  ) {
    super();
  }

  async handle(job: GenerationJob, jobSignal: AbortSignal): Promise<JobOutcome> {
    try {
      return await this.run(job, jobSignal);
    } catch (error) {
      if (!isTransientDbError(error)) throw error;
      throw new RetryLaterError(`operation ${job.operationId}: the database is unreachable (${(error as Error).message})`, { cause: error });
    }
  }

  private async run(job: GenerationJob, jobSignal: AbortSignal): Promise<JobOutcome> {
    const op = await this.operations.findById(job.operationId);
    if (!op || TERMINAL_STATUSES.includes(op.status as OperationStatus)) return 'finished';
    const events = new OperationEvents({
      userId: op.user_id,
      operationId: op.id,
      workflowId: op.workflow_id,
      agentId: op.agent_id,
    });
    const previous = op.status as OperationStatus;
    if (op.cancel_requested_at !== null) {
      await this.writer.write(cancelled(events, previous, 'cancelled by user'));
      return 'finished';
    }

    const attempt = op.attempts + 1;
    const startedAt = op.started_at ? new Date(op.started_at).getTime() : Date.now();
    const timeout = AbortSignal.timeout(Math.max(0, startedAt + this.config.limits.operationTimeoutMs - Date.now()));
    const signal = AbortSignal.any([jobSignal, timeout]);
    const start: NewEvent[] =
      previous === 'queued'
        ? [events.status('running', 'queued', { attempt })]
        : [
            events.status('retrying', previous, { attempt, reason: 'an earlier attempt did not finish' }),
            events.status('running', 'retrying', { attempt }),
          ];
    if ((await this.writer.write(start)).length === 0) return 'finished';

    const sink = new OperationEventSink(this.writer);
    try {
      const result = await this.generate(op, events, sink, signal, startedAt);
      await this.writer.write([
        events.status('completed', 'running'),
        events.event(EventTypes.completed, { result }),
      ]);
    } catch (error) {
      // Chunks still queued must not land after the terminal event this attempt may write.
      await sink.abandon();
      if (error instanceof OperationEnded) return 'finished';
      if (jobSignal.aborted && jobSignal.reason === SHUTDOWN_REASON) return 'handed-back';
      // Not a failure of the generation, and nothing could record one now: see handle().
      if (isTransientDbError(error)) throw error;
      if (timeout.aborted) {
        await this.writer.write(failed(events, 'TIMEOUT', `operation ran longer than ${this.config.limits.operationTimeoutMs} ms`, false));
      } else if (jobSignal.aborted) {
        await this.writer.write(cancelled(events, 'running', String(jobSignal.reason ?? 'cancelled')));
      } else if (error instanceof GenerationError) {
        await this.writer.write(failed(events, error.code, error.message, error.retryable));
      } else {
        this.logger.error(`operation ${op.id} failed: ${(error as Error).stack}`);
        await this.writer.write(failed(events, 'GENERATION_FAILED', 'the generator failed unexpectedly', true));
      }
    }
    return 'finished';
  }

  async abandon(job: GenerationJob, reason: string): Promise<void> {
    const op = await this.operations.findById(job.operationId);
    if (!op || TERMINAL_STATUSES.includes(op.status as OperationStatus)) return;
    const events = new OperationEvents({ userId: op.user_id, operationId: op.id, workflowId: op.workflow_id, agentId: op.agent_id });
    await this.writer.write(failed(events, 'WORKER_LOST', `the job could not be completed: ${reason}`, true));
  }

  private async generate(
    op: OperationRow,
    events: OperationEvents,
    sink: OperationEventSink,
    signal: AbortSignal,
    startedAt: number,
  ): Promise<OperationResult> {
    const stages = stagesOf(op);
    const isPipeline = op.kind === 'pipeline';
    const delivered = await this.delivered.read(op.id);
    let index = delivered.nextIndex;
    let offset = delivered.offset;
    let tokens = delivered.tokens;
    const progress = new ProgressTracker(stages.map((s) => s.maxTokens), tokens, Date.now());
    const texts: { name: string; text: string }[] = [];

    for (const [stageIndex, stage] of stages.entries()) {
      const stageName = isPipeline ? stage.name : '';
      let text = delivered.byStage.get(stageName) ?? '';
      const stageTags = isPipeline ? { stage: stage.name, stageIndex, stageCount: stages.length } : {};
      await sink.push([events.event(EventTypes.progress, progress.snapshot(stageTags, `Writing ${stage.name}`))]);
      const request = {
        prompt: stage.prompt,
        maxTokens: stage.maxTokens,
        model: stageModel(op),
        delivered: text,
        deliveredTokens: delivered.tokensByStage.get(stageName) ?? 0,
      };
      for await (const piece of this.generator.stream(request, signal)) {
        if (signal.aborted) break;
        const chunk: Record<string, unknown> = { index, offset, text: piece };
        if (isPipeline) chunk.stage = stage.name;
        const batch = [events.event(EventTypes.content, chunk)];
        tokens++;
        progress.advance(stageIndex);
        if (progress.due()) batch.push(events.event(EventTypes.progress, progress.snapshot(stageTags)));
        await sink.push(batch);
        index++;
        offset += piece.length;
        text += piece;
      }
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      progress.finishStage(stageIndex);
      texts.push({ name: stage.name, text });
    }
    await sink.push([events.event(EventTypes.progress, progress.done(isPipeline ? stages.length : undefined))]);
    await sink.flush();
    const result: OperationResult = {
      text: texts.map((t) => t.text).join(''),
      tokens,
      durationMs: Date.now() - startedAt,
    };
    if (isPipeline) result.stages = texts;
    return result;
  }
}

function stagesOf(op: OperationRow): Stage[] {
  const input = JSON.parse(op.input) as TextGenerationInput | PipelineInput;
  if (op.kind === 'pipeline') {
    return (input as PipelineInput).stages.map((s) => ({ name: s.name, prompt: s.prompt, maxTokens: s.maxTokens ?? DEFAULT_MAX_TOKENS }));
  }
  const single = input as TextGenerationInput;
  return [{ name: 'text', prompt: single.prompt, maxTokens: single.maxTokens ?? DEFAULT_MAX_TOKENS }];
}

function stageModel(op: OperationRow): string | undefined {
  return op.kind === 'text-generation' ? (JSON.parse(op.input) as TextGenerationInput).model : undefined;
}

function cancelled(events: OperationEvents, previous: OperationStatus, reason: string): NewEvent[] {
  return [events.status('cancelled', previous, { reason }), events.event(EventTypes.cancelled, { reason })];
}

function failed(events: OperationEvents, code: string, message: string, retryable: boolean): NewEvent[] {
  return [events.status('failed', 'running', { reason: code }), events.event(EventTypes.failed, { code, message, retryable })];
}
