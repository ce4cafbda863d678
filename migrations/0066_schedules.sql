-- Up Migration

-- Schedule triggers (server/src/engine/schedules/). `schedule_state` is where each
-- published schedule has been looked at up to (`since`); reset when its cron or zone
-- changes, so a new schedule never fires for times before it existed.
create table schedule_state (
  workflow_id text primary key references workflows (id) on delete cascade,
  cron text not null,
  timezone text not null,
  since timestamptz not null
);

-- One row per fired due time: the primary key is what makes a due time fire once however
-- many worker processes see it (the second insert does nothing, and makes no event).
create table schedule_firings (
  workflow_id text not null references workflows (id) on delete cascade,
  scheduled_for timestamptz not null,
  event_id text not null,
  late boolean not null default false,
  fired_at timestamptz not null default now(),
  primary key (workflow_id, scheduled_for)
);
create index schedule_firings_fired on schedule_firings (fired_at);
