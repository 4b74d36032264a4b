-- Pauses of a complaint's mediation clock (调解期间的检定、检验、检测、鉴定): by 市场监督管理投诉举报
-- 处理暂行办法 第二十一条 the time they take is not counted in the 45 working days. Both dates are
-- included; no end date = still under way, and a complaint has at most one such pause at a time.
create table complaint_pause (
  id            bigint generated always as identity primary key,
  complaint_id  bigint not null references complaint(id),
  kind          text not null check (kind in ('verification', 'inspection', 'testing', 'appraisal')),
  reason        text not null,
  started_on    date not null,
  ended_on      date,
  started_by    bigint references staff(id),
  ended_by      bigint references staff(id),
  started_at    timestamptz not null default now(),
  ended_at      timestamptz,
  check (ended_on is null or ended_on >= started_on),
  check ((ended_on is null) = (ended_at is null))
);
create index complaint_pause_complaint_idx on complaint_pause(complaint_id, started_on);
create unique index complaint_pause_open_idx on complaint_pause(complaint_id) where ended_on is null;
