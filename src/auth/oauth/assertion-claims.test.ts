import { describe, expect, it } from 'vitest';
import { assertionProblem } from './assertion-claims.js';

const now = 1_800_000_000;
const header = { alg: 'RS256', kid: 'k1' };
const claims = { iss: 'c1', sub: 'c1', aud: 'x', iat: now, exp: now + 300, jti: 'j1' };
const problem = (h: Record<string, unknown>, c: Record<string, unknown>) => assertionProblem(h, c, 'c1', now);
const without = (key: string) => Object.fromEntries(Object.entries(claims).filter(([k]) => k !== key));

describe('client assertion rules', () => {
  it('accepts a well-formed assertion with each allowed alg', () => {
    for (const alg of ['RS256', 'PS256', 'ES256']) expect(problem({ alg }, claims)).toBeUndefined();
  });

  it('accepts exp exactly one hour ahead (the seed example) and a little clock skew', () => {
    expect(problem(header, { ...claims, exp: now + 3600 })).toBeUndefined();
    expect(problem(header, { ...claims, exp: now + 3660 })).toBeUndefined();
    expect(problem(header, { ...claims, iat: now + 60, exp: now + 120 })).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, RegExp]>([
    ['alg none', { alg: 'none' }, claims, /alg/],
    ['alg HS256', { alg: 'HS256' }, claims, /alg/],
    ['alg RS512', { alg: 'RS512' }, claims, /alg/],
    ['alg EdDSA', { alg: 'EdDSA' }, claims, /alg/],
    ['missing alg', {}, claims, /alg/],
    ['iss of another client', header, { ...claims, iss: 'c2' }, /iss/],
    ['sub of another client', header, { ...claims, sub: 'c2' }, /sub/],
    ['missing sub', header, without('sub'), /sub/],
    ['missing exp', header, without('exp'), /exp/],
    ['exp as a string', header, { ...claims, exp: String(now + 300) }, /exp/],
    ['expired', header, { ...claims, exp: now - 1 }, /expired/],
    ['exp equal to now', header, { ...claims, exp: now }, /expired/],
    ['exp more than an hour ahead', header, { ...claims, exp: now + 3661 }, /at most 3600/],
    ['exp a year ahead', header, { ...claims, exp: now + 365 * 86400 }, /at most 3600/],
    ['missing iat', header, without('iat'), /iat/],
    ['iat far in the future', header, { ...claims, iat: now + 86400, exp: now + 3000 }, /future/],
    ['iat after exp', header, { ...claims, iat: now + 30, exp: now + 20 }, /before exp/],
    ['nbf in the future', header, { ...claims, nbf: now + 600 }, /nbf/],
    ['missing jti', header, without('jti'), /jti/],
    ['empty jti', header, { ...claims, jti: '' }, /jti/],
    ['numeric jti', header, { ...claims, jti: 42 }, /jti/],
    ['overlong jti', header, { ...claims, jti: 'x'.repeat(257) }, /jti/],
  ])('rejects %s', (_name, h, c, expected) => {
    expect(problem(h, c)).toMatch(expected);
  });
});
