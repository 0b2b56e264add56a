import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Inbound bank notifications (the creditor's bank confirming or rejecting a credit) are signed with HMAC-SHA256
 * under a per-provider secret: header `x-bank-signature: t=<unix seconds>,v1=<hex of HMAC(secret, t + "." + body)>`.
 * The timestamp bounds replays; the secret is derived from Ferry's master key, so nothing extra is stored.
 */
export const SIGNATURE_HEADER = 'x-bank-signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** The root of the per-provider secrets, derived from the master key (`ferry keys bank-notifications` prints it). */
export const bankNotificationRootKey = (masterKey: Buffer): Buffer =>
  createHmac('sha256', masterKey).update('ferry pay: bank notifications').digest();

export function bankNotificationSecret(rootKey: Buffer, providerId: string): Buffer {
  return createHmac('sha256', rootKey).update(`ferry bank notifications/${providerId}`).digest();
}

export function signBankNotification(secret: Buffer, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** What a bank holding the root key sends with one body: the signature header for that provider's secret. */
export function bankNotificationHeaders(rootKey: Buffer) {
  return (providerId: string, body: string, unixSeconds: number): Record<string, string> => ({
    [SIGNATURE_HEADER]: signBankNotification(bankNotificationSecret(rootKey, providerId), body, unixSeconds),
  });
}

export function verifyBankNotification(
  secret: Buffer,
  body: string,
  header: string | undefined,
  nowSeconds: number,
): boolean {
  if (!header) return false;
  const parts = new Map(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > SIGNATURE_TOLERANCE_SECONDS) return false;
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}
