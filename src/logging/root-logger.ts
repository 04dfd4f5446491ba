import { hostname } from 'node:os';
import { Logger, LoggerOptions, pino } from 'pino';
import { HeraldConfig } from '../config/herald-config';

/** Injection token of the process's one pino logger, which every Herald log line goes through. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export type RootLoggerConfig = Pick<HeraldConfig, 'logLevel' | 'logPretty' | 'role'>;

/** Separate from createRootLogger so a test can write the same lines to a stream of its own. */
export function rootLoggerOptions(config: RootLoggerConfig): LoggerOptions {
  return {
    level: config.logLevel,
    // Bound once here rather than per line: a log collector shared by several
    // services and roles tells their lines apart by these fields.
    base: { pid: process.pid, hostname: hostname(), service: 'herald', role: config.role },
    transport: config.logPretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
  };
}

export function createRootLogger(config: RootLoggerConfig): Logger {
  return pino(rootLoggerOptions(config));
}
