// Starts Tripline for the e2e run on a throwaway data folder, removed when it stops.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const dir = process.env.TRIPLINE_DATA_DIR;
fs.rmSync(dir, { recursive: true, force: true });
// The server runs as `npm start` runs it (package.json's start script).
const start = JSON.parse(fs.readFileSync('package.json', 'utf8')).scripts.start.split(/\s+/);
const child = spawn(start[0], start.slice(1), { stdio: 'inherit', env: process.env });
const forward = (signal) => child.kill(signal);
process.on('SIGTERM', forward);
process.on('SIGINT', forward);
child.on('exit', (code) => {
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(code ?? 0);
});
