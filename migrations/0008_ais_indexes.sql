-- AIS reads that must not depend on statistics. On a server with autovacuum off (or before autoanalyze has caught
-- up with a bulk refresh) these tables have none, and the planner read whole tables for queries that need a handful
-- of rows. Figures: an audit on PostgreSQL 15, 1M-row ais_balances, 400k-row ais_jobs, a consent with a 100k-row
-- account; each index below is used with and without statistics.

-- latestBalances (every accounts list): each account's newest snapshot is the first entry of its (account_id, seq)
-- range. Without it, per balance row the planner walked ais_balances_pkey back by seq until it met the account:
-- 29-93 ms; with it 0.03-0.08 ms.
CREATE INDEX ais_balances_account_seq_idx ON ais_balances (account_id, seq DESC);

-- listRunnableJobs (every AIS worker pass): the unfinished jobs, oldest first, read only as far as the batch; the
-- predicate is the query's own status filter, finished jobs (nearly all of the table) are not in it. Without it a
-- seq scan and sort of the whole table: 30-40 ms on 400k jobs; with it 0.02 ms.
CREATE INDEX ais_jobs_runnable_idx ON ais_jobs (created_at)
  WHERE status NOT IN ('job_completed', 'job_partially_completed', 'job_failed');

-- listTransactions filtered by account: the page is the first entries of the account's range, in list order. With
-- only ais_transactions_list_idx (consent) and the (account_id, utx_id) key, the plan PostgreSQL settles on for the
-- prepared statement from its 6th execution (statistics or not) ANDs both bitmaps and sorts every row of the
-- account: 110-130 ms for a 100k-row account; with it 0.08-0.11 ms.
CREATE INDEX ais_transactions_account_list_idx ON ais_transactions (consent_id, account_id, sort_date DESC, id DESC);
