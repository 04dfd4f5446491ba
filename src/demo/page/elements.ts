/** The page's elements, looked up once. */
export interface PageElements {
  form: HTMLFormElement;
  prompt: HTMLTextAreaElement;
  generate: HTMLButtonElement;
  genesis: HTMLButtonElement;
  stop: HTMLButtonElement;
  notice: HTMLElement;
  connection: HTMLElement;
  connectionLabel: HTMLElement;
  progress: HTMLElement;
  progressFill: HTMLElement;
  stage: HTMLElement;
  percent: HTMLElement;
  eta: HTMLElement;
  status: HTMLElement;
  output: HTMLElement;
  outputText: HTMLElement;
  log: HTMLOListElement;
  eventCount: HTMLElement;
}

export function findElements(): PageElements {
  const get = <T extends HTMLElement>(id: string) => {
    const el = document.getElementById(id);
    if (!el) throw new Error(`#${id} is missing from the page`);
    return el as T;
  };
  return {
    form: get('compose'),
    prompt: get('prompt'),
    generate: get('generate'),
    genesis: get('genesis'),
    stop: get('stop'),
    notice: get('notice'),
    connection: get('connection'),
    connectionLabel: get('connection-label'),
    progress: get('progress'),
    progressFill: get('progress-fill'),
    stage: get('stage'),
    percent: get('percent'),
    eta: get('eta'),
    status: get('status'),
    output: get('output'),
    outputText: get('output-text'),
    log: get('log'),
    eventCount: get('event-count'),
  };
}
