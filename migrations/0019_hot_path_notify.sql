-- Up Migration

-- Issue #12, hot path: the console's activity notifications (0006) ran a trigger and a
-- pg_notify for every row of runs and deliveries; the engine writes those in batches of
-- hundreds, so a batch paid hundreds of trigger calls and queued hundreds of notifications
-- at its commit. Statement-level triggers with transition tables replace them: one call
-- per statement, and per status at most a few notifications. A statement that changed up
-- to 5 rows to one status still announces each row ({kind, id, status}, as before); more
-- than that become one notification carrying the newest id and the count (as events'
-- batches already do), and the console refetches.
create function tripline_notify_inserted() returns trigger language plpgsql as $$
declare
  g record;
  r record;
begin
  for g in select i.status, count(*)::int as n, (array_agg(i.id order by i.seq desc))[1] as newest from changed i group by i.status loop
    if g.n <= 5 then
      for r in select i.id from changed i where i.status is not distinct from g.status loop
        perform pg_notify('tripline_activity', json_build_object('kind', tg_argv[0], 'id', r.id, 'status', g.status)::text);
      end loop;
    else
      perform pg_notify('tripline_activity', json_build_object('kind', tg_argv[0], 'id', g.newest, 'status', g.status, 'count', g.n)::text);
    end if;
  end loop;
  return null;
end;
$$;

create function tripline_notify_updated() returns trigger language plpgsql as $$
declare
  g record;
  r record;
begin
  for g in
    select n.status, count(*)::int as n, (array_agg(n.id order by n.seq desc))[1] as newest
      from changed n join previous o on o.id = n.id
     where o.status is distinct from n.status
     group by n.status
  loop
    if g.n <= 5 then
      for r in
        select n.id from changed n join previous o on o.id = n.id
         where o.status is distinct from n.status and n.status is not distinct from g.status
      loop
        perform pg_notify('tripline_activity', json_build_object('kind', tg_argv[0], 'id', r.id, 'status', g.status)::text);
      end loop;
    else
      perform pg_notify('tripline_activity', json_build_object('kind', tg_argv[0], 'id', g.newest, 'status', g.status, 'count', g.n)::text);
    end if;
  end loop;
  return null;
end;
$$;

drop trigger runs_activity_insert on runs;
drop trigger runs_activity_update on runs;
drop trigger deliveries_activity_insert on deliveries;
drop trigger deliveries_activity_update on deliveries;

-- Transition tables cannot be combined with a column list (`update of status`): the update
-- triggers fire for every UPDATE statement and compare old and new status themselves.
create trigger runs_activity_insert after insert on runs
  referencing new table as changed
  for each statement execute function tripline_notify_inserted('run');
create trigger runs_activity_update after update on runs
  referencing old table as previous new table as changed
  for each statement execute function tripline_notify_updated('run');
create trigger deliveries_activity_insert after insert on deliveries
  referencing new table as changed
  for each statement execute function tripline_notify_inserted('delivery');
create trigger deliveries_activity_update after update on deliveries
  referencing old table as previous new table as changed
  for each statement execute function tripline_notify_updated('delivery');

drop function tripline_notify_row();

-- /metrics counts in each process since issue #12 (server/src/metrics/registry.ts) and no
-- longer adds baselines to counts over tables; retention stopped writing them.
drop table metric_baselines;
