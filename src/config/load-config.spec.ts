import { loadConfig } from './load-config';
import { prettyLogsAvailable } from './pretty-logs';

describe('loadConfig: LOG_PRETTY', () => {
  const env = { JWT_SECRET: 'a-secret-long-enough-for-hs256-0123456789abcdef' };
  const installed = () => true;
  const missing = () => false;
  const isTTY = process.stdout.isTTY;
  afterEach(() => {
    process.stdout.isTTY = isTTY;
  });

  it('defaults to pretty logs in a terminal where pino-pretty is installed', () => {
    process.stdout.isTTY = true;
    expect(loadConfig(env, installed).logPretty).toBe(true);
  });

  it('defaults to JSON logs in a terminal of a production install, instead of dying at the first log line', () => {
    process.stdout.isTTY = true;
    expect(loadConfig(env, missing).logPretty).toBe(false);
  });

  it('refuses LOG_PRETTY=true without pino-pretty, saying what to do', () => {
    expect(() => loadConfig({ ...env, LOG_PRETTY: 'true' }, missing)).toThrow(/LOG_PRETTY=true needs the pino-pretty package.*LOG_PRETTY=false/);
  });

  it('honours LOG_PRETTY=false everywhere', () => {
    process.stdout.isTTY = true;
    expect(loadConfig({ ...env, LOG_PRETTY: 'false' }, installed).logPretty).toBe(false);
  });

  it('finds pino-pretty in this (development) install and reports a package that cannot be resolved', () => {
    expect(prettyLogsAvailable()).toBe(true);
    expect(
      prettyLogsAvailable(() => {
        throw new Error('Cannot find module');
      }),
    ).toBe(false);
  });
});
