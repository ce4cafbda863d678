-- Up Migration

-- Live activity for the console. Every process LISTENs on `tripline_activity`; the
-- database itself announces inserts and status changes of runs, deliveries and events, so
-- no writer (engine, delivery worker, another process on another machine) has to remember
-- to call anything. Payloads stay tiny (kind, id, status): the console fetches the rest.
create function tripline_notify_row() returns trigger language plpgsql as $$
begin
  perform pg_notify('tripline_activity', json_build_object(
    'kind', tg_argv[0], 'id', new.id, 'status', new.status)::text);
  return null;
end;
$$;

create trigger runs_activity_insert after insert on runs
  for each row execute function tripline_notify_row('run');
create trigger runs_activity_update after update of status on runs
  for each row when (old.status is distinct from new.status)
  execute function tripline_notify_row('run');

create trigger deliveries_activity_insert after insert on deliveries
  for each row execute function tripline_notify_row('delivery');
create trigger deliveries_activity_update after update of status on deliveries
  for each row when (old.status is distinct from new.status)
  execute function tripline_notify_row('delivery');

-- Events arrive in batches of up to thousands: one notification per statement (the newest
-- id and the count), not one per row, so ingestion does not pay for the console.
create function tripline_notify_events() returns trigger language plpgsql as $$
declare
  newest text;
  n integer;
begin
  select count(*), (array_agg(id order by seq desc))[1] into n, newest from inserted;
  if n > 0 then
    perform pg_notify('tripline_activity', json_build_object('kind', 'event', 'id', newest, 'count', n)::text);
  end if;
  return null;
end;
$$;
create trigger events_activity_insert after insert on events
  referencing new table as inserted
  for each statement execute function tripline_notify_events();

-- Built-in test inboxes: endpoints hosted by Tripline itself. Each inbox belongs to the
-- endpoint created with it, whose secret verifies the signatures of what arrives.
create table inboxes (
  id text primary key,
  name text not null,
  -- The URL its endpoint delivers to; deliveries to exactly this URL stay in-process.
  url text not null unique,
  endpoint_id text references endpoints (id) on delete set null,
  created_at timestamptz not null default now()
);

create table inbox_messages (
  id bigserial primary key,
  inbox_id text not null references inboxes (id) on delete cascade,
  received_at timestamptz not null default now(),
  headers jsonb not null,
  body text not null,
  webhook_id text,
  event_type text,
  signature_verified boolean not null,
  verify_error text
);
create index inbox_messages_inbox on inbox_messages (inbox_id, id desc);
create index inbox_messages_received on inbox_messages (received_at);

-- The in-app store simulator: one row, read by whichever process holds the simulator lock.
create table simulator_state (
  id boolean primary key default true check (id),
  enabled boolean not null default false,
  events_per_second double precision not null default 1,
  -- Up to when events have been sent: the process that next takes the row sends what is due.
  sent_until timestamptz,
  updated_at timestamptz not null default now(),
  updated_by text
);
insert into simulator_state (id) values (true);

-- Retention deletes old rows, yet Prometheus counters must never go down: each prune adds
-- what it deletes to these baselines (in the same transaction), and /metrics reports
-- rows still stored + baseline.
create table metric_baselines (
  metric text not null,
  label text not null default '',
  value double precision not null default 0,
  primary key (metric, label)
);

create table prune_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  retention_days integer not null,
  runs integer not null,
  events integer not null,
  deliveries integer not null,
  attempts integer not null
);

-- The dashboard counts runs finished in a time window.
create index runs_finished_at on runs (finished_at) where finished_at is not null;
