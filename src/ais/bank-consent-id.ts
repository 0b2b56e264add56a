import type { SecretBox } from '../shared/secret-box.js';
import type { AisDeps } from './ais.context.js';
import type { Consent } from './consent.repository.js';

/**
 * The bank's consent id grants access to the PSU's accounts (at a bank that asks for no certificate, that id
 * alone reads them), so it is stored sealed with the master key (AES-256-GCM, `SecretBox`) and opened only to
 * call the bank. Nothing looks a consent up by it, so no keyed hash is kept. A row written before sealing holds
 * the plain id and is still read.
 */
export const sealBankConsentId = (box: SecretBox, id: string): string => box.seal(id);

export const openBankConsentId = (box: SecretBox, stored: string): string => box.openOrPlain(stored);

/** The bank's id of a consent that has one (callers check `sealedBankConsentId` first). */
export function bankConsentIdOf(deps: Pick<AisDeps, 'secretBox'>, consent: Consent): string {
  if (!consent.sealedBankConsentId) throw new Error(`consent ${consent.id} has no bank consent id`);
  return openBankConsentId(deps.secretBox, consent.sealedBankConsentId);
}
