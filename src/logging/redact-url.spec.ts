import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('hides the access_token value wherever it stands', () => {
    expect(redactUrl('/api/events/stream?access_token=abc.def.ghi')).toBe('/api/events/stream?access_token=[redacted]');
    expect(redactUrl('/x?types=a.b&ACCESS_TOKEN=secret&y=1')).toBe('/x?types=a.b&ACCESS_TOKEN=[redacted]&y=1');
  });

  it('hides the demo page token', () => {
    expect(redactUrl('/?token=abc.def.ghi')).toBe('/?token=[redacted]');
  });

  it('recognizes a percent-encoded name, as the server does when it reads the token', () => {
    expect(redactUrl('/api/operations?access%5Ftoken=abc')).toBe('/api/operations?access%5Ftoken=[redacted]');
    expect(redactUrl('/api/operations?%61ccess_token=abc&%zz=1')).toBe('/api/operations?%61ccess_token=[redacted]&%zz=1');
  });

  it('hides every occurrence', () => {
    expect(redactUrl('/s?access_token=a&access_token=b')).toBe('/s?access_token=[redacted]&access_token=[redacted]');
  });

  it('leaves other URLs and parameters alone', () => {
    expect(redactUrl('/api/operations?limit=5')).toBe('/api/operations?limit=5');
    expect(redactUrl('/api/events?tokens=3&my_token_id=4')).toBe('/api/events?tokens=3&my_token_id=4');
    expect(redactUrl('/health/live')).toBe('/health/live');
  });
});
