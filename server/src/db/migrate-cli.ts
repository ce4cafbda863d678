import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { migrate } from './migrate.ts';

const config = loadConfig();
const log = createLogger(config.logLevel);
const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir, log);
try {
  const applied = await migrate(config.databaseUrl ?? embedded!.url, log);
  console.log(applied.length ? `Applied ${applied.join(', ')}` : 'Database is up to date.');
} finally {
  await embedded?.stop();
}
