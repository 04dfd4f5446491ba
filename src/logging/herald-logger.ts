import { Inject, Injectable, LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { ROOT_LOGGER } from './root-logger';

/** What Nest's own ExceptionHandler and `logger.error(message, error.stack)` pass as their second argument. */
const STACK_TRACE = /\n\s*at /;

/**
 * Nest's logger, written to the root pino logger: the class name a Nest
 * `Logger` was made with goes in `context`, an error and its stack in `err`.
 * One logger for the whole process and nothing bound per request, so a log
 * call costs the same inside a request as outside one.
 */
@Injectable()
export class HeraldLogger implements LoggerService {
  constructor(@Inject(ROOT_LOGGER) private readonly root: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    // Nest calls every method whatever the level; a disabled one must cost no more than this check.
    if (!this.root.isLevelEnabled(level)) return;
    // Nest's Logger pads error() with `undefined` for a missing stack before it appends the context.
    const args = params.filter((param) => param !== undefined);
    const fields: Record<string, unknown> = {};
    // Nest's Logger appends its context as the last argument; a stack trace
    // there is the static Logger.error(message, stack), which has no context.
    const last = args[args.length - 1];
    if (typeof last === 'string' && !STACK_TRACE.test(last)) fields.context = args.pop();

    let msg: string | undefined;
    if (message instanceof Error) {
      fields.err = message;
      msg = message.message;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(fields, message);
    } else {
      msg = String(message);
    }

    // Whatever is left is a stack, an error, or arguments for the message's %s placeholders.
    const rest: unknown[] = [];
    for (const arg of args) {
      if (arg instanceof Error && fields.err === undefined) fields.err = arg;
      else if (typeof arg === 'string' && STACK_TRACE.test(arg) && fields.err === undefined) fields.err = errorWithStack(msg, arg);
      else rest.push(arg);
    }
    if (msg === undefined && typeof rest[0] === 'string') msg = rest.shift() as string;
    this.root[level](fields, msg, ...rest);
  }
}

/** A stack passed as a string, shaped as pino's err serializer writes an Error: { type, message, stack }. */
function errorWithStack(message: string | undefined, stack: string): Error {
  const error = new Error(message);
  error.stack = stack;
  return error;
}
