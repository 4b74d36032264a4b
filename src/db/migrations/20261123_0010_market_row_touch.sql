-- A market's own row (its name, address) also notifies 'market-row:ID'. Merchant and scale pages
-- show only the market's name, so they watch this narrow key rather than 'market:ID', which every
-- merchant, scale and stall of the market touches: one merchant's edit no longer drops the pages
-- of all its neighbours.
create function mashang_touch_market_row() returns trigger language plpgsql as $$
begin
  perform pg_notify('mashang_public', 'market-row:' || (case when tg_op = 'DELETE' then old.id else new.id end));
  return null;
end $$;
create trigger market_row_public_touch after insert or update or delete on market for each row execute function mashang_touch_market_row();
