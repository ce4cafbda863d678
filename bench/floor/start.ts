/**
 * Starts a bare durable floor (bench/floor/pgboss.ts or graphile.ts) as its own process, as
 * Tripline and Node-RED run, so it does not share a thread with the load generator and the
 * receiver: Node with the tsx loader, the database over TCP.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, peakRssMb, ROOT } from '../lib/procs.ts';

export type FloorKind = 'pgboss' | 'graphile';

export interface Floor {
  /** Where events are POSTed: one event object, or an array of them. */
  url: string;
  /** The queue library's warnings while it ran (a floor that fell back to polling says so here). */
  warnings: string[];
  peakRss(): number | undefined;
  stop(): Promise<void>;
}

export async function startFloor(kind: FloorKind, dbUrl: string, receiverUrl: string, o: { workers?: number; batchSize?: number } = {}): Promise<Floor> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, `bench/floor/${kind}.ts`)], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: dbUrl,
      RECEIVER_URL: receiverUrl,
      PORT: String(port),
      // FLOOR_WORKERS / FLOOR_BATCH in the bench's environment reach the floor, to try other settings.
      ...((o.workers ?? process.env.FLOOR_WORKERS) ? { FLOOR_WORKERS: String(o.workers ?? process.env.FLOOR_WORKERS) } : {}),
      ...((o.batchSize ?? process.env.FLOOR_BATCH) ? { FLOOR_BATCH: String(o.batchSize ?? process.env.FLOOR_BATCH) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const warnings: string[] = [];
  let output = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout!.on('data', (b: Buffer) => {
    for (const line of b.toString().split('\n')) {
      if (line === 'ready') onReady();
      else if (line.startsWith('warning ') && warnings.length < 5) warnings.push(line.slice(8));
    }
  });
  child.stderr!.on('data', (b: Buffer) => void (output = (output + b.toString()).slice(-4000)));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${kind} floor exited with ${code}: ${output}`))));
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${kind} floor did not start: ${output}`)), 60_000).unref());
  try {
    await Promise.race([ready, exited, timeout]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  exited.catch(() => {});
  return {
    url: `http://127.0.0.1:${port}/events`,
    warnings,
    peakRss: () => peakRssMb(child.pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
