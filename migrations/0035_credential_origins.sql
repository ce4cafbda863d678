-- Up Migration

-- Issue 23, item 2: a credential goes only to the origins (scheme, host, port) named when it
-- is stored. Credentials stored before this get the fixed origins of the HTTP request steps
-- that already use them (any version or draft), so running workflows keep working; one used
-- by no such step, or only behind a templated host, gets none and is refused until it is
-- saved again with its origins (the value is needed for that: origins never change without it).
alter table credentials add column allowed_origins text[] not null default '{}';

update credentials c set allowed_origins = coalesce((
  select array_agg(distinct lower(m[1]))
    from (select graph from workflow_versions union all select draft from workflows) g(graph),
         jsonb_array_elements(case when jsonb_typeof(g.graph -> 'nodes') = 'array' then g.graph -> 'nodes' else '[]'::jsonb end) n,
         regexp_match(n -> 'config' ->> 'url', '^(https?://[^/?#{}]+)(?:[/?#]|$)', 'i') m
   where n ->> 'type' = 'http_request' and n -> 'config' ->> 'credential' = c.name and m is not null
), '{}');
