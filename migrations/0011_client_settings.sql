-- Client settings the classic Finqware API and the finX one-time access need, managed by `ferry clients update`
-- and the operator API. `client_app_key` is client-side safe (it identifies the tenant when a session starts, it
-- does not authenticate it), so it is stored as is; every client has one from now on.
ALTER TABLE api_clients ADD COLUMN client_app_key text;
UPDATE api_clients SET client_app_key = 'fak_' || replace(gen_random_uuid()::text, '-', '') WHERE client_app_key IS NULL;
ALTER TABLE api_clients ALTER COLUMN client_app_key SET NOT NULL;
CREATE UNIQUE INDEX api_clients_client_app_key_idx ON api_clients (client_app_key);
ALTER TABLE api_clients ADD COLUMN redirect_uris text[] NOT NULL DEFAULT '{}';
ALTER TABLE api_clients ADD COLUMN frame_ancestors text[] NOT NULL DEFAULT '{}';
ALTER TABLE api_clients ADD COLUMN v1s_identity text;
ALTER TABLE api_clients ADD COLUMN v1s_jwks jsonb;

-- Every operator action (operator API, console, CLI): who, what, when, the outcome. Never a secret.
CREATE TABLE operator_audit (
  id       uuid PRIMARY KEY,
  at       timestamptz NOT NULL,
  actor    text NOT NULL,
  action   text NOT NULL,
  target   text,
  outcome  text NOT NULL,
  detail   jsonb
);
CREATE INDEX operator_audit_at_idx ON operator_audit (at DESC);
