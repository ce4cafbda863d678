import type { PgBoss } from 'pg-boss';
import type { Config } from './config.ts';
import type { Pool } from './db/pool.ts';
import type { Logger } from './logger.ts';
import type { SecretCipher } from './secrets/cipher.ts';

/** What every part of the server is handed: built once at start-up, never global. */
export interface AppContext {
  config: Config;
  pool: Pool;
  boss: PgBoss;
  log: Logger;
  secrets: SecretCipher;
}
