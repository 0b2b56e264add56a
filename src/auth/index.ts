export type { ApiClient, ClientMode, ClientScope, TokenAuthMethod, UxTemplate } from './client.js';
export { clientScopes, oauthScopeOf, uxTemplates } from './client.js';
export type { ClientsService, CreateClientInput, CreatedClient } from './clients.service.js';
export { createClientsService, validateWebhookUrl } from './clients.service.js';
export { certThumbprint, peerCertificateDer } from './mtls.js';
export type { AccessTokenClaims, OAuthServer } from './oauth/types.js';
