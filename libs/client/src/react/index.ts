export { useOperationStream, type OperationStreamResult } from './use-operation-stream';
export type { OperationSnapshot } from '../operation/operation-snapshot';
export type { OperationStreamOptions } from '../operation/operation-stream';
