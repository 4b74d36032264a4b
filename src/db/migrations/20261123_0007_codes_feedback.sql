-- Signed QR codes (一户一码 / 一秤一码), consumers' scale ratings and the lights they give, and the
-- change notifications that keep the public scan pages' cache true within a second.

-- Ed25519 keys that sign codes. The newest unretired key signs new codes; every key listed still
-- verifies, so printed codes survive a rotation. The private half is sealed (AES-256-GCM) with the
-- platform's secret key; a removed row is how a compromised key is withdrawn.
create table code_key (
  kid              text primary key,
  public_key       text not null,
  private_key_enc  text,
  created_at       timestamptz not null default now(),
  retired_at       timestamptz
);

-- Every code ever issued. Reissuing revokes the current one and issues serial + 1.
create table qr_code (
  kind        text not null check (kind in ('merchant', 'scale', 'market', 'prices')),
  subject_id  bigint not null,
  serial      integer not null check (serial >= 0),
  kid         text not null references code_key(kid),
  token       text not null unique,
  check_code  text not null,
  issued_on   date not null,
  issued_at   timestamptz not null default now(),
  issued_by   bigint,
  revoked_at  timestamptz,
  revoked_by  bigint,
  primary key (kind, subject_id, serial)
);
create unique index qr_code_current_idx on qr_code(kind, subject_id) where revoked_at is null;

-- A consumer's rating of a scale, anonymous. device_key and network_key are keyed hashes, never the
-- raw cookie or address. A rating from a burst is kept but marked suspect.
create table scale_rating (
  id                bigint generated always as identity primary key,
  scale_id          bigint not null references scale(id),
  at                timestamptz not null default now(),
  is_accurate       boolean not null,
  stars             smallint not null check (stars between 1 and 5),
  comment           text,
  masked            text[] not null default '{}',
  fair_weight_g     integer check (fair_weight_g > 0),
  receipt_weight_g  integer check (receipt_weight_g > 0),
  device_key        text not null,
  network_key       text not null,
  is_suspect        boolean not null default false
);
create index scale_rating_scale_idx on scale_rating(scale_id, at desc);
create index scale_rating_device_idx on scale_rating(device_key, at desc);
create index scale_rating_network_idx on scale_rating(network_key, at desc);

-- The light each scale shows, recomputed from its ratings when one arrives (and daily, as old
-- ratings fade).
create table scale_light (
  scale_id     bigint primary key references scale(id),
  light        text not null check (light in ('none', 'green', 'yellow', 'red')),
  ratings      integer not null,
  inaccurate   integer not null,
  evidence     jsonb not null,
  updated_at   timestamptz not null default now()
);
create index scale_light_light_idx on scale_light(light) where light in ('yellow', 'red');

-- Public page invalidation: any change to what a scan page shows notifies 'mashang_public' with
-- 'merchant:ID', 'scale:ID' or 'market:ID'. A scale touches its merchant and market too, a merchant
-- its market, so a page need only watch its own key. Identical notifications in one transaction
-- are delivered once.
create function mashang_touch(kind text, subject_id bigint) returns void language plpgsql as $$
declare
  m_id bigint;
  mk_id bigint;
begin
  if subject_id is null then
    return;
  end if;
  perform pg_notify('mashang_public', kind || ':' || subject_id);
  if kind = 'scale' then
    select s.merchant_id, s.market_id into m_id, mk_id from scale s where s.id = subject_id;
    if m_id is not null then
      perform pg_notify('mashang_public', 'merchant:' || m_id);
    end if;
    if mk_id is not null then
      perform pg_notify('mashang_public', 'market:' || mk_id);
    end if;
  elsif kind = 'merchant' then
    select m.market_id into mk_id from merchant m where m.id = subject_id;
    if mk_id is not null then
      perform pg_notify('mashang_public', 'market:' || mk_id);
    end if;
  end if;
end $$;

create function mashang_touch_row() returns trigger language plpgsql as $$
begin
  if tg_table_name = 'merchant' then
    if tg_op <> 'INSERT' then
      perform mashang_touch('merchant', old.id);
      perform pg_notify('mashang_public', 'market:' || coalesce(old.market_id, 0));
    end if;
    if tg_op <> 'DELETE' then
      perform mashang_touch('merchant', new.id);
    end if;
  elsif tg_table_name = 'scale' then
    if tg_op <> 'INSERT' then
      perform pg_notify('mashang_public', 'scale:' || old.id);
      perform pg_notify('mashang_public', 'merchant:' || coalesce(old.merchant_id, 0));
      perform pg_notify('mashang_public', 'market:' || coalesce(old.market_id, 0));
    end if;
    if tg_op <> 'DELETE' then
      perform mashang_touch('scale', new.id);
    end if;
  elsif tg_table_name = 'market' then
    perform mashang_touch('market', case when tg_op = 'DELETE' then old.id else new.id end);
  elsif tg_table_name = 'stall' then
    perform mashang_touch('market', case when tg_op = 'DELETE' then old.market_id else new.market_id end);
    perform mashang_touch('merchant', m.id) from merchant m where m.stall_id = (case when tg_op = 'DELETE' then old.id else new.id end);
  elsif tg_table_name in ('verification_record', 'scale_light') then
    perform mashang_touch('scale', case when tg_op = 'DELETE' then old.scale_id else new.scale_id end);
  elsif tg_table_name = 'qr_code' then
    perform mashang_touch(case when tg_op = 'DELETE' then old.kind else new.kind end, case when tg_op = 'DELETE' then old.subject_id else new.subject_id end);
  end if;
  return null;
end $$;

create trigger merchant_public_touch after insert or update or delete on merchant for each row execute function mashang_touch_row();
create trigger scale_public_touch after insert or update or delete on scale for each row execute function mashang_touch_row();
create trigger market_public_touch after insert or update or delete on market for each row execute function mashang_touch_row();
create trigger stall_public_touch after insert or update or delete on stall for each row execute function mashang_touch_row();
create trigger verification_public_touch after insert or update or delete on verification_record for each row execute function mashang_touch_row();
create trigger scale_light_public_touch after insert or update or delete on scale_light for each row execute function mashang_touch_row();
create trigger qr_code_public_touch after insert or update or delete on qr_code for each row execute function mashang_touch_row();
