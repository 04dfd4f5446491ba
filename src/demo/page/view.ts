import type { OperationSnapshot } from '@herald/client';
import { TERMINAL_STATUSES } from '@herald/client';
import { PageElements } from './elements';
import { formatRemaining, formatStage, formatStatus } from './format';

export type Indicator = 'idle' | 'connected' | 'reconnecting' | 'offline';

// After this many failed reconnects in a row the server is presumed down, not just restarting.
const OFFLINE_AFTER_ATTEMPTS = 3;

/** The connection indicator: what the person at the screen needs to know about the live link. */
export function indicatorFor(snapshot: OperationSnapshot | null, online: boolean): { state: Indicator; label: string } {
  if (!online) return { state: 'offline', label: 'offline' };
  if (!snapshot) return { state: 'idle', label: 'idle' };
  switch (snapshot.connection) {
    case 'open':
      return { state: 'connected', label: snapshot.transport === 'poll' ? 'connected (polling)' : 'connected' };
    case 'connecting':
      return { state: 'reconnecting', label: 'connecting…' };
    case 'reconnecting':
      return snapshot.attempt >= OFFLINE_AFTER_ATTEMPTS
        ? { state: 'offline', label: 'offline, retrying…' }
        : { state: 'reconnecting', label: 'reconnecting…' };
    case 'closed':
      return snapshot.error && !isFinished(snapshot)
        ? { state: 'offline', label: 'disconnected' }
        : { state: 'idle', label: 'idle' };
  }
}

export function isFinished(snapshot: OperationSnapshot): boolean {
  return snapshot.status !== null && TERMINAL_STATUSES.includes(snapshot.status);
}

/** Draws one snapshot. Text only ever grows while streaming, so it is appended rather than replaced. */
export class OperationView {
  private shownText = '';
  private readonly textNode = document.createTextNode('');

  constructor(private readonly el: PageElements) {
    el.outputText.replaceChildren(this.textNode);
  }

  reset(): void {
    this.shownText = '';
    this.textNode.data = '';
    this.el.output.dataset.state = 'empty';
    delete this.el.output.dataset.operationId;
  }

  render(snapshot: OperationSnapshot): void {
    const finished = isFinished(snapshot);
    const percentage = snapshot.progress?.percentage ?? 0;
    this.el.progressFill.style.width = `${percentage}%`;
    this.el.progress.setAttribute('aria-valuenow', String(percentage));
    this.el.percent.textContent = `${percentage} %`;
    this.el.stage.textContent = finished ? `Finished: ${snapshot.status}` : formatStage(snapshot);
    this.el.eta.textContent = formatRemaining(snapshot.progress, finished);
    this.el.status.textContent = formatStatus(snapshot);
    this.el.status.dataset.status = snapshot.status ?? 'queued';

    if (snapshot.text.startsWith(this.shownText)) this.textNode.appendData(snapshot.text.slice(this.shownText.length));
    else this.textNode.data = snapshot.text;
    this.shownText = snapshot.text;

    const output = this.el.output;
    output.dataset.operationId = snapshot.operationId;
    output.dataset.state = finished ? 'done' : 'typing';
    output.dataset.source = snapshot.textSource;
    output.dataset.chunks = String(snapshot.chunks);
    output.setAttribute('aria-busy', String(!finished));
  }
}
