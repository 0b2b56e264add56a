import type { FastifyInstance } from 'fastify';

/** What a verified access token says. */
export interface AccessTokenClaims {
  clientId: string;
  /** OAuth scope names: `pay_by_link`, `ais`. */
  scopes: string[];
  /** RFC 8705 `cnf.x5t#S256` when the token is bound to a client certificate. */
  certThumbprint: string | undefined;
  expiresAt: Date;
}

/** Ferry's OAuth2 authorization server (client credentials for live API clients). */
export interface OAuthServer {
  /** Mounts the token endpoint under /oauth2 and the metadata at /.well-known/oauth-authorization-server. */
  register(app: FastifyInstance): Promise<void>;
  /** Verifies a bearer token locally (no I/O per request); throws when it is not valid. */
  verifyAccessToken(token: string): Promise<AccessTokenClaims>;
  /** Removes expired replay records and artifacts; returns how many rows went. */
  cleanup(): Promise<number>;
}
