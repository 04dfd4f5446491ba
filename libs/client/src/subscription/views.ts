/** The four SSE views of SPEC §3: what a subscription listens to. */
export type StreamView =
  | { kind: 'user' }
  | { kind: 'operation'; id: string }
  | { kind: 'workflow'; id: string }
  | { kind: 'agent'; id: string };

export function streamPath(view: StreamView): string {
  switch (view.kind) {
    case 'user':
      return '/api/events/stream';
    case 'operation':
      return `/api/events/operations/${encodeURIComponent(view.id)}`;
    case 'workflow':
      return `/api/events/workflows/${encodeURIComponent(view.id)}`;
    case 'agent':
      return `/api/events/agents/${encodeURIComponent(view.id)}`;
  }
}

/** The same view expressed as filters of the polling endpoint GET /api/events. */
export function pollFilter(view: StreamView): Record<string, string> {
  switch (view.kind) {
    case 'user':
      return {};
    case 'operation':
      return { operationId: view.id };
    case 'workflow':
      return { workflowId: view.id };
    case 'agent':
      return { agentId: view.id };
  }
}
