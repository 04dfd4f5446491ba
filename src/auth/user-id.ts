export const MAX_USER_ID_LENGTH = 256;

/**
 * A user id (the JWT `sub`) Herald can safely use as a key: 1–256 characters,
 * no control characters (NUL above all would end up in keys, channels and
 * logs) and no lone surrogates (PostgreSQL would store U+FFFD, and two
 * different ids would become the same user).
 */
export function isValidUserId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_USER_ID_LENGTH) return false;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x20 || unit === 0x7f) return false;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}
