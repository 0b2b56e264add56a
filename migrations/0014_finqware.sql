-- The classic Finqware API (legacy-apis.md Part A) over the same consents and transactions as FinqLink.
-- A session is a tenant's ordered steps towards a consent (AIS), a payment (PIS) or a product (marketplace).
-- Nonces, temp_tokens and access_tokens are kept only as SHA-256 hashes (they are random, 256 bits).
CREATE TABLE finqware_sessions (
  id                    uuid PRIMARY KEY,
  client_id             uuid NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  tenant_user_id        text NOT NULL,
  skill                 text NOT NULL,
  status                text NOT NULL,
  -- the step the current nonce is for, its hash and its end; a submission clears the hash (single use)
  next_step             text,
  nonce_hash            text,
  nonce_expires_at      timestamptz,
  psu_redirect_link     text,
  -- the browser comes back through /return/{key}: only its hash is kept
  return_key_hash       text UNIQUE,
  consent_id            uuid REFERENCES ais_consents (id) ON DELETE CASCADE,
  link_id               text,
  form                  jsonb,
  error                 text,
  temp_token_hash       text UNIQUE,
  temp_token_expires_at timestamptz,
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL
);
CREATE INDEX finqware_sessions_client_idx ON finqware_sessions (client_id, created_at);

CREATE TABLE finqware_steps (
  id          uuid PRIMARY KEY,
  session_id  uuid NOT NULL REFERENCES finqware_sessions (id) ON DELETE CASCADE,
  name        text NOT NULL,
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX finqware_steps_session_idx ON finqware_steps (session_id, created_at);

-- What a session gave the tenant: a credentials_id with its access_token (hashed).
CREATE TABLE finqware_credentials (
  id                  uuid PRIMARY KEY,
  client_id           uuid NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  session_id          uuid NOT NULL UNIQUE REFERENCES finqware_sessions (id) ON DELETE CASCADE,
  tenant_user_id      text NOT NULL,
  access_token_hash   text NOT NULL,
  status              text NOT NULL,
  consent_exp         timestamptz NOT NULL,
  max_data_retention  timestamptz NOT NULL,
  deleted_at          timestamptz,
  -- when the cached data goes: max_data_retention, or sooner after a delete (pcd_data_retention)
  purge_at            timestamptz NOT NULL,
  purged_at           timestamptz,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL
);
CREATE INDEX finqware_credentials_purge_idx ON finqware_credentials (purge_at) WHERE purged_at IS NULL;
