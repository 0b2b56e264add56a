export type { AuthFailureLimits, AuthThrottle } from './auth-throttle.js';
export { createAuthThrottle } from './auth-throttle.js';
export type { ApiClient, ClientMode, ClientScope, JwkSet, TokenAuthMethod, UxTemplate } from './client.js';
export { clientScopes, oauthScopeOf, uxTemplates } from './client.js';
export type { ClientSettings } from './client-settings.js';
export type {
  ClientsService,
  CreateClientInput,
  CreatedClient,
  UpdateClientInput,
  WebhookUrlCheck,
} from './clients.service.js';
export { createClientsService } from './clients.service.js';
export { certThumbprint, peerCertificateDer } from './mtls.js';
export { createOAuthServer } from './oauth/index.js';
export type { AccessTokenClaims, OAuthServer } from './oauth/types.js';
export { VerifyGate } from './secret-hash.js';
