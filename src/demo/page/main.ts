import { HeraldClient, HeraldError, OperationSnapshot, OperationStream, StartOperationRequest } from '@herald/client';
import { findElements, PageElements } from './elements';
import { EventLog } from './event-log';
import { generateRequest, genesisRequest } from './requests';
import { readToken } from './token';
import { indicatorFor, isFinished, OperationView } from './view';

/**
 * The writing-assistant demo: starts an operation and follows it through the
 * SDK's OperationStream, which reconnects and resumes by itself; the page only
 * draws snapshots. Drawing waits for the next animation frame, so a burst of
 * events costs one repaint.
 */
class DemoPage {
  private readonly client: HeraldClient;
  private readonly view: OperationView;
  private readonly log: EventLog;
  private stream: OperationStream | null = null;
  private unbind: () => void = () => undefined;
  private frame = 0;
  private shownIndicator = '';

  constructor(
    private readonly el: PageElements,
    private readonly token: string | null,
  ) {
    this.client = new HeraldClient({ token: () => this.token });
    this.view = new OperationView(el);
    this.log = new EventLog(el.log, el.eventCount);
  }

  mount(): void {
    this.el.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.start(generateRequest(this.prompt()));
    });
    this.el.genesis.addEventListener('click', () => {
      if (this.el.form.reportValidity()) void this.start(genesisRequest(this.prompt()));
    });
    this.el.stop.addEventListener('click', () => void this.stop());
    window.addEventListener('online', () => this.schedule());
    window.addEventListener('offline', () => this.schedule());
    if (!this.token) {
      this.showNotice('No token: open this page with ?token=<JWT> (the link `npm start` prints, or `npm run token -- <user>`).');
      this.setBusy(true);
      this.el.stop.disabled = true;
    }
    this.draw();
  }

  private prompt(): string {
    return this.el.prompt.value.trim();
  }

  private async start(request: StartOperationRequest): Promise<void> {
    this.showNotice(null);
    this.setBusy(true);
    this.unbind();
    this.stream?.stop();
    this.stream = null;
    this.view.reset();
    this.log.restart();
    try {
      const accepted = await this.client.startOperation(request);
      this.log.note('client', `started ${request.kind} ${accepted.id}`);
      const stream = new OperationStream(this.client, accepted.id);
      this.stream = stream;
      this.unbind = stream.subscribe(() => this.schedule());
      stream.start();
      this.schedule();
    } catch (error) {
      this.showNotice(`Could not start: ${describeError(error)}`);
      this.setBusy(false);
    }
  }

  private async stop(): Promise<void> {
    if (!this.stream) return;
    this.el.stop.disabled = true;
    this.el.status.textContent = 'Stopping…';
    try {
      await this.stream.cancel();
      this.log.note('client', 'cancel requested');
    } catch (error) {
      this.showNotice(`Could not stop: ${describeError(error)}`);
      this.el.stop.disabled = false;
    }
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    this.frame = 0;
    const snapshot = this.stream?.getSnapshot() ?? null;
    this.drawIndicator(snapshot);
    if (!snapshot) return;
    this.view.render(snapshot);
    this.log.sync(snapshot.events);
    // Finished, or the stream gave up for good (a rejected token): either way a new run may start.
    if (isFinished(snapshot) || snapshot.connection === 'closed') this.setBusy(false);
    if (snapshot.error && !isFinished(snapshot)) this.showNotice(`${snapshot.error.message} (${snapshot.error.code})`);
  }

  private drawIndicator(snapshot: OperationSnapshot | null): void {
    const { state, label } = indicatorFor(snapshot, navigator.onLine);
    this.el.connection.dataset.state = state;
    this.el.connectionLabel.textContent = label;
    if (label !== this.shownIndicator && snapshot) this.log.note('connection', label);
    this.shownIndicator = label;
  }

  private setBusy(busy: boolean): void {
    this.el.generate.disabled = busy;
    this.el.genesis.disabled = busy;
    this.el.stop.disabled = !busy;
  }

  private showNotice(text: string | null): void {
    this.el.notice.hidden = text === null;
    this.el.notice.textContent = text ?? '';
  }
}

function describeError(error: unknown): string {
  if (error instanceof HeraldError) {
    if (error.status === 401) return 'the token was rejected (401); open the link `npm start` printed again.';
    return `${error.message} (${error.code})`;
  }
  return (error as Error).message;
}

new DemoPage(findElements(), readToken()).mount();
