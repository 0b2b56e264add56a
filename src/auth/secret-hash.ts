import { hash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { TtlCache } from '../shared/ttl-cache.js';

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** scrypt parameters (N=2^15, r=8, p=1: the OWASP minimum for scrypt), recorded in each hash. */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEYLEN = 32;

/** `scrypt$N$r$p$salt$hash` (base64url). Only this is stored; the secret is shown once. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const derived = await scrypt(secret, salt, KEYLEN, { ...PARAMS, maxmem: 64 * 1024 * 1024 });
  return [
    'scrypt',
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString('base64url'),
    derived.toString('base64url'),
  ].join('$');
}

/** Constant-time check of a secret against a stored hash. False for malformed hashes. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, digest] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !digest) return false;
  const expected = Buffer.from(digest, 'base64url');
  const actual = await scrypt(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Remembers recent successful verifications so that test-mode calls (a secret in every body) do not pay
 * for scrypt each time. Keyed by the stored hash and a SHA-256 of the presented secret: rotating the secret
 * changes the stored hash, which invalidates every entry at once. Holds no plaintext.
 */
export class VerifiedSecretCache {
  readonly #entries: TtlCache<true>;
  constructor(ttlMs = 60_000, maxEntries = 10_000) {
    this.#entries = new TtlCache<true>(ttlMs, maxEntries);
  }

  key(stored: string, secret: string): string {
    // One-shot hash: no Hash object per request (this runs on every test-mode call).
    return hash('sha256', `${stored}\0${secret}`, 'base64url');
  }

  has(key: string, nowMs: number): boolean {
    return this.#entries.get(key, nowMs) === true;
  }

  add(key: string, nowMs: number): void {
    this.#entries.set(key, true, nowMs);
  }
}

/**
 * Bounds the CPU that secret verification can take: at most `concurrency` scrypt checks run at once in this
 * process and at most `queue` wait; beyond that an attempt is refused at once (`undefined`) instead of queueing
 * without bound. An unauthenticated burst therefore costs at most `concurrency` cores of hashing.
 */
export class VerifyGate {
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  constructor(
    readonly concurrency = 2,
    readonly queue = 64,
  ) {}

  readonly #inflight = new Map<string, Promise<unknown>>();

  /**
   * Runs `task` under the bound. With a `key` (the verified-secret cache key of the stored hash and the presented
   * secret), concurrent identical checks share one run: a client's first burst of calls costs one hash, not one
   * per call, and is never refused as busy.
   */
  run<T>(task: () => Promise<T>, key?: string): Promise<T | undefined> {
    if (key === undefined) return this.#run(task);
    const running = this.#inflight.get(key) as Promise<T | undefined> | undefined;
    if (running) return running;
    const started = this.#run(task).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, started);
    return started;
  }

  async #run<T>(task: () => Promise<T>): Promise<T | undefined> {
    if (this.#running >= this.concurrency) {
      if (this.#waiting.length >= this.queue) return undefined;
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running -= 1;
    }
  }
}
