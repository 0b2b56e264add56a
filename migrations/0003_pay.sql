-- Payment links. Amounts are numeric (never floats), kept at the precision the client sent.
CREATE TABLE pay_links (
  id               uuid PRIMARY KEY,
  -- Public id in hosted-page URLs: 128 random bits, base64url.
  web_id           text NOT NULL UNIQUE,
  client_id        uuid NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  mode             text NOT NULL CHECK (mode IN ('test', 'live')),
  type             text NOT NULL CHECK (type IN ('link', 'wrapped_sca', 'direct_sca', 'redirect_sca')),
  status           text NOT NULL CHECK (status IN ('created', 'started', 'requested', 'intent_accepted',
                     'awaiting_authz', 'received', 'submitted', 'completed', 'failed', 'revoked',
                     'funds_received', 'funds_rejected')),
  amount           numeric NOT NULL CHECK (amount > 0),
  currency         text NOT NULL,
  creditor_name    text NOT NULL,
  creditor_iban    text NOT NULL,
  remittance_info  text,
  end_to_end_id    text,
  -- Debtor inputs: sent by the API client, or typed by the payer on the hosted page.
  debtor_iban      text,
  psu_id           text,
  -- Which of the debtor inputs came from the API (the page does not ask for those again).
  api_inputs       text[] NOT NULL DEFAULT '{}',
  -- The `payment_method` filter and `options.user_editable` as the client sent them.
  method_filter    jsonb NOT NULL,
  user_editable    jsonb,
  -- The method the payer (or the API filter, for the *_sca types) selected.
  method_id        text,
  provider_id      text,
  redirect_url     text,
  webhook_url      text,
  ux_template      text,
  language         text,
  tracking         jsonb,
  bank_payment_id  text,
  bank_product     text,
  bank_status      text,
  sca_url          text,
  -- Set by the expiry sweep for links that never reached the bank.
  is_expired       boolean NOT NULL DEFAULT false,
  expires_at       timestamptz NOT NULL,
  -- Bank status polling: when next, and how many polls since the status last changed (the backoff step).
  next_poll_at     timestamptz,
  poll_attempts    integer NOT NULL DEFAULT 0,
  poll_since       timestamptz,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
-- links/list: newest first per client, keyset on (created_at, id).
CREATE INDEX pay_links_client_keyset_idx ON pay_links (client_id, created_at DESC, id DESC);
CREATE INDEX pay_links_client_status_idx ON pay_links (client_id, status, created_at DESC, id DESC);
CREATE INDEX pay_links_poll_idx ON pay_links (next_poll_at) WHERE next_poll_at IS NOT NULL;
CREATE INDEX pay_links_expiry_idx ON pay_links (expires_at)
  WHERE NOT is_expired AND status IN ('created', 'started', 'requested');
-- Bank notifications name the payment by the bank's id.
CREATE UNIQUE INDEX pay_links_bank_payment_idx ON pay_links (provider_id, bank_payment_id)
  WHERE bank_payment_id IS NOT NULL;

-- Every status a link went through, in order (links/get shows it).
CREATE TABLE pay_link_history (
  link_id      uuid NOT NULL REFERENCES pay_links (id) ON DELETE CASCADE,
  seq          integer NOT NULL,
  status       text NOT NULL,
  event        text NOT NULL,
  bank_status  text,
  at           timestamptz NOT NULL,
  PRIMARY KEY (link_id, seq)
);
