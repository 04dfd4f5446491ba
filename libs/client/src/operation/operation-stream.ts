import { TERMINAL_STATUSES } from '@herald/contracts';
import { HeraldError } from '../errors';
import type { HeraldClient } from '../herald-client';
import type { ReconnectOptions } from '../subscription/subscription-options';
import { Subscription } from '../subscription/subscription';
import { applyEvent, applyOperation, initialSnapshot, OperationSnapshot } from './operation-snapshot';

export interface OperationStreamOptions {
  /** How many of the latest events the snapshot keeps. Default 200. */
  maxEvents?: number;
  reconnect?: ReconnectOptions;
}

/**
 * One operation followed live, as a store any UI can bind to: subscribe()
 * and getSnapshot() have the shapes React's useSyncExternalStore expects, and
 * plain DOM code uses them the same way. start() and stop() may alternate
 * (React's strict mode mounts twice): a restart resumes after the last event
 * already folded in, so nothing is applied twice.
 */
export class OperationStream {
  private snapshot: OperationSnapshot;
  private readonly listeners = new Set<() => void>();
  private subscription: Subscription | null = null;
  private readonly maxEvents: number;

  constructor(
    private readonly client: HeraldClient,
    readonly operationId: string,
    private readonly options: OperationStreamOptions = {},
  ) {
    this.snapshot = initialSnapshot(operationId);
    this.maxEvents = options.maxEvents ?? 200;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): OperationSnapshot => this.snapshot;

  start(): void {
    if (this.subscription) return;
    // A stopped subscription can still report its own closing; only the current one may change the snapshot.
    const current = () => this.subscription === subscription;
    const subscription: Subscription = this.client.subscribeToOperation(this.operationId, {
      lastEventId: this.snapshot.lastEventId ?? undefined,
      reconnect: this.options.reconnect,
      onEvent: (event) => current() && this.set(applyEvent(this.snapshot, event, this.maxEvents)),
      onGap: () => current() && void this.reconcile(),
      onStatus: ({ state, transport, attempt }) =>
        current() && this.set({ ...this.snapshot, connection: state, transport, attempt }),
    });
    this.subscription = subscription;
    void subscription.done.then((end) => {
      if (!current()) return;
      this.subscription = null;
      if (end.reason === 'error' && end.error) {
        this.set({ ...this.snapshot, error: { code: end.error.code, message: end.error.message } });
      } else if (end.reason === 'ended' && !this.isTerminal()) {
        void this.reconcile();
      }
    });
  }

  stop(): void {
    if (!this.subscription) return;
    this.subscription.close();
    this.subscription = null;
    this.set({ ...this.snapshot, connection: 'closed' });
  }

  /** Asks the server to cancel; the `operation.cancelled` event then arrives on the stream. */
  async cancel(): Promise<void> {
    try {
      await this.client.cancelOperation(this.operationId);
    } catch (error) {
      // 409: it finished first, and its terminal event says how.
      if (!(error instanceof HeraldError && error.status === 409)) throw error;
    }
  }

  private isTerminal(): boolean {
    return this.snapshot.status !== null && TERMINAL_STATUSES.includes(this.snapshot.status);
  }

  /** Events were lost (retention) or the stream ended early: the stored operation is the truth. */
  private async reconcile(): Promise<void> {
    try {
      this.set(applyOperation(this.snapshot, await this.client.getOperation(this.operationId)));
    } catch (error) {
      if (error instanceof HeraldError) this.set({ ...this.snapshot, error: { code: error.code, message: error.message } });
    }
  }

  private set(next: OperationSnapshot): void {
    if (next === this.snapshot) return;
    this.snapshot = next;
    for (const listener of this.listeners) listener();
  }
}
