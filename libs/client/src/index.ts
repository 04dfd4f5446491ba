export { HeraldClient, type ListOptions, type PollOptions, type StartOptions } from './herald-client';
export type { HeraldClientOptions, TokenSource } from './http/client-options';
export { HeraldError } from './errors';
export { SseParser, type SseEvent, type SseParserHandlers } from './sse/sse-parser';
export { Subscription } from './subscription/subscription';
export type {
  ConnectionState,
  ReconnectOptions,
  SubscribeOptions,
  SubscriptionEnd,
  SubscriptionStatus,
  Transport,
} from './subscription/subscription-options';
export type { StreamView } from './subscription/views';
export { backoffDelay } from './subscription/backoff';
export { OperationStream, type OperationStreamOptions } from './operation/operation-stream';
export type { OperationSnapshot } from './operation/operation-snapshot';
export * from '@herald/contracts';
