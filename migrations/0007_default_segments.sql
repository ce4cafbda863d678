-- Up Migration
-- Segments every store starts with; json-logic over the customer view (tags, ltv, orderCount …).
insert into segments (name, description, rule) values
  ('wholesale', 'Customers tagged "wholesale"', '{"in": ["wholesale", {"var": "tags"}]}'),
  ('high_value', 'Lifetime value of 500 or more', '{">=": [{"var": "ltv"}, 500]}'),
  ('repeat_buyers', 'Two orders or more', '{">=": [{"var": "orderCount"}, 2]}')
on conflict do nothing;
