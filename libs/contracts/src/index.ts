export * from './events';
export * from './operations';
export * from './polling';
