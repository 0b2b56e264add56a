import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Signed double-submit CSRF protection: a random value in an HttpOnly, SameSite=Strict cookie scoped to the
 * page's path, and in each form an HMAC of (path scope, cookie value). A cross-site form can neither read the
 * cookie nor forge the HMAC; no server-side session is needed, so any API process can check it.
 */
export const CSRF_FIELD = 'csrf';
const COOKIE = 'ferry_csrf';

export interface Csrf {
  /** Reads or sets the cookie and returns the token for this response's forms. */
  issue(request: FastifyRequest, reply: FastifyReply, scope: string): string;
  verify(request: FastifyRequest, scope: string, token: unknown): boolean;
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export function createCsrf(key: Buffer, options: { secure: boolean }): Csrf {
  const sign = (scope: string, value: string) =>
    createHmac('sha256', key).update(`${scope}\n${value}`).digest('base64url');
  return {
    issue(request, reply, scope) {
      let value = readCookie(request, COOKIE);
      if (!value || !/^[A-Za-z0-9_-]{22}$/.test(value)) {
        value = randomBytes(16).toString('base64url');
        reply.header(
          'set-cookie',
          `${COOKIE}=${value}; Path=${scope}; HttpOnly; SameSite=Strict${options.secure ? '; Secure' : ''}`,
        );
      }
      return sign(scope, value);
    },
    verify(request, scope, token) {
      const value = readCookie(request, COOKIE);
      if (!value || typeof token !== 'string' || token.length > 100) return false;
      const expected = Buffer.from(sign(scope, value));
      const given = Buffer.from(token);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}
