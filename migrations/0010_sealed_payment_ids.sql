-- The bank's payment id is stored sealed with the master key (it reads and cancels the payment at the bank);
-- `bank_payment_key` is its keyed hash, by which the bank's funds notifications find the link. Rows written
-- before keep their plain id and no key, and are found by the old index.
ALTER TABLE pay_links ADD COLUMN bank_payment_key text;
CREATE UNIQUE INDEX pay_links_bank_payment_key_idx ON pay_links (provider_id, bank_payment_key)
  WHERE bank_payment_key IS NOT NULL;
