import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The console's session: a cookie `<expiry>.<HMAC>` keyed from the operator token, so it needs no table, works
 * in any process with the same token, and ends when the token changes. HttpOnly, SameSite=Strict, Path=/console.
 */
export const SESSION_COOKIE = 'ferry_console';
export const SESSION_SECONDS = 30 * 60;

export function createConsoleSessions(token: string, options: { secure: boolean; now: () => Date }) {
  const key = createHmac('sha256', token).update('ferry console: sessions').digest();
  const sign = (value: string) => createHmac('sha256', key).update(value).digest('base64url');
  const attributes = `Path=/console; HttpOnly; SameSite=Strict${options.secure ? '; Secure' : ''}`;
  return {
    /** The Set-Cookie value of a new session. */
    start(): string {
      const expiry = String(Math.floor(options.now().getTime() / 1000) + SESSION_SECONDS);
      return `${SESSION_COOKIE}=${expiry}.${sign(expiry)}; Max-Age=${SESSION_SECONDS}; ${attributes}`;
    },
    end: () => `${SESSION_COOKIE}=; Max-Age=0; ${attributes}`,
    valid(cookie: string | undefined): boolean {
      const match = /^(\d{1,12})\.([\w-]{43})$/.exec(cookie ?? '');
      if (!match) return false;
      const expected = Buffer.from(sign(match[1]!));
      const ok = expected.length === match[2]!.length && timingSafeEqual(expected, Buffer.from(match[2]!));
      return ok && Number(match[1]) * 1000 > options.now().getTime();
    },
  };
}
export type ConsoleSessions = ReturnType<typeof createConsoleSessions>;
