import { randomBytes, randomUUID } from 'node:crypto';

/** Injected id and randomness source. */
export interface Ids {
  uuid(): string;
  /** URL-safe random token with `bytes` bytes of entropy. */
  token(bytes: number): string;
}

export const randomIds: Ids = {
  uuid: () => randomUUID(),
  token: (bytes) => randomBytes(bytes).toString('base64url'),
};
