-- Foundation: jurisdictions, registry, staff and sessions, audit log.
-- Frozen in time: never edit after it has shipped; add a new migration instead.

create table city (
  id          bigint generated always as identity primary key,
  code        text not null unique,          -- administrative division code, e.g. 460200
  name        text not null,
  name_en     text not null default ''
);

create table district (
  id          bigint generated always as identity primary key,
  city_id     bigint not null references city(id),
  code        text not null unique,
  name        text not null,
  name_en     text not null default ''
);
create index district_city_idx on district(city_id);

-- Supervision office (监管所): covers one or more districts of its city.
create table office (
  id          bigint generated always as identity primary key,
  city_id     bigint not null references city(id),
  name        text not null,
  name_en     text not null default '',
  address     text not null default '',
  phone       text not null default '',
  created_at  timestamptz not null default now(),
  unique (city_id, name)
);

create table office_district (
  office_id   bigint not null references office(id) on delete cascade,
  district_id bigint not null references district(id),
  primary key (office_id, district_id)
);
create index office_district_district_idx on office_district(district_id);

create table market (
  id              bigint generated always as identity primary key,
  district_id     bigint not null references district(id),
  name            text not null,
  address         text not null default '',
  managing_org    text not null default '',
  contact_name    text not null default '',
  contact_phone   text not null default '',
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  created_by      bigint,
  updated_by      bigint,
  unique (district_id, name)
);

create table stall (
  id          bigint generated always as identity primary key,
  market_id   bigint not null references market(id),
  number      text not null,
  area_m2     numeric(8,2),
  trade       text not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  unique (market_id, number)
);

-- Merchant / market entity (经营主体). district_id and market_id are kept here so that reach
-- (jurisdiction) checks are one indexed predicate.
create table merchant (
  id              bigint generated always as identity primary key,
  uscc            text unique,                 -- null only when has_uscc is false
  has_uscc        boolean not null default true,
  name            text not null,
  legal_rep       text not null,
  entity_type     text not null,
  address         text not null default '',
  categories      text[] not null default '{}',
  licence_numbers text[] not null default '{}',
  district_id     bigint not null references district(id),
  market_id       bigint references market(id),
  stall_id        bigint references stall(id),
  status          text not null default 'operating',
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  created_by      bigint,
  updated_by      bigint,
  check ((has_uscc and uscc is not null) or (not has_uscc and uscc is null)),
  check (status in ('operating', 'suspended', 'closed'))
);
create index merchant_district_idx on merchant(district_id);
create index merchant_market_idx on merchant(market_id);
create index merchant_name_idx on merchant(name);

create table scale (
  id                  bigint generated always as identity primary key,
  serial_no           text not null unique,
  manufacturer        text not null,
  model               text not null,
  max_capacity_g      integer not null check (max_capacity_g > 0),
  division_g          integer not null check (division_g > 0),
  accuracy_class      text not null,
  type_approval_no    text not null default '',
  is_iot              boolean not null default false,
  district_id         bigint not null references district(id),
  merchant_id         bigint references merchant(id),
  market_id           bigint references market(id),
  stall_id            bigint references stall(id),
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  created_by          bigint,
  updated_by          bigint
);
create index scale_district_idx on scale(district_id);
create index scale_merchant_idx on scale(merchant_id);
create index scale_market_idx on scale(market_id);

-- A scale moves between merchants and stalls; each assignment is kept.
create table scale_assignment (
  id           bigint generated always as identity primary key,
  scale_id     bigint not null references scale(id),
  merchant_id  bigint references merchant(id),
  stall_id     bigint references stall(id),
  from_at      timestamptz not null default now(),
  to_at        timestamptz,
  assigned_by  bigint
);
create index scale_assignment_scale_idx on scale_assignment(scale_id, from_at desc);

create table verification_record (
  id              bigint generated always as identity primary key,
  scale_id        bigint not null references scale(id),
  certificate_no  text not null,
  institution     text not null,
  verified_on     date not null,
  result          text not null check (result in ('pass', 'fail')),
  valid_until     date,
  recorded_by     bigint,
  created_at      timestamptz not null default now(),
  check (result = 'fail' or valid_until is not null),
  check (valid_until is null or valid_until >= verified_on)
);
create index verification_record_scale_idx on verification_record(scale_id, verified_on desc, id desc);

create table camera (
  id              bigint generated always as identity primary key,
  merchant_id     bigint not null references merchant(id),
  district_id     bigint not null references district(id),
  market_id       bigint references market(id),
  key_point       text not null check (key_point in ('weighing_area', 'cashier', 'packing', 'seafood_tank', 'kitchen')),
  stream_url      text not null,
  retention_days  integer not null check (retention_days >= 0),
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create index camera_merchant_idx on camera(merchant_id);

create table staff (
  id              bigint generated always as identity primary key,
  username        text not null unique,
  display_name    text not null,
  password_hash   text not null,
  role            text not null check (role in ('admin', 'city_bureau', 'office_inspector', 'market_manager', 'verification_institution', 'price_centre')),
  city_id         bigint references city(id),
  office_id       bigint references office(id),
  organisation    text not null default '',
  is_demo         boolean not null default false,
  is_disabled     boolean not null default false,
  failed_logins   integer not null default 0,
  locked_until    timestamptz,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  check (role <> 'office_inspector' or office_id is not null),
  check (role in ('admin') or city_id is not null)
);

create table staff_market (
  staff_id   bigint not null references staff(id) on delete cascade,
  market_id  bigint not null references market(id),
  primary key (staff_id, market_id)
);

create table staff_session (
  id            text primary key,            -- sha-256 of the cookie token; the token itself is never stored
  staff_id      bigint not null references staff(id) on delete cascade,
  csrf_token    text not null,
  created_at    timestamptz not null default now(),
  last_seen_at  timestamptz not null default now(),
  expires_at    timestamptz not null,
  ip            text not null default '',
  user_agent    text not null default ''
);
create index staff_session_staff_idx on staff_session(staff_id);

-- Append-only and hash-chained: hash = sha256(prev_hash || canonical entry). Verified by `npm run audit:verify`.
create table audit_log (
  seq          bigint primary key,
  at           timestamptz not null,
  staff_id     bigint,
  action       text not null,
  entity       text not null,
  entity_id    text not null,
  before       jsonb,
  after        jsonb,
  request_id   text not null default '',
  prev_hash    text not null,
  hash         text not null
);
create index audit_log_entity_idx on audit_log(entity, entity_id);

-- The head of the chain: its row lock serialises appends, and it lets verification notice a
-- truncated tail (deleting the newest entries).
create table audit_head (
  id    integer primary key check (id = 1),
  seq   bigint not null,
  hash  text not null
);
insert into audit_head (id, seq, hash) values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
