import { createHmac, KeyObject, sign } from 'node:crypto';

// Builds tokens an attacker could send, byte by byte: independent of any JWT
// library, so a bug shared with the server's library cannot hide here.

export type Claims = Record<string, unknown>;

const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Signs header.payload with `signer` (which gets the signing input) and joins the three parts. */
export function forge(header: Claims, claims: Claims, signer: (input: string) => Buffer | string = () => ''): string {
  const input = `${encode(header)}.${encode(claims)}`;
  const signature = signer(input);
  return `${input}.${typeof signature === 'string' ? signature : signature.toString('base64url')}`;
}

export const hmac =
  (secret: string | Buffer, hash = 'sha256') =>
  (input: string) =>
    createHmac(hash, secret).update(input).digest();
export const hs256 = (secret: string | Buffer) => hmac(secret, 'sha256');
export const rs256 = (privateKey: KeyObject) => (input: string) => sign('sha256', Buffer.from(input), privateKey);

/** Claims valid for `sub` now, for an hour, with the given issuer and audience. */
export function validClaims(sub: string, iss: string, aud: string): Claims {
  const now = Math.floor(Date.now() / 1000);
  return { sub, iss, aud, iat: now, exp: now + 3600 };
}

/** The token with its header replaced and the original signature kept. */
export function withHeader(token: string, header: Claims): string {
  const [, payload, signature] = token.split('.');
  return `${encode(header)}.${payload}.${signature}`;
}

/** The token with its payload replaced by `claims` and the original signature kept. */
export function withPayload(token: string, claims: Claims): string {
  const [header, , signature] = token.split('.');
  return `${header}.${encode(claims)}.${signature}`;
}
