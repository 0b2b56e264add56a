export type { ApiClient, ClientMode, ClientScope, TokenAuthMethod, UxTemplate } from './client.js';
export { clientScopes, oauthScopeOf, uxTemplates } from './client.js';
export type { ClientsService, CreateClientInput, CreatedClient, WebhookUrlCheck } from './clients.service.js';
export { createClientsService } from './clients.service.js';
export { certThumbprint, peerCertificateDer } from './mtls.js';
export { createOAuthServer } from './oauth/index.js';
export type { AccessTokenClaims, OAuthServer } from './oauth/types.js';
