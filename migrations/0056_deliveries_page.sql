-- Up Migration
-- tripline:no-transaction
-- The Deliveries page (issue 26): every endpoint's deliveries newest first, filtered by
-- status ("failed", "pending") or event type: one range scan each instead of walking every
-- delivery in seq order. Built concurrently (writes go on); an INVALID leftover of a failed
-- build is dropped first, so the file may run again.
do $$
declare
  name text;
begin
  for name in
    select c.relname from pg_index i join pg_class c on c.oid = i.indexrelid
     where not i.indisvalid and c.relname in ('deliveries_status_seq', 'deliveries_type_seq')
  loop
    execute format('drop index %I', name);
  end loop;
end;
$$;

create index concurrently if not exists deliveries_status_seq on deliveries (status, seq desc);
create index concurrently if not exists deliveries_type_seq on deliveries (event_type, seq desc);
