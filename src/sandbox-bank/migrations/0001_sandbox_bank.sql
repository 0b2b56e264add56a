-- The sandbox bank's own tables, in its own schema: a real bank could replace it without Ferry noticing.
CREATE SCHEMA IF NOT EXISTS sandbox_bank;

CREATE TABLE sandbox_bank.payments (
  id text PRIMARY KEY,
  bank text NOT NULL,
  product text NOT NULL,
  request jsonb NOT NULL,
  debtor_iban text,
  creditor_iban text NOT NULL,
  creditor_name text NOT NULL,
  amount numeric(16, 2) NOT NULL,
  currency text NOT NULL,
  psu_id text,
  status text NOT NULL,
  status_reason text,
  force_reject boolean NOT NULL DEFAULT false,
  redirect_uri text NOT NULL,
  nok_redirect_uri text,
  created_at timestamptz NOT NULL,
  accepted_at timestamptz,
  updated_at timestamptz NOT NULL
);

CREATE TABLE sandbox_bank.consents (
  id text PRIMARY KEY,
  bank text NOT NULL,
  psu_id text,
  access jsonb NOT NULL,
  granted jsonb,
  recurring boolean NOT NULL,
  valid_until date NOT NULL,
  frequency_per_day integer NOT NULL,
  status text NOT NULL,
  redirect_uri text NOT NULL,
  nok_redirect_uri text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  last_action_date date NOT NULL
);

CREATE TABLE sandbox_bank.authorisations (
  id text PRIMARY KEY,
  bank text NOT NULL,
  parent_kind text NOT NULL CHECK (parent_kind IN ('payment', 'consent')),
  parent_id text NOT NULL,
  sca_status text NOT NULL,
  step text NOT NULL,
  failures integer NOT NULL DEFAULT 0,
  psu_id text,
  debtor_iban text,
  form_token text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX authorisations_parent_idx ON sandbox_bank.authorisations (parent_id);

CREATE TABLE sandbox_bank.ledger_entries (
  id bigserial PRIMARY KEY,
  bank text NOT NULL,
  account_iban text NOT NULL,
  amount numeric(16, 2) NOT NULL,
  currency text NOT NULL,
  counterparty_name text NOT NULL,
  counterparty_iban text,
  remittance text,
  payment_id text NOT NULL,
  created_at timestamptz NOT NULL,
  settles_at timestamptz NOT NULL
);
CREATE INDEX ledger_entries_account_idx ON sandbox_bank.ledger_entries (account_iban, settles_at);

CREATE TABLE sandbox_bank.access_log (
  consent_id text NOT NULL,
  resource text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX access_log_idx ON sandbox_bank.access_log (consent_id, resource, at);

CREATE TABLE sandbox_bank.faults (
  id bigserial PRIMARY KEY,
  bank text NOT NULL,
  psu_id text,
  amount numeric(16, 2),
  operation text,
  kind text NOT NULL,
  http_status integer,
  delay_ms integer,
  retry_after integer,
  remaining integer,
  created_at timestamptz NOT NULL
);
