-- FinqLink Data (AIS): consents, refresh jobs, and the account data they store.

CREATE TABLE ais_consents (
  id                     uuid PRIMARY KEY,
  client_id              uuid NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  mode                   text NOT NULL CHECK (mode IN ('test', 'live')),
  web_id                 text NOT NULL UNIQUE,
  status                 text NOT NULL CHECK (status IN ('created', 'started', 'requested', 'sca_url_retrieved',
                           'awaiting_authz', 'authorized', 'active', 'expired', 'revoked', 'failed', 'suspended')),
  status_reason          text,
  flow_type              text NOT NULL CHECK (flow_type IN ('link', 'wrapped_sca', 'direct_sca', 'redirect_sca')),
  scope                  text[] NOT NULL,
  consent_validity_days  integer NOT NULL CHECK (consent_validity_days BETWEEN 1 AND 180),
  -- The ais_method filter as sent (snake_case), re-applied when the page lists banks.
  method_filter          jsonb NOT NULL DEFAULT '{}',
  method_id              text,
  provider_id            text,
  psu_iban               text,
  psu_id                 text,
  redirect_url           text,
  webhook_url            text,
  ux_template            text,
  language               text,
  tracking               jsonb,
  bank_consent_id        text,
  sca_url                text,
  expires_at             timestamptz NOT NULL,
  authorized_at          timestamptz,
  authorized_until       timestamptz,
  -- Last time the bank was asked about this consent (revocation by the PSU, blocking).
  bank_checked_at        timestamptz,
  created_at             timestamptz NOT NULL,
  updated_at             timestamptz NOT NULL
);
CREATE INDEX ais_consents_client_idx ON ais_consents (client_id, created_at DESC);
-- Sweeps: links that may expire, consents whose validity may end.
CREATE INDEX ais_consents_pending_idx ON ais_consents (expires_at)
  WHERE status IN ('created', 'started', 'requested', 'sca_url_retrieved', 'awaiting_authz');
CREATE INDEX ais_consents_authorized_idx ON ais_consents (authorized_until)
  WHERE status IN ('authorized', 'active');

CREATE TABLE ais_jobs (
  id             uuid PRIMARY KEY,
  consent_id     uuid NOT NULL REFERENCES ais_consents (id) ON DELETE CASCADE,
  status         text NOT NULL CHECK (status IN ('job_started', 'accounts_ready', 'balances_ready',
                   'transactions_fetching', 'job_completed', 'job_partially_completed', 'job_failed')),
  -- initial: started by the authorisation; refresh: jobs/create.
  kind           text NOT NULL CHECK (kind IN ('initial', 'refresh')),
  callback_url   text,
  results        jsonb NOT NULL DEFAULT '{}',
  error          text,
  attempts       integer NOT NULL DEFAULT 0,
  -- Lease of the worker running it; a job whose lease lapsed (the process died) is picked up again.
  locked_by      text,
  locked_until   timestamptz,
  created_at     timestamptz NOT NULL,
  started_at     timestamptz,
  finished_at    timestamptz,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX ais_jobs_consent_idx ON ais_jobs (consent_id, created_at DESC);
-- At most one unfinished job per consent: a refresh never runs beside another one.
CREATE UNIQUE INDEX ais_jobs_one_running_idx ON ais_jobs (consent_id)
  WHERE status NOT IN ('job_completed', 'job_partially_completed', 'job_failed');

CREATE TABLE ais_accounts (
  id                 uuid PRIMARY KEY,
  consent_id         uuid NOT NULL REFERENCES ais_consents (id) ON DELETE CASCADE,
  provider_id        text NOT NULL,
  bank_resource_id   text NOT NULL,
  iban               text,
  bic                text,
  currency           text NOT NULL,
  name               text,
  owner_name         text,
  account_type       text,
  account_sub_type   text,
  cash_account_type  text,
  last_job_id        uuid,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  UNIQUE (consent_id, bank_resource_id)
);

-- Balance history: one snapshot per account per job. `seq` orders the history (newest first) for keyset paging.
CREATE TABLE ais_balances (
  seq                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                      uuid NOT NULL UNIQUE,
  consent_id              uuid NOT NULL REFERENCES ais_consents (id) ON DELETE CASCADE,
  account_id              uuid NOT NULL REFERENCES ais_accounts (id) ON DELETE CASCADE,
  job_id                  uuid NOT NULL,
  type                    text NOT NULL,
  bank_type               text,
  amount                  numeric NOT NULL CHECK (amount >= 0),
  currency                text NOT NULL,
  credit_debit_indicator  text NOT NULL CHECK (credit_debit_indicator IN ('credit', 'debit')),
  credit_limit_included   boolean,
  reference_date          date,
  reference_timestamp     timestamptz,
  created_at              timestamptz NOT NULL,
  UNIQUE (account_id, job_id, type)
);
CREATE INDEX ais_balances_consent_idx ON ais_balances (consent_id, seq DESC);

-- Transactions: one row per bank transaction (utx_id) per account; a pending row becomes the booked one.
-- `sort_date` is the booking date, or for a pending transaction its value date: the list order and date filters.
CREATE TABLE ais_transactions (
  id                      uuid PRIMARY KEY,
  consent_id              uuid NOT NULL,
  account_id              uuid NOT NULL REFERENCES ais_accounts (id) ON DELETE CASCADE,
  utx_id                  text NOT NULL,
  bank_transaction_id     text,
  entry_reference         text,
  status                  text NOT NULL CHECK (status IN ('booked', 'pending')),
  amount                  numeric NOT NULL CHECK (amount >= 0),
  currency                text NOT NULL,
  credit_debit_indicator  text NOT NULL CHECK (credit_debit_indicator IN ('credit', 'debit')),
  booking_date            date,
  value_date              date,
  sort_date               date NOT NULL,
  counterparty_name       text,
  counterparty_iban       text,
  remittance_information  text,
  bank_transaction_code   text,
  -- The pending transaction's utx_id this booked row replaced (the bank gave the booking a new id).
  replaced_utx_id         text,
  job_id                  uuid,
  inserted_at             timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL,
  UNIQUE (account_id, utx_id)
);
CREATE INDEX ais_transactions_list_idx ON ais_transactions (consent_id, sort_date DESC, id DESC);
CREATE INDEX ais_transactions_updated_idx ON ais_transactions (consent_id, updated_at);
