import { isValidUserId } from './user-id';

describe('isValidUserId', () => {
  it.each(['alice', 'user-42@example.com', 'ünïcödé 🙂', 'x'.repeat(256)])('accepts %p', (id) => {
    expect(isValidUserId(id)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(257)],
    ['NUL', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['lone high surrogate', 'a\ud83d'],
    ['lone low surrogate', '\ude42b'],
    ['a number', 42],
  ])('refuses %s', (_label, id) => {
    expect(isValidUserId(id)).toBe(false);
  });
});
