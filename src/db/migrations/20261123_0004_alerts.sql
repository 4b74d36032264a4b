-- Alerts: findings of the platform (over-cap sales, tampering, offline scales ...) routed to the
-- supervision office of their district, with their evidence and a lifecycle of staff actions.
-- Frozen in time: never edit after it has shipped; add a new migration instead.

create table alert (
  id               bigint generated always as identity primary key,
  type             text not null,                -- ALERT_TYPES in alerts.rules.ts: no check, so a new type needs no migration
  severity         text not null check (severity in ('low', 'medium', 'high', 'critical')),
  status           text not null default 'open' check (status in ('open', 'acknowledged', 'resolved', 'dismissed')),
  aggregation_key  text not null,                -- repeats of one finding share it: one active alert per (type, key)
  title            text not null,
  summary          text not null default '',     -- the latest piece of evidence, in words
  scale_id         bigint references scale(id),
  merchant_id      bigint references merchant(id),
  market_id        bigint references market(id),
  district_id      bigint not null references district(id),
  -- Routed to the lowest-id office covering the district; every office covering it sees it through reach.
  office_id        bigint references office(id) on delete set null,
  evidence_count   integer not null default 0,   -- every piece raised; the first 1000 are stored in alert_evidence
  first_seen_at    timestamptz not null,
  last_seen_at     timestamptz not null,
  opened_at        timestamptz not null default now(),
  acknowledged_at  timestamptz,
  acknowledged_by  bigint references staff(id),
  closed_at        timestamptz,
  closed_by        bigint references staff(id),
  updated_at       timestamptz not null default now(),
  version          integer not null default 1,   -- +1 on every change, so a live client can drop stale updates
  check ((status in ('resolved', 'dismissed')) = (closed_at is not null))
);
-- The aggregation invariant: concurrent raises of one finding meet here (INSERT ... ON CONFLICT),
-- and a resolved or dismissed alert leaves the index, so the next finding opens a new alert.
create unique index alert_active_key_idx on alert(type, aggregation_key) where status in ('open', 'acknowledged');
create index alert_district_idx on alert(district_id, status, last_seen_at desc);
create index alert_recent_idx on alert(last_seen_at desc, id desc);
create index alert_market_idx on alert(market_id, last_seen_at desc) where market_id is not null;
create index alert_merchant_idx on alert(merchant_id) where merchant_id is not null;
create index alert_scale_idx on alert(scale_id) where scale_id is not null;

create table alert_evidence (
  id               bigint generated always as identity primary key,
  alert_id         bigint not null references alert(id) on delete cascade,
  at               timestamptz not null,
  summary          text not null,
  data             jsonb not null default '{}',
  source_scale_id  bigint,                       -- provenance as reported (scale id + seq), not a foreign key
  source_seq       bigint,
  recorded_at      timestamptz not null default now()
);
create index alert_evidence_alert_idx on alert_evidence(alert_id, at desc, id desc);

create table alert_action (
  id           bigint generated always as identity primary key,
  alert_id     bigint not null references alert(id) on delete cascade,
  action       text not null check (action in ('acknowledge', 'resolve', 'dismiss', 'reopen')),
  from_status  text not null,
  to_status    text not null,
  staff_id     bigint not null references staff(id),
  at           timestamptz not null default now(),
  note         text not null default ''
);
create index alert_action_alert_idx on alert_action(alert_id, at, id);
