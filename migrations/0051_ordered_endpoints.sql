-- Up Migration

-- Issue 25, item 4: ordered delivery per endpoint. `ordering = 'subject'`: one subject's
-- deliveries to the endpoint go one at a time, in event order; a failing one holds the
-- later ones until it succeeds or is given up.
alter table endpoints add column ordering text not null default 'none'
  check (ordering in ('none', 'subject'));

-- The key a delivery is ordered by: its event's subject, set when the delivery is created
-- for an ordered endpoint, null otherwise (then the claim never looks for earlier ones, so
-- unordered endpoints pay nothing). Endpoint changes apply to deliveries created after.
alter table deliveries add column order_key text;

-- The claim's "is an earlier delivery of this subject still unsettled?" probe, and the
-- delivery log's "waiting for msg_…": only unsettled ordered deliveries are in it.
create index deliveries_ordered_unsettled on deliveries (endpoint_id, order_key, seq)
  where order_key is not null and status in ('pending', 'sending');
