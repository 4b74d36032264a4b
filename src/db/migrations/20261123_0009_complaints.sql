-- Complaints (消费投诉) online: the overdue alert of each statutory step goes out once. The sweeper
-- claims (complaint, step) here before raising, so several instances never raise it twice.
create table complaint_overdue_alert (
  complaint_id  bigint not null references complaint(id),
  step          text not null check (step in ('acceptance', 'mediation', 'termination_notice')),
  alerted_at    timestamptz not null default now(),
  primary key (complaint_id, step)
);
