-- The stored score (merchant_credit) changes only with credit events, pledges, complaints and
-- penalties, whose own triggers already touch the merchant's pages; a re-score of many merchants
-- sends one '*'. A trigger per stored score only slowed a full re-score down.
drop trigger merchant_credit_public_touch on merchant_credit;
