import { OperationProgressData } from '@herald/contracts';

const MIN_INTERVAL_MS = 250;

/**
 * Progress of an operation in tokens against the planned maximum, with an ETA
 * from the rate seen so far. Progress events are throttled: content chunks
 * already show liveness, progress only needs to move the bar.
 */
export class ProgressTracker {
  private readonly doneByStage: number[];
  private lastEmit = 0;
  private readonly startTokens: number;

  constructor(
    private readonly plan: number[],
    alreadyDone: number,
    private readonly startedAt: number,
  ) {
    this.doneByStage = plan.map(() => 0);
    let remaining = alreadyDone;
    for (let i = 0; i < plan.length && remaining > 0; i++) {
      this.doneByStage[i] = Math.min(plan[i], remaining);
      remaining -= this.doneByStage[i];
    }
    this.startTokens = alreadyDone;
  }

  advance(stageIndex: number): void {
    this.doneByStage[stageIndex] = Math.min(this.plan[stageIndex], this.doneByStage[stageIndex] + 1);
  }

  /** A stage can end before its maximum; count it as complete. */
  finishStage(stageIndex: number): void {
    this.doneByStage[stageIndex] = this.plan[stageIndex];
  }

  due(): boolean {
    const now = Date.now();
    if (now - this.lastEmit < MIN_INTERVAL_MS) return false;
    this.lastEmit = now;
    return true;
  }

  snapshot(stageTags: Record<string, unknown>, message?: string): OperationProgressData {
    this.lastEmit = Date.now();
    const total = this.plan.reduce((a, b) => a + b, 0);
    const current = this.doneByStage.reduce((a, b) => a + b, 0);
    const produced = current - this.startTokens;
    const elapsed = Date.now() - this.startedAt;
    const data: OperationProgressData = {
      current,
      total,
      percentage: total === 0 ? 100 : Math.min(100, Math.floor((current / total) * 100)),
      ...stageTags,
    };
    if (message) data.message = message;
    if (produced > 0 && elapsed > 0) data.etaMs = Math.round(((total - current) * elapsed) / produced);
    return data;
  }

  done(stageCount?: number): OperationProgressData {
    const total = this.plan.reduce((a, b) => a + b, 0);
    const data: OperationProgressData = { current: total, total, percentage: 100, etaMs: 0, message: 'Done' };
    if (stageCount !== undefined) Object.assign(data, { stageIndex: stageCount - 1, stageCount });
    return data;
  }
}
