-- The primary key (scale_id, seq, at) already serves lookups by (scale_id, seq); a second index
-- on that prefix only made every sale write one more index entry.
drop index if exists sale_scale_seq_idx;
