-- A system finding turned into a credit event by an inspector (issue 5): the alert links to the
-- event it became, once; the event names the alert as its origin ('alert:<id>'), once.
alter table alert add column credit_event_id bigint references credit_event(id);
create unique index alert_credit_event_idx on alert(credit_event_id) where credit_event_id is not null;
create unique index credit_event_alert_origin_idx on credit_event(origin) where origin like 'alert:%';
-- The alert's history shows when it became a credit event.
alter table alert_action drop constraint alert_action_action_check;
alter table alert_action add constraint alert_action_action_check check (action in ('acknowledge', 'resolve', 'dismiss', 'reopen', 'credit_event'));
