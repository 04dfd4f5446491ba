import { createElement, StrictMode, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { HeraldClient } from '@herald/client';
import { useOperationStream } from '@herald/client/react';

// Runs in the browser (bundled by react-hook.e2e-spec.ts): a component using
// the hook, under StrictMode so effects mount, unmount and mount again as in
// React development builds. It publishes what the hook returns on `window`.

export interface HookProbe {
  status: string | null;
  text: string;
  chunks: number;
  percentage: number | null;
  connection: string;
  error: string | null;
  events: number;
  renders: number;
}

declare global {
  interface Window {
    mountHook(token: string, operationId: string | null): void;
    hook?: HookProbe;
    hookCancel?: () => Promise<void>;
  }
}

let renders = 0;

function Probe(props: { client: HeraldClient; operationId: string | null }) {
  const result = useOperationStream(props.client, props.operationId);
  renders++;
  useEffect(() => {
    window.hook = {
      status: result.status,
      text: result.text,
      chunks: result.chunks,
      percentage: result.progress?.percentage ?? null,
      connection: result.connection,
      error: result.error?.code ?? null,
      events: result.events.length,
      renders,
    };
    window.hookCancel = result.cancel;
  });
  return createElement('pre', { id: 'text' }, result.text);
}

const root = createRoot(document.getElementById('root')!);
window.mountHook = (token, operationId) => {
  const client = new HeraldClient({ token });
  root.render(createElement(StrictMode, null, createElement(Probe, { client, operationId })));
};
