-- Up Migration

-- Issue 23, item 9: a portal link carries, per endpoint, the event types and filter the admin
-- had set when they shared it: the partner may narrow them, never widen them (portal-routes.ts).
-- Links made before this take the endpoint's settings of now as their ceiling.
alter table portal_link_endpoints add column ceiling_event_types text[];
alter table portal_link_endpoints add column ceiling_filter jsonb;
update portal_link_endpoints l set ceiling_event_types = e.event_types, ceiling_filter = e.filter from endpoints e where e.id = l.endpoint_id;
alter table portal_link_endpoints alter column ceiling_event_types set not null;

-- Recover through a link is counted per link and hour, on the row (like the request rate).
alter table portal_links add column recover_window_start timestamptz;
alter table portal_links add column recover_hits integer not null default 0;
