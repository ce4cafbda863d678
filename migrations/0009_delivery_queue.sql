-- Up Migration

-- The deliveries table is its own queue (no pg-boss job per delivery). A delivery is due
-- when it is `pending` and its `next_attempt_at` has come; a worker claims a batch of due
-- rows with FOR UPDATE SKIP LOCKED, marks them `sending` with a lease, and renews the lease
-- while it sends. A `sending` row whose lease has expired belongs to a worker that died:
-- it is due again. `lease_token` is the claim's identity (it replaces job_id's "which job
-- may act" role): only the claim that holds it may record the outcome.
alter table deliveries
  add column lease_until timestamptz,
  add column lease_token text,
  -- When the event was accepted (the 202), for the accepted → delivered latency metric.
  add column accepted_at timestamptz;
alter table deliveries alter column next_attempt_at set default now();
update deliveries set next_attempt_at = coalesce(next_attempt_at, now()) where status = 'pending';
-- Attempts under way in a process of the previous version (one job per delivery) have no
-- lease: give them a minute to finish, after which the claim loops take them back.
update deliveries set lease_until = now() + interval '1 minute', lease_token = 'pre-0009' where status = 'sending';

-- Due work only: the claim reads this index and nothing else.
create index deliveries_due on deliveries (next_attempt_at) where status = 'pending';
create index deliveries_leased on deliveries (lease_until) where status = 'sending';

-- An attempt stores what differs from its delivery: a null request body is the delivery's
-- payload as sent (the API rebuilds it), so the log does not hold a second copy of it.
alter table delivery_attempts alter column request_body drop not null;
