-- Credit (信用): merchant accounts, rulebooks, credit events with due process, scores and their
-- history, integrity pledges, complaints with statutory clocks, administrative penalties.

-- A merchant signs in to see its record, sign its pledge, reply, object and apply for repair.
alter table staff add column merchant_id bigint references merchant(id);
alter table staff drop constraint staff_role_check;
alter table staff add constraint staff_role_check check (role in ('admin', 'city_bureau', 'office_inspector', 'market_manager', 'verification_institution', 'price_centre', 'merchant'));
alter table staff add constraint staff_merchant_check check ((role = 'merchant') = (merchant_id is not null));
create index staff_merchant_idx on staff(merchant_id) where merchant_id is not null;

-- A city's rulebook (信用评价标准及评分细则), versioned; the newest published version is in force.
-- The body is the rulebook as data (src/modules/credit/credit.rules.ts CreditRulebook).
create table credit_rulebook (
  id            bigint generated always as identity primary key,
  city_id       bigint not null references city(id),
  version       integer not null,
  body          jsonb not null,
  published_at  timestamptz not null default now(),
  published_by  bigint,
  unique (city_id, version)
);

create table credit_event (
  id                   bigint generated always as identity primary key,
  merchant_id          bigint not null references merchant(id),
  item_code            text not null,
  points               integer not null,
  occurred_at          timestamptz not null,
  recorded_at          timestamptz not null default now(),
  recorded_by          bigint,
  source               text not null,
  status               text not null default 'proposed' check (status in ('proposed', 'confirmed', 'objected', 'withdrawn', 'repaired')),
  evidence             text not null default '',
  confirmed_by         bigint,
  confirmed_at         timestamptz,
  reply                text,
  replied_at           timestamptz,
  objection            text,
  objected_at          timestamptz,
  objection_outcome    text check (objection_outcome in ('upheld', 'rejected')),
  objection_decided_at timestamptz,
  objection_decided_by bigint,
  objection_note       text,
  repair_commitment    text,
  repair_evidence      text,
  repair_applied_at    timestamptz,
  repair_outcome       text check (repair_outcome in ('granted', 'refused')),
  repair_decided_at    timestamptz,
  repair_decided_by    bigint,
  repair_note          text,
  -- Where it came from: a complaint, a penalty, an alert.
  origin               text
);
create index credit_event_merchant_idx on credit_event(merchant_id, occurred_at);
create index credit_event_status_idx on credit_event(status) where status in ('proposed', 'objected');

-- The score in force per merchant (recomputed on every event and for every merchant on a rulebook change).
create table merchant_credit (
  merchant_id       bigint primary key references merchant(id),
  score             integer not null,
  stars             smallint not null,
  rulebook_id       bigint references credit_rulebook(id),
  under_objection   integer not null default 0,
  risk_class        text not null default 'B' check (risk_class in ('A', 'B', 'C', 'D')),
  computed_at       timestamptz not null default now()
);

-- Every change of stars, kept.
create table credit_star_history (
  id           bigint generated always as identity primary key,
  merchant_id  bigint not null references merchant(id),
  at           timestamptz not null default now(),
  score        integer not null,
  stars        smallint not null,
  rulebook_id  bigint,
  cause        text not null
);
create index credit_star_history_merchant_idx on credit_star_history(merchant_id, at);

-- 诚信经营承诺: signed in the platform by the legal representative or operator.
create table integrity_pledge (
  id            bigint generated always as identity primary key,
  merchant_id   bigint not null references merchant(id),
  rulebook_id   bigint references credit_rulebook(id),
  text_zh       text not null,
  text_en       text not null,
  signed_by     text not null,
  signed_on     date not null,
  signed_at     timestamptz not null default now(),
  account_id    bigint,
  withdrawn_at  timestamptz,
  broken_at     timestamptz,
  broken_note   text
);
create unique index integrity_pledge_current_idx on integrity_pledge(merchant_id) where withdrawn_at is null and broken_at is null;

-- 消费投诉, received online. The consumer's phone is private: staff see it masked.
create table complaint (
  id                       bigint generated always as identity primary key,
  reference                text not null unique,
  merchant_id              bigint not null references merchant(id),
  scale_id                 bigint references scale(id),
  sale_scale_id            bigint,
  sale_seq                 bigint,
  district_id              bigint not null references district(id),
  market_id                bigint references market(id),
  consumer_name            text not null,
  consumer_phone           text not null,
  content                  text not null,
  received_at              timestamptz not null default now(),
  received_on              date not null,
  status                   text not null default 'received' check (status in ('received', 'accepted', 'refused', 'mediating', 'closed')),
  accepted_on              date,
  refused_on               date,
  refusal_reason           text,
  mediation_ended_on       date,
  mediation_outcome        text check (mediation_outcome in ('agreement', 'terminated')),
  outcome_note             text,
  termination_notified_on  date,
  is_upheld                boolean,
  handled_by               bigint,
  credit_event_id          bigint references credit_event(id)
);
create index complaint_merchant_idx on complaint(merchant_id);
create index complaint_open_idx on complaint(district_id, status) where status <> 'closed' and status <> 'refused';

create table complaint_message (
  id            bigint generated always as identity primary key,
  complaint_id  bigint not null references complaint(id),
  at            timestamptz not null default now(),
  author        text not null check (author in ('consumer', 'merchant', 'office')),
  staff_id      bigint,
  body          text not null
);
create index complaint_message_idx on complaint_message(complaint_id, at);

-- 行政处罚 decisions; public on the merchant page for the disclosure period the rules set.
create table penalty (
  id                  bigint generated always as identity primary key,
  merchant_id         bigint not null references merchant(id),
  decision_no         text not null unique,
  violation           text not null,
  legal_basis         text not null,
  penalty_type        text not null,
  penalty_text        text not null,
  authority           text not null,
  decided_on          date not null,
  simple_procedure    boolean not null default false,
  restriction_ends_on date,
  recorded_by         bigint,
  recorded_at         timestamptz not null default now(),
  repaired_on         date,
  credit_event_id     bigint references credit_event(id)
);
create index penalty_merchant_idx on penalty(merchant_id);

-- What the public merchant page shows changed: drop its cached page (see migration 0007).
-- A bulk re-score (a new rulebook) sets mashang.bulk and sends one '*' that drops every page instead.
create function mashang_touch_merchant_of() returns trigger language plpgsql as $$
begin
  if current_setting('mashang.bulk', true) = 'on' then
    return null;
  end if;
  perform mashang_touch('merchant', case when tg_op = 'DELETE' then old.merchant_id else new.merchant_id end);
  return null;
end $$;
create trigger merchant_credit_public_touch after insert or update or delete on merchant_credit for each row execute function mashang_touch_merchant_of();
create trigger credit_event_public_touch after insert or update or delete on credit_event for each row execute function mashang_touch_merchant_of();
create trigger integrity_pledge_public_touch after insert or update or delete on integrity_pledge for each row execute function mashang_touch_merchant_of();
create trigger complaint_public_touch after insert or update or delete on complaint for each row execute function mashang_touch_merchant_of();
create trigger penalty_public_touch after insert or update or delete on penalty for each row execute function mashang_touch_merchant_of();
