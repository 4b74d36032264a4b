-- IoT scale ingest (scale protocol v1): device credentials and status, sales, events,
-- rejected messages, sequence gaps, calibration orders.
-- Frozen in time: never edit after it has shipped; add a new migration instead.

-- One row per scale that has (or had) device credentials. device_id is the protocol's scaleId.
create table scale_device (
  scale_id          bigint primary key references scale(id),
  device_id         text not null unique,
  secret_enc        text,                       -- AES-256-GCM of the 32-byte secret; null once revoked
  issued_at         timestamptz,
  issued_by         bigint,
  revoked_at        timestamptz,
  last_seen_at      timestamptz,
  last_seq          bigint not null default 0,
  is_online         boolean not null default false,
  status_changed_at timestamptz,
  clock_drift_ms    integer,
  last_transport    text,
  offline_reported_at timestamptz,              -- the offline episode already raised as a finding
  check (device_id ~ '^[A-Za-z0-9_-]{1,64}$')
);

-- Sales, partitioned by day of the scale's own time (ts). (scale_id, seq) is unique across
-- partitions by the writer: it looks up every incoming seq within the back-fill window first.
create table sale (
  scale_id               bigint not null,
  seq                    bigint not null,
  at                     timestamptz not null,
  received_at            timestamptz not null,
  merchant_id            bigint,
  market_id              bigint,
  district_id            bigint not null,
  plu                    text not null,
  name                   text not null,
  weight_g               integer not null,
  tare_g                 integer not null,
  unit_price_fen_per_kg  integer not null,
  total_fen              integer not null,
  receipt_no             text,
  product_id             bigint,
  cap_fen_per_kg         integer,
  is_over_cap            boolean not null default false,
  flags                  text[] not null default '{}',
  content_hash           text not null,            -- sha-256 of the canonical message without mac
  primary key (scale_id, seq, at)
) partition by range (at);
create index sale_scale_seq_idx on sale (scale_id, seq);
create index sale_merchant_at_idx on sale (merchant_id, at desc);
create index sale_market_at_idx on sale (market_id, at desc);
create index sale_district_at_idx on sale (district_id, at desc);
create table sale_default partition of sale default;

create table scale_event (
  scale_id      bigint not null,
  seq           bigint not null,
  at            timestamptz not null,
  received_at   timestamptz not null,
  district_id   bigint not null,
  type          text not null,
  actor         text,
  detail        jsonb,
  content_hash  text not null,
  primary key (scale_id, seq)
);
create index scale_event_at_idx on scale_event (scale_id, at desc);

-- Nothing is lost: a rejected message is kept with its raw bytes and the reason.
create table ingest_rejection (
  id           bigint generated always as identity primary key,
  received_at  timestamptz not null default now(),
  device_id    text,
  scale_id     bigint,
  seq          bigint,
  transport    text not null,
  channel      text not null,
  raw          bytea not null,
  reason       text not null
);
create index ingest_rejection_scale_idx on ingest_rejection (scale_id, received_at desc);

-- Sequence numbers a scale skipped: open until filled; one open past the grace period is a finding.
create table seq_gap (
  id          bigint generated always as identity primary key,
  scale_id    bigint not null,
  from_seq    bigint not null,
  to_seq      bigint not null,
  opened_at   timestamptz not null default now(),
  closed_at   timestamptz,
  reported_at timestamptz,
  check (from_seq <= to_seq)
);
create index seq_gap_open_idx on seq_gap (scale_id) where closed_at is null;

-- Authorised calibration orders issued by the verification institution: a calibration or
-- configuration change on a scale is authorised only inside an order's window (and by its
-- calibrator, when one is named).
create table calibration_order (
  id              bigint generated always as identity primary key,
  scale_id        bigint not null references scale(id),
  valid_from      timestamptz not null,
  valid_until     timestamptz not null,
  calibrator      text,
  reason          text not null default '',
  issued_by       bigint,
  issued_at       timestamptz not null default now(),
  check (valid_until > valid_from)
);
create index calibration_order_scale_idx on calibration_order (scale_id, valid_from);

-- Business hours decide when an offline scale is a finding.
alter table market add column opens_at time not null default '06:00';
alter table market add column closes_at time not null default '20:00';

-- Generated key material when none is configured (MASHANG_DEVICE_KEY): device secrets are then
-- encrypted with a key kept in the database itself, which protects a leaked dump of scale_device
-- alone but not of the whole database. Production sets MASHANG_DEVICE_KEY.
create table platform_secret (
  name   text primary key,
  value  text not null
);
