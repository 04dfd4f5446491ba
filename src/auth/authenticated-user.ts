/** Who is calling, as the JWT says; set on the request by the global guard. */
export interface AuthenticatedUser {
  userId: string;
  scopes: string[];
  /** Epoch milliseconds of the token's `exp`, or null when it has none. Open streams end then. */
  expiresAt: number | null;
}
