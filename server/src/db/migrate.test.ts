import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, NO_TRANSACTION_MARKER, splitStatements } from './migrate.ts';

describe('splitStatements', () => {
  it('splits on top-level semicolons only, keeping dollar-quoted bodies, strings and comments whole', () => {
    const sql = `-- a comment; not a split\ncreate index a on t (x);\ndo $$ begin perform 1; end; $$;\nselect ';' as s;\n-- trailing comment\n`;
    expect(splitStatements(sql)).toEqual([`-- a comment; not a split\ncreate index a on t (x);`, `do $$ begin perform 1; end; $$;`, `select ';' as s;`]);
  });

  it('finds every statement of the concurrent-index migration, each a single statement', () => {
    const file = fs.readdirSync(MIGRATIONS_DIR).find((f) => f.startsWith('0016_'))!;
    const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8');
    expect(NO_TRANSACTION_MARKER.test(sql)).toBe(true);
    const statements = splitStatements(sql);
    expect(statements.filter((s) => /create index concurrently/i.test(s)).length).toBeGreaterThanOrEqual(7);
    for (const s of statements) expect(s.replace(/--.*$/gm, '').replace(/\$\$[\s\S]*?\$\$/g, '').trim().slice(0, -1)).not.toContain(';');
  });
});
