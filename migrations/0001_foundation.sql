-- API clients (tenants). Secrets are stored only as a slow scrypt hash.
CREATE TABLE api_clients (
  id                          uuid PRIMARY KEY,
  client_id                   text NOT NULL UNIQUE,
  name                        text NOT NULL,
  mode                        text NOT NULL CHECK (mode IN ('test', 'live')),
  scopes                      text[] NOT NULL DEFAULT '{}',
  secret_hash                 text NOT NULL,
  token_endpoint_auth_method  text NOT NULL DEFAULT 'client_secret_basic'
    CHECK (token_endpoint_auth_method IN ('client_secret_basic', 'client_secret_post', 'private_key_jwt', 'tls_client_auth')),
  jwks                        jsonb,
  tls_subject_dn              text,
  tls_cert_thumbprint         text,
  ux_template                 text NOT NULL DEFAULT 'default',
  webhook_url                 text,
  tracking_required           boolean NOT NULL DEFAULT false,
  disabled                    boolean NOT NULL DEFAULT false,
  secret_rotated_at           timestamptz,
  created_at                  timestamptz NOT NULL DEFAULT now(),
  updated_at                  timestamptz NOT NULL DEFAULT now()
);

-- oidc-provider storage (access tokens are JWTs and are not stored; this holds what the library persists).
CREATE TABLE oauth_artifacts (
  model        text NOT NULL,
  id           text NOT NULL,
  payload      jsonb NOT NULL,
  grant_id     text,
  uid          text,
  user_code    text,
  expires_at   timestamptz,
  consumed_at  timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX oauth_artifacts_grant_idx ON oauth_artifacts (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oauth_artifacts_expires_idx ON oauth_artifacts (expires_at);

-- Client assertion jti values already used (RFC 7523 replay protection); insert-or-fail is atomic.
CREATE TABLE oauth_replay (
  client_id   text NOT NULL,
  jti         text NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (client_id, jti)
);
CREATE INDEX oauth_replay_expires_idx ON oauth_replay (expires_at);

-- Ferry's own signing keys (OAuth access tokens, webhook signatures). Private keys are encrypted with the master key.
CREATE TABLE signing_keys (
  kid          text PRIMARY KEY,
  purpose      text NOT NULL CHECK (purpose IN ('oauth', 'webhook')),
  alg          text NOT NULL,
  public_jwk   jsonb NOT NULL,
  private_enc  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);
CREATE INDEX signing_keys_purpose_idx ON signing_keys (purpose, created_at DESC);
