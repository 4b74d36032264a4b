-- Spreadsheet imports: one row per import job, so any instance can answer its progress.
-- Frozen in time: never edit after it has shipped; add a new migration instead.

create table import_job (
  id             text primary key,                 -- random UUID
  staff_id       bigint not null references staff(id),
  request_id     text not null default '',
  kind           text not null check (kind in ('markets', 'merchants', 'scales')),
  mode           text not null check (mode in ('dry_run', 'commit')),
  skip_invalid   boolean not null default false,
  file_name      text not null default '',
  status         text not null default 'running' check (status in ('running', 'done', 'failed')),
  phase          text not null default 'reading' check (phase in ('reading', 'validating', 'writing', 'done')),
  rows_read      integer not null default 0,
  rows_total     integer,
  valid_rows     integer not null default 0,
  invalid_rows   integer not null default 0,
  imported_rows  integer not null default 0,
  outcome        text check (outcome in ('dry_run', 'imported', 'rejected')),
  problems       jsonb not null default '[]',       -- the first 1000 problems
  problem_count  integer not null default 0,
  error          jsonb,                             -- { code, message } when the whole file failed
  started_at     timestamptz not null default now(),
  finished_at    timestamptz,
  updated_at     timestamptz not null default now() -- heartbeat while running
);
create index import_job_staff_idx on import_job(staff_id, started_at desc);
