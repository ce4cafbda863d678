// Before npm start: build the web UI only when web/dist is missing or older than its sources,
// so a warm start does not pay for a rebuild.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const built = 'web/dist/index.html';
const sources = ['web/src', 'shared/src', 'web/index.html', 'web/vite.config.ts', 'package-lock.json'];

function newest(p) {
  if (!fs.existsSync(p)) return 0;
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((name) => newest(path.join(p, name))));
}

if (!fs.existsSync(built) || Math.max(...sources.map(newest)) > fs.statSync(built).mtimeMs) {
  execSync('npm run build -w web', { stdio: 'inherit' });
}
