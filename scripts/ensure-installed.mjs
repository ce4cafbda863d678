// Runs under whatever Node the machine has (npm's own), before npm start / npm test:
// installs the locked dependencies, Node 24 among them, when they are missing or stale.
import { execSync } from 'node:child_process';
import fs from 'node:fs';

const lock = 'package-lock.json';
const marker = 'node_modules/.package-lock.json';
const stale = !fs.existsSync(marker) || !fs.existsSync('node_modules/.bin/node') || fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs + 1000;
if (stale) {
  console.log('Installing dependencies (first run)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
