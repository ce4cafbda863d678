-- A failed run retried "with the live version" moves to that version (runs.version) and
-- keeps the version it first ran on here, so the run page can say both. Null: it never moved.
alter table runs add column first_version integer;
