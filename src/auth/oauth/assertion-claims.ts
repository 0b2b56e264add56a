/**
 * Ferry's own rules for RFC 7523 client assertions, on top of what oidc-provider checks (signature, alg
 * allow-list, iss = client_id, aud, exp present and not passed, jti present, single use). oidc-provider
 * accepts an assertion that expires a year from now or was "issued" in the far future; these rules do not.
 */
export const assertionAlgorithms = ['RS256', 'PS256', 'ES256'] as const;

/** The longest an assertion may still be valid for when it arrives. */
export const maxAssertionLifetimeSeconds = 3600;
/** How far the client's clock may run ahead of Ferry's. */
export const clockSkewSeconds = 60;
const maxJtiLength = 256;

/**
 * Returns why the assertion is not acceptable, or undefined when it is. `iat` is required: the seed's
 * documented assertion always carries it, and without it an assertion's age cannot be judged.
 */
export function assertionProblem(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  clientId: string,
  nowSeconds: number,
): string | undefined {
  if (!(assertionAlgorithms as readonly string[]).includes(String(header.alg))) {
    return `alg must be one of ${assertionAlgorithms.join(', ')}`;
  }
  if (claims.iss !== clientId) return 'iss (JWT issuer) must be the client_id';
  if (claims.sub !== clientId) return 'sub (JWT subject) must be the client_id';
  const { exp, iat, nbf, jti } = claims;
  if (!isNumericDate(exp)) return 'exp (expiration) must be a NumericDate';
  if (exp <= nowSeconds) return 'the client_assertion has expired';
  if (exp > nowSeconds + maxAssertionLifetimeSeconds + clockSkewSeconds) {
    return `exp (expiration) must be at most ${maxAssertionLifetimeSeconds} seconds ahead`;
  }
  if (!isNumericDate(iat)) return 'iat (issued at) must be a NumericDate';
  if (iat > nowSeconds + clockSkewSeconds) return 'iat (issued at) must not be in the future';
  if (iat >= exp) return 'iat (issued at) must be before exp (expiration)';
  if (nbf !== undefined && (!isNumericDate(nbf) || nbf > nowSeconds + clockSkewSeconds)) {
    return 'nbf (not before) must be a NumericDate not in the future';
  }
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > maxJtiLength) {
    return `jti (JWT ID) must be a string of 1 to ${maxJtiLength} characters`;
  }
  return undefined;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
