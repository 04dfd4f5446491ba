import { isAccessLogged } from './access-log.middleware';

describe('isAccessLogged', () => {
  it('logs ordinary API, demo and unknown routes, whatever the method', () => {
    expect(isAccessLogged('POST', '/api/events')).toBe(true);
    expect(isAccessLogged('GET', '/api/events?after=3')).toBe(true);
    expect(isAccessLogged('GET', '/api/operations/abc')).toBe(true);
    expect(isAccessLogged('POST', '/api/operations/abc/cancel')).toBe(true);
    expect(isAccessLogged('GET', '/?token=x')).toBe(true);
    expect(isAccessLogged('GET', '/nowhere')).toBe(true);
  });

  it('leaves out health probes', () => {
    expect(isAccessLogged('GET', '/health/live')).toBe(false);
    expect(isAccessLogged('GET', '/health/ready?x=1')).toBe(false);
  });

  it('leaves out the four SSE streams, as the router would match them', () => {
    for (const url of [
      '/api/events/stream',
      '/api/events/stream?access_token=x&types=a',
      '/api/events/operations/op-1',
      '/api/events/workflows/wf-1?access_token=x',
      '/api/events/agents/agent.1/',
      '/API/Events/Stream',
    ]) {
      expect([url, isAccessLogged('GET', url)]).toEqual([url, false]);
      expect([url, isAccessLogged('HEAD', url)]).toEqual([url, false]);
    }
  });

  it('logs other methods and longer paths under the stream prefixes', () => {
    expect(isAccessLogged('POST', '/api/events/stream')).toBe(true);
    expect(isAccessLogged('GET', '/api/events/operations')).toBe(true);
    expect(isAccessLogged('GET', '/api/events/operations/op-1/more')).toBe(true);
    expect(isAccessLogged('GET', '/api/events/streams')).toBe(true);
  });
});
