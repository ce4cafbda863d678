import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { Bus } from './bus.ts';
import type { AppContext } from './context.ts';
import { NotificationListener } from './db/listener.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded-postgres.ts';
import { migrate } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import { createApp } from './http/app.ts';
import type { Logger } from './logger.ts';
import { startBoss } from './queue/boss.ts';
import { features } from './features.ts';
import { loadSecretCipher } from './secrets/cipher.ts';

export interface Tripline {
  ctx: AppContext;
  /** Base URL of the HTTP server, when this process runs the API. */
  url: string | undefined;
  stop(): Promise<void>;
}

/**
 * Brings up one Tripline process: database (embedded unless DATABASE_URL is set),
 * migrations, queue, workers and/or API depending on TRIPLINE_ROLE. Used by `npm start`,
 * the integration tests and the benchmarks alike.
 */
export async function startTripline(config: Config, log: Logger): Promise<Tripline> {
  const started = Date.now();
  let embedded: EmbeddedDatabase | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => log.error({ err }, 'shutdown step failed'));
  };
  try {
    if (!config.databaseUrl) {
      embedded = await startEmbeddedPostgres(config.dataDir, log);
      cleanups.push(() => embedded!.stop());
    }
    const databaseUrl = config.databaseUrl ?? embedded!.socketUrl;
    await migrate(databaseUrl, log);
    const pool = createPool(databaseUrl, config.dbPoolMax);
    cleanups.push(() => pool.end());
    const boss = await startBoss(databaseUrl, log, { schedule: config.runsWorkers, jobExpireSeconds: config.jobExpireSeconds });
    // Graceful: stop fetching, let in-flight jobs finish (or return to the queue at the timeout).
    cleanups.push(() => boss.stop({ graceful: true, timeout: 20_000, close: true }));
    // One LISTEN connection for the process; it ends after the workers stopped (cleanups run in reverse).
    const listener = new NotificationListener(databaseUrl, log);
    cleanups.push(() => listener.close());
    const ctx: AppContext = { config, pool, boss, log, secrets: loadSecretCipher(config.secretKey, config.dataDir), listener, bus: new Bus() };

    const parts = await features(ctx);
    let ready = false;
    let url: string | undefined;
    if (config.runsWorkers) {
      cleanups.push(() => parts.stopWorkers());
      await parts.startWorkers();
    }
    if (config.runsApi) {
      const app = createApp(ctx, { ...parts.http, isReady: () => ready });
      const server = http.createServer(app);
      server.keepAliveTimeout = 65_000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, resolve);
      });
      const { port } = server.address() as AddressInfo;
      url = `http://localhost:${port}`;
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), 5000).unref();
          }),
      );
    }
    await parts.seed();
    ready = true;
    log.info({ ms: Date.now() - started, role: config.role, url }, 'Tripline ready');
    return { ctx, url, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
