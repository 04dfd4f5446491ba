import { Logger } from '@nestjs/common';
import { pino } from 'pino';
import { HeraldLogger } from './herald-logger';
import { rootLoggerOptions } from './root-logger';

type Line = Record<string, unknown> & { err?: { type: string; message: string; stack: string } };

function capture(logLevel = 'trace') {
  const lines: Line[] = [];
  const root = pino(rootLoggerOptions({ logLevel, logPretty: false, role: 'worker' }), { write: (l: string) => lines.push(JSON.parse(l)) });
  return { logger: new HeraldLogger(root), lines };
}

const STACK = 'Error: boom\n    at run (/app/dist/x.js:1:1)\n    at main (/app/dist/main.js:2:2)';

describe('HeraldLogger', () => {
  it("writes each Nest level at pino's matching level, with the root fields", () => {
    const { logger, lines } = capture();
    logger.log('a');
    logger.error('b');
    logger.warn('c');
    logger.debug('d');
    logger.verbose('e');
    logger.fatal('f');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [30, 'a'],
      [50, 'b'],
      [40, 'c'],
      [20, 'd'],
      [10, 'e'],
      [60, 'f'],
    ]);
    expect(lines[0]).toMatchObject({ service: 'herald', role: 'worker', pid: process.pid });
    expect(lines[0]).not.toHaveProperty('context');
  });

  it('writes nothing below the configured level', () => {
    const { logger, lines } = capture('warn');
    logger.log('info');
    logger.debug('debug');
    logger.verbose('trace');
    logger.warn('warn');
    expect(lines.map((l) => l.msg)).toEqual(['warn']);
  });

  it("puts a Nest Logger's context in `context`", () => {
    const { logger, lines } = capture();
    Logger.overrideLogger(logger);
    new Logger('OperationRunner').log('started');
    new Logger('OperationRunner').warn('slow');
    Logger.log('static', 'NestFactory');
    expect(lines.map((l) => [l.msg, l.context])).toEqual([
      ['started', 'OperationRunner'],
      ['slow', 'OperationRunner'],
      ['static', 'NestFactory'],
    ]);
  });

  it('keeps a stack passed as a string in err, with or without a context', () => {
    const { logger, lines } = capture();
    Logger.overrideLogger(logger);
    new Logger('HttpExceptionFilter').error('boom', STACK);
    Logger.error('boom', STACK);
    new Logger('HttpExceptionFilter').error('no stack', undefined);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'boom', context: 'HttpExceptionFilter', err: { message: 'boom', stack: STACK } });
    expect(lines[1]).toMatchObject({ msg: 'boom', err: { stack: STACK } });
    expect(lines[1]).not.toHaveProperty('context');
    expect(lines[2]).toEqual(expect.objectContaining({ msg: 'no stack', context: 'HttpExceptionFilter' }));
    expect(lines[2]).not.toHaveProperty('err');
  });

  it('serializes an Error given as the message, as Nest’s ExceptionsHandler does', () => {
    const { logger, lines } = capture();
    Logger.overrideLogger(logger);
    const error = new TypeError('bad thing');
    new Logger('ExceptionsHandler').error(error);
    expect(lines[0]).toMatchObject({ msg: 'bad thing', context: 'ExceptionsHandler', err: { type: 'TypeError', message: 'bad thing' } });
    expect(lines[0].err?.stack).toBe(error.stack);
  });

  it('merges an object message into the line and fills %s placeholders', () => {
    const { logger, lines } = capture();
    logger.log({ operationId: 'op-1' }, 'Ctx');
    logger.log('%s of %d', 'three', 4, 'Ctx');
    expect(lines[0]).toMatchObject({ operationId: 'op-1', context: 'Ctx' });
    expect(lines[1]).toMatchObject({ msg: 'three of 4', context: 'Ctx' });
  });
});
