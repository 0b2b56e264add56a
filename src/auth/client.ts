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

export interface ApiClient {
  id: string;
  clientId: string;
  name: string;
  mode: ClientMode;
  scopes: ClientScope[];
  tokenEndpointAuthMethod: TokenAuthMethod;
  jwks: { keys: Record<string, unknown>[] } | null;
  tlsSubjectDn: string | null;
  tlsCertThumbprint: string | null;
  uxTemplate: string;
  webhookUrl: string | null;
  trackingRequired: boolean;
  disabled: boolean;
  createdAt: Date;
}
