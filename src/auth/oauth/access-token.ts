import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import type { Clock } from '../../shared/clock.js';
import type { AccessTokenClaims } from './types.js';

/** Leeway for the `exp`/`nbf`/`iat` checks, for clock differences between Ferry processes. */
const clockToleranceSeconds = 5;

/**
 * Verifies Ferry's JWT access tokens (RFC 9068 `at+jwt`) against Ferry's own public keys, held in memory:
 * no I/O per request. Throws when the token is not one of Ferry's, has been tampered with, or has expired.
 */
export function createAccessTokenVerifier(opts: {
  issuer: string;
  audience: string;
  algorithms: string[];
  publicKeys: JWK[];
  clock: Clock;
}): (token: string) => Promise<AccessTokenClaims> {
  const keys = createLocalJWKSet({ keys: opts.publicKeys });
  return async (token) => {
    const { payload } = await jwtVerify(token, keys, {
      issuer: opts.issuer,
      audience: opts.audience,
      algorithms: opts.algorithms,
      typ: 'at+jwt',
      currentDate: opts.clock.now(),
      clockTolerance: clockToleranceSeconds,
      requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
    });
    const clientId = payload.client_id;
    if (typeof clientId !== 'string' || payload.sub !== clientId) {
      throw new Error('access token client_id and sub disagree');
    }
    if (payload.scope !== undefined && typeof payload.scope !== 'string') {
      throw new Error('access token scope is malformed');
    }
    const cnf = payload.cnf as Record<string, unknown> | undefined;
    const thumbprint = cnf?.['x5t#S256'];
    if (cnf !== undefined && typeof thumbprint !== 'string') {
      // A confirmation method Ferry does not check (e.g. DPoP's jkt) must not be ignored silently.
      throw new Error('access token has an unsupported cnf');
    }
    return {
      clientId,
      scopes: payload.scope ? payload.scope.split(' ') : [],
      certThumbprint: thumbprint as string | undefined,
      expiresAt: new Date(payload.exp! * 1000),
    };
  };
}
