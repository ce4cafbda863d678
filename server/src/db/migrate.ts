import path from 'node:path';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../logger.ts';

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../../migrations');

/**
 * Applies pending SQL migrations with node-pg-migrate: recorded in `pgmigrations`,
 * forward-only, serialised by its advisory lock so two processes starting at once are safe.
 */
export async function migrate(databaseUrl: string, log?: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    advisoryLockMode: 'wait',
    singleTransaction: true,
    log: () => {},
    logger: { debug: () => {}, info: () => {}, warn: (m: string) => log?.warn(m), error: (m: string) => log?.error(m) },
  });
  const names = applied.map((m) => m.name);
  if (names.length) log?.info({ applied: names }, 'migrations applied');
  return names;
}
