/** The shared ioredis command connection (distributed mode only). Subscribers open their own. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
