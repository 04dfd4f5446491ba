import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('hides the access_token value wherever it stands', () => {
    expect(redactUrl('/api/events/stream?access_token=abc.def.ghi')).toBe('/api/events/stream?access_token=[redacted]');
    expect(redactUrl('/x?types=a.b&ACCESS_TOKEN=secret&y=1')).toBe('/x?types=a.b&ACCESS_TOKEN=[redacted]&y=1');
  });

  it('leaves other URLs alone', () => {
    expect(redactUrl('/api/operations?limit=5')).toBe('/api/operations?limit=5');
  });
});
