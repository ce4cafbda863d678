-- Up Migration

-- Issue #12, hot path: the console's activity triggers (0006, 0019) queued notifications at
-- every commit of runs, deliveries and events, whether or not a console was open, and
-- notifying commits serialise on the notification queue's lock. A process whose console has
-- an open live stream now holds a lease here (server/src/console/activity.ts renews it while
-- streams are open and deletes it when the last one closes; a crashed process's lease runs
-- out by itself). The triggers fire only while a lease is live: their WHEN asks, so an
-- unwatched store does not even call them.
create table console_watchers (
  id text primary key,
  until timestamptz not null
);

create function tripline_console_watched() returns boolean language sql stable as $$
  select exists (select 1 from console_watchers where until > now())
$$;

drop trigger events_activity_insert on events;
create trigger events_activity_insert after insert on events
  referencing new table as inserted
  for each statement when (tripline_console_watched()) execute function tripline_notify_events();

drop trigger runs_activity_insert on runs;
drop trigger runs_activity_update on runs;
drop trigger deliveries_activity_insert on deliveries;
drop trigger deliveries_activity_update on deliveries;
create trigger runs_activity_insert after insert on runs
  referencing new table as changed
  for each statement when (tripline_console_watched()) execute function tripline_notify_inserted('run');
create trigger runs_activity_update after update on runs
  referencing old table as previous new table as changed
  for each statement when (tripline_console_watched()) execute function tripline_notify_updated('run');
create trigger deliveries_activity_insert after insert on deliveries
  referencing new table as changed
  for each statement when (tripline_console_watched()) execute function tripline_notify_inserted('delivery');
create trigger deliveries_activity_update after update on deliveries
  referencing old table as previous new table as changed
  for each statement when (tripline_console_watched()) execute function tripline_notify_updated('delivery');
