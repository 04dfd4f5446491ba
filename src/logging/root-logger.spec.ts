import { rootLoggerOptions } from './root-logger';

describe('rootLoggerOptions', () => {
  it('takes the level from the config and names the service and role on every line', () => {
    const options = rootLoggerOptions({ logLevel: 'warn', logPretty: false, role: 'all' });
    expect(options.level).toBe('warn');
    expect(options.base).toMatchObject({ service: 'herald', role: 'all', pid: process.pid });
    expect(options.transport).toBeUndefined();
  });

  it('writes single-line pretty output when asked', () => {
    expect(rootLoggerOptions({ logLevel: 'info', logPretty: true, role: 'api' }).transport).toEqual({
      target: 'pino-pretty',
      options: { singleLine: true },
    });
  });
});
