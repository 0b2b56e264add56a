-- Every call Ferry makes to a bank (each page of a transaction listing is one): the bank, the operation, the
-- outcome and latency, and the link or consent it was made for. No request or response body, no header, no
-- bank id: nothing secret. The operator console shows an object's calls and each bank's recent health from it;
-- rows older than the retention (30 days by default) are deleted by the maintenance task.
CREATE TABLE bank_calls (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            timestamptz NOT NULL,
  provider_id   text NOT NULL,
  operation     text NOT NULL,
  outcome       text NOT NULL,
  http_status   integer,
  latency_ms    integer NOT NULL,
  subject_kind  text,
  subject_id    text
);
CREATE INDEX bank_calls_subject_idx ON bank_calls (subject_id, at) WHERE subject_id IS NOT NULL;
CREATE INDEX bank_calls_provider_idx ON bank_calls (provider_id, at);
CREATE INDEX bank_calls_at_idx ON bank_calls (at);
