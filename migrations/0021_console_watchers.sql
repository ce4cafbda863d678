-- Up Migration

-- Issue #12, hot path: the console's activity triggers (0006, 0019) queued notifications at
-- every commit of runs, deliveries and events, whether or not a console was open, and
-- notifying commits serialise on the notification queue's lock. A process whose console has
-- an open live stream now holds a lease here (server/src/console/activity.ts renews it while
-- streams are open and deletes it when the last one closes; a crashed process's lease runs
-- out by itself); with no live lease the triggers return at once.
create table console_watchers (
  id text primary key,
  until timestamptz not null
);

create function tripline_console_watched() returns boolean language sql stable as $$
  select exists (select 1 from console_watchers where until > now())
$$;

create or replace function tripline_notify_inserted() returns trigger language plpgsql as $$
declare
  g record;
  r record;
begin
  if not tripline_console_watched() then
    return null;
  end if;
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

create or replace function tripline_notify_updated() returns trigger language plpgsql as $$
declare
  g record;
  r record;
begin
  if not tripline_console_watched() then
    return null;
  end if;
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

create or replace function tripline_notify_events() returns trigger language plpgsql as $$
declare
  newest text;
  n integer;
begin
  if not tripline_console_watched() then
    return null;
  end if;
  select count(*), (array_agg(id order by seq desc))[1] into n, newest from inserted;
  if n > 0 then
    perform pg_notify('tripline_activity', json_build_object('kind', 'event', 'id', newest, 'count', n)::text);
  end if;
  return null;
end;
$$;
