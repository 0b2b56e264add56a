import { validationError } from '../shared/errors.js';
import {
  type ClientMode,
  type ClientScope,
  clientScopes,
  type JwkSet,
  type TokenAuthMethod,
  uxTemplates,
} from './client.js';

/** What an operator sets on an API client, at creation and later (`ferry clients update`, the operator API). */
export interface ClientSettings {
  name?: string;
  scopes?: ClientScope[];
  webhookUrl?: string | null;
  uxTemplate?: string;
  jwks?: JwkSet | null;
  tokenEndpointAuthMethod?: TokenAuthMethod;
  tlsSubjectDn?: string | null;
  tlsCertThumbprint?: string | null;
  trackingRequired?: boolean;
  redirectUris?: string[];
  frameAncestors?: string[];
  v1sIdentity?: string | null;
  v1sJwks?: JwkSet | null;
}

/** Every setting with a value: what a client row holds. */
export type FullSettings = Required<ClientSettings> & { mode: ClientMode };

export const settingsDefaults = (mode: ClientMode): FullSettings => ({
  mode,
  name: '',
  scopes: [...clientScopes],
  webhookUrl: null,
  uxTemplate: 'default',
  jwks: null,
  tokenEndpointAuthMethod: 'client_secret_basic',
  tlsSubjectDn: null,
  tlsCertThumbprint: null,
  trackingRequired: false,
  redirectUris: [],
  frameAncestors: [],
  v1sIdentity: null,
  v1sJwks: null,
});

const MAX_LISTED = 20;

/**
 * Checks a client's settings as a whole (one rule set for create and update: an update is checked merged
 * with what the client has) and returns them normalised; throws validation_error naming the field.
 */
export function checkSettings(s: FullSettings): FullSettings {
  const name = s.name.trim();
  if (name.length < 1 || name.length > 128) throw validationError('name', 'must be 1 to 128 characters');
  if (s.mode !== 'test' && s.mode !== 'live') throw validationError('mode', 'must be test or live');
  if (s.scopes.length === 0 || s.scopes.some((x) => !clientScopes.includes(x))) {
    throw validationError('scopes', `must be a non-empty subset of ${clientScopes.join(', ')}`);
  }
  if (!(uxTemplates as readonly string[]).includes(s.uxTemplate)) {
    throw validationError('ux_template', `must be one of ${uxTemplates.join(', ')}`);
  }
  if (s.jwks) checkJwks(s.jwks, 'jwks');
  if (s.tokenEndpointAuthMethod === 'private_key_jwt' && !s.jwks) {
    throw validationError('jwks', 'is required for private_key_jwt');
  }
  if (s.tokenEndpointAuthMethod === 'tls_client_auth' && !s.tlsSubjectDn) {
    throw validationError('tls_subject_dn', 'is required for tls_client_auth');
  }
  const redirectUris = unique(s.redirectUris, 'redirect_uris').map((u) => checkRedirectUri(u));
  const frameAncestors = unique(s.frameAncestors, 'frame_ancestors').map((o) => checkOrigin(o));
  if (s.v1sIdentity !== null && !/^[^@\s]{1,64}@[^@\s]{1,189}$/.test(s.v1sIdentity)) {
    throw validationError('v1s_identity', 'must be an e-mail address');
  }
  if (s.v1sJwks) checkJwks(s.v1sJwks, 'v1s_keys', ['RSA', 'EC']);
  if (s.v1sJwks && !s.v1sIdentity) throw validationError('v1s_identity', 'is required with v1s_keys');
  return { ...s, name, scopes: [...new Set(s.scopes)], redirectUris, frameAncestors };
}

function unique(list: string[], field: string): string[] {
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) {
    throw validationError(field, 'must be a list of strings');
  }
  if (list.length > MAX_LISTED) throw validationError(field, `may hold at most ${MAX_LISTED} entries`);
  return [...new Set(list)];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http to this machine (development); absolute, no credentials, no fragment (RFC 6749 §3.1.2). */
function checkRedirectUri(raw: string): string {
  const url = parseUrl(raw, 'redirect_uris');
  if (raw.length > 2048) throw validationError('redirect_uris', 'must be at most 2048 characters');
  if (url.hash || raw.includes('#'))
    throw validationError('redirect_uris', `${raw}: must not have a fragment`);
  return raw;
}

/** An origin as a browser sends it (`https://shop.example` or `https://shop.example:8443`), nothing more. */
function checkOrigin(raw: string): string {
  const url = parseUrl(raw, 'frame_ancestors');
  if (url.origin !== raw)
    throw validationError('frame_ancestors', `${raw}: must be an origin, e.g. ${url.origin}`);
  return raw;
}

function parseUrl(raw: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw validationError(field, `${raw}: must be an absolute URL`);
  }
  if (url.username || url.password) throw validationError(field, `${raw}: must not carry credentials`);
  const local = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
  if (url.protocol !== 'https:' && !local) {
    throw validationError(field, `${raw}: must use https (http only to localhost)`);
  }
  return url;
}

const PUBLIC_KEY_TYPES = ['RSA', 'EC', 'OKP'];

function checkJwks(jwks: JwkSet, field: string, types: string[] = PUBLIC_KEY_TYPES): void {
  if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
    throw validationError(field, 'must be a JWK Set with at least one key');
  }
  for (const key of jwks.keys) {
    if (!key || typeof key !== 'object' || !types.includes(String(key.kty))) {
      throw validationError(field, `keys must be ${types.join(' or ')} public keys`);
    }
    if ('d' in key || 'p' in key || 'q' in key) throw validationError(field, 'must hold public keys only');
  }
}
