/** API client (tenant) as the rest of Ferry sees it. */
export type ClientMode = 'test' | 'live';
export type ClientScope = 'pay' | 'ais';
export type TokenAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'private_key_jwt'
  | 'tls_client_auth';

export const clientScopes: readonly ClientScope[] = ['pay', 'ais'];
export const uxTemplates = ['default', 'classic', 'compact', 'cards', 'glass', 'sheet', 'receipt'] as const;
export type UxTemplate = (typeof uxTemplates)[number];

/** OAuth2 scope names (seed 000) for each client scope. */
export const oauthScopeOf: Record<ClientScope, string> = { pay: 'pay_by_link', ais: 'ais' };

export interface JwkSet {
  keys: Record<string, unknown>[];
}

export interface ApiClient {
  id: string;
  clientId: string;
  name: string;
  mode: ClientMode;
  scopes: ClientScope[];
  tokenEndpointAuthMethod: TokenAuthMethod;
  jwks: JwkSet | null;
  tlsSubjectDn: string | null;
  tlsCertThumbprint: string | null;
  uxTemplate: string;
  webhookUrl: string | null;
  trackingRequired: boolean;
  disabled: boolean;
  /** Client-side safe key of the classic Finqware API (starts a session; it does not authenticate). */
  clientAppKey: string;
  /** Where the finX one-time access flow may send the user back (exact string match). */
  redirectUris: string[];
  /** Origins that may embed Ferry's widget in a frame (CSP frame-ancestors); none: it may not be framed. */
  frameAncestors: string[];
  /** The classic API's signed `/v1s` requests: the tenant's identity (`iss`/`sub`/`email`) and public keys. */
  v1sIdentity: string | null;
  v1sJwks: JwkSet | null;
  createdAt: Date;
}
