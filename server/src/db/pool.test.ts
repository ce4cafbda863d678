import { describe, expect, it } from 'vitest';
import { preparable } from './pool.ts';

describe('which statements are sent as prepared statements', () => {
  it('prepares statements whose columns are fixed by their own text', () => {
    expect(preparable('select id from events where id = any($1::text[])')).toBe(true);
    expect(preparable('with t as (select * from unnest($1::text[]) as t(id)), recorded as (update deliveries d set x = 1 from t where d.id = t.id returning d.id) select * from recorded')).toBe(true);
    expect(preparable('with claimed as (update deliveries d set a = 1 returning d.id) select c.*, e.url from claimed c join endpoints e on e.id = c.endpoint_id')).toBe(true);
  });

  it("leaves alone a statement taking a table's columns with *, whose result a migration could change", () => {
    expect(preparable('select * from customer_state where customer_id = any($1::text[])')).toBe(false);
    expect(preparable('update endpoints set enabled = $2 where id = $1 returning *')).toBe(false);
    expect(preparable('select d.* from deliveries d where d.id = $1')).toBe(false);
  });
});
