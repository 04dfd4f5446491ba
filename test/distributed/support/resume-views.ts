/** An event as stored in herald_events, the reference the clients are checked against. */
export interface StoredRow {
  id: number;
  type: string;
  workflowId: string | null;
  agentId: string | null;
  data: unknown;
  ts: string;
}

/** A stream view a client can follow, and which stored rows it must deliver. */
export interface View {
  name: string;
  path: string;
  params: Record<string, string>;
  matches(row: StoredRow): boolean;
}

export const WORKFLOWS = ['wf-a', 'wf-b'] as const;
export const AGENT = 'agent-x';
export const EVENT_TYPES = ['test.tick', 'test.tock'] as const;

// Filtered views matter as much as the plain one: a filtered connection skips
// most ids, so its resume point lags the server's position and the replay
// must still start exactly after it.
export const VIEWS: readonly View[] = [
  { name: 'user', path: '/api/events/stream', params: {}, matches: () => true },
  { name: 'user?types=test.tock', path: '/api/events/stream', params: { types: 'test.tock' }, matches: (r) => r.type === 'test.tock' },
  ...WORKFLOWS.map((wf) => ({
    name: `workflow ${wf}`,
    path: `/api/events/workflows/${wf}`,
    params: {},
    matches: (r: StoredRow) => r.workflowId === wf,
  })),
  {
    name: 'workflow wf-a?types=test.tick',
    path: '/api/events/workflows/wf-a',
    params: { types: 'test.tick' },
    matches: (r) => r.workflowId === 'wf-a' && r.type === 'test.tick',
  },
  { name: `agent ${AGENT}`, path: `/api/events/agents/${AGENT}`, params: {}, matches: (r) => r.agentId === AGENT },
];
