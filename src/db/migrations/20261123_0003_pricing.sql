-- Controlled prices (调控价格): the city catalogue, versioned price lists, merchants' PLU mappings.
-- Frozen in time: never edit after it has shipped; add a new migration instead.

-- A product the price monitoring centre controls, per city: a species and size grade, priced per kg.
create table product (
  id          bigint generated always as identity primary key,
  city_id     bigint not null references city(id),
  code        text not null,                  -- the centre's catalogue code, e.g. SY-SF-001
  name        text not null,
  name_en     text not null default '',
  category    text not null check (category in ('seafood', 'fruit', 'vegetables', 'meat', 'poultry', 'grain_oil', 'other')),
  spec        text not null default '',       -- size grade or specification, e.g. 活，500g以上
  unit        text not null default 'kg' check (unit = 'kg'),
  aliases     text[] not null default '{}',   -- other names a receipt may print, for matching unmapped PLUs
  active      boolean not null default true,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  created_by  bigint,
  updated_by  bigint,
  unique (city_id, code)
);

-- A price list of one city. A draft is edited freely; once published it is never rewritten (the
-- triggers below refuse it): a correction is a new version. `version` is numbered at publication,
-- so within a city a higher version was published later. In force at t: among the published lists
-- whose [effective_from, effective_to) contains t, the highest version.
create table price_list (
  id              bigint generated always as identity primary key,
  city_id         bigint not null references city(id),
  version         integer,
  title           text not null,
  issuer          text not null default '',   -- the publishing body, e.g. 三亚市价格监测中心
  effective_from  timestamptz not null,
  effective_to    timestamptz,                -- null: until superseded
  status          text not null default 'draft' check (status in ('draft', 'published')),
  published_at    timestamptz,
  published_by    bigint references staff(id),
  supersedes_id   bigint references price_list(id),
  note            text not null default '',
  created_at      timestamptz not null default now(),
  created_by      bigint,
  updated_at      timestamptz not null default now(),
  unique (city_id, version),
  check (effective_to is null or effective_to > effective_from),
  check ((status = 'draft' and version is null and published_at is null and published_by is null)
      or (status = 'published' and version is not null and published_at is not null and published_by is not null))
);
create index price_list_city_idx on price_list(city_id, status);

-- The product's labels are copied in (and frozen at publication), so renaming a catalogue product
-- never rewrites what a published list said.
create table price_list_item (
  price_list_id   bigint not null references price_list(id),
  product_id      bigint not null references product(id),
  cap_fen_per_kg  integer not null check (cap_fen_per_kg > 0),
  name            text not null,
  name_en         text not null default '',
  spec            text not null default '',
  category        text not null,
  primary key (price_list_id, product_id)
);
create index price_list_item_product_idx on price_list_item(product_id);

-- A merchant's scale key (plu) → catalogue product. Sales are judged through this mapping.
create table merchant_plu (
  merchant_id  bigint not null references merchant(id),
  plu          text not null check (length(plu) between 1 and 32),
  product_id   bigint not null references product(id),
  updated_at   timestamptz not null default now(),
  updated_by   bigint,
  primary key (merchant_id, plu)
);
create index merchant_plu_product_idx on merchant_plu(product_id);

-- Bumped by every pricing write, so an instance reloads its in-memory snapshot only when something changed.
create table pricing_revision (
  id        integer primary key check (id = 1),
  revision  bigint not null
);
insert into pricing_revision (id, revision) values (1, 0);

-- A published list and its items are immutable: the service never tries, and the database refuses.
create function price_list_guard() returns trigger language plpgsql as $$
begin
  if old.status = 'published' then
    raise exception 'price list % is published and cannot be changed; publish a correction instead', old.id using errcode = 'P0001';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger price_list_immutable before update or delete on price_list
  for each row execute function price_list_guard();

create function price_list_item_guard() returns trigger language plpgsql as $$
declare
  list_id bigint := case when tg_op = 'DELETE' then old.price_list_id else new.price_list_id end;
begin
  if exists (select 1 from price_list where id = list_id and status = 'published')
     or (tg_op = 'UPDATE' and exists (select 1 from price_list where id = old.price_list_id and status = 'published')) then
    raise exception 'price list % is published and its items cannot be changed', list_id using errcode = 'P0001';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger price_list_item_immutable before insert or update or delete on price_list_item
  for each row execute function price_list_item_guard();
