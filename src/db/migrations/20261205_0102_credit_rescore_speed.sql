-- A full re-score (a new rulebook) reads every event and rewrites every stored score (issue 5).
-- The events of a merchant, by item, with what scoring reads: the bulk re-score sums them from the
-- index alone (an index-only scan, in item order), without visiting the table.
drop index credit_event_merchant_idx;
create index credit_event_merchant_idx on credit_event(merchant_id, item_code) include (points, occurred_at, status, confirmed_by);
-- Rulebooks are only ever added: a per-row check that the stored score's rulebook exists cost a
-- full re-score a trigger call per merchant and guarded nothing.
alter table merchant_credit drop constraint merchant_credit_rulebook_id_fkey;
-- Room on each page for the new version of every row, so a re-score updates in place (HOT) instead
-- of adding a primary-key entry per merchant.
alter table merchant_credit set (fillfactor = 50);
