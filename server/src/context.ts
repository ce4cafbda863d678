import type { PgBoss } from 'pg-boss';
import type { Bus } from './bus.ts';
import type { Config } from './config.ts';
import type { NotificationListener } from './db/listener.ts';
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
  /** The process's one LISTEN connection. */
  listener: NotificationListener;
  /** The ports the features wire to each other at start-up. */
  bus: Bus;
}
