import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export class DataDirInUseError extends Error {
  constructor(dir: string, holder: string) {
    super(
      `The data folder ${dir} is in use by another Tripline (${holder}). ` +
        'Stop that instance first, or set TRIPLINE_DATA_DIR to another folder.',
    );
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * The data folder's lock is a unix-domain socket bound inside it, held for the life of
 * the process. The kernel owns it: when the holder dies, however (kill -9, a crash, a
 * zombie its parent never reaps), nothing listens any more, so the next start finds a
 * socket file that refuses connections, removes it and binds its own. A live holder
 * answers connections (with its pid), so two live processes can never share a folder.
 * A pid in a file could not tell a dead holder from a zombie or a reused pid.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  fs.mkdirSync(dataDir, { recursive: true });
  const socketPath = lockPath(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    const server = net.createServer((socket) => socket.end(`process ${process.pid}`));
    const bound = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(socketPath, () => resolve(undefined));
    });
    if (!bound) {
      server.unref(); // the lock never keeps the process alive by itself
      return {
        release: () => new Promise<void>((resolve) => server.close(() => resolve())),
      };
    }
    if (bound.code !== 'EADDRINUSE') throw bound;
    const holder = await probe(socketPath);
    if (holder !== undefined) throw new DataDirInUseError(dataDir, holder || 'a live process');
    // Nobody listens: the file is left from a process that died. Remove it and bind again.
    fs.rmSync(socketPath, { force: true });
  }
  throw new Error(`could not lock the data folder ${dataDir}: its lock socket keeps reappearing`);
}

/** The holder's answer when something listens on the socket; undefined when nothing does. */
function probe(socketPath: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect(socketPath);
    socket.setTimeout(2000);
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(answer); // connected but silent: still a live holder
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? undefined : answer));
  });
}

/**
 * `<dataDir>/tripline.lock`; a unix socket path is limited to about 107 bytes, so a deep
 * folder binds through a relative path from inside it.
 */
function lockPath(dataDir: string): string {
  const full = path.join(path.resolve(dataDir), 'tripline.lock');
  if (Buffer.byteLength(full) < 100) return full;
  const relative = path.relative(process.cwd(), full);
  if (Buffer.byteLength(relative) < 100) return relative;
  throw new Error(`the data folder path is too long for its lock socket (${full}); choose a shorter TRIPLINE_DATA_DIR`);
}
