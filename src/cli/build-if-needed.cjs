#!/usr/bin/env node
// `npm start` on a fresh clone: build once when dist/ (or console/dist/) is missing or older than the sources.
const { execSync } = require('node:child_process');
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const entry = join(root, 'dist', 'src', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

const sources = Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'migrations')));
if (!existsSync(entry) || statSync(entry).mtimeMs < sources) {
  process.stdout.write('Building Gatehouse…\n');
  execSync('npx nest build', { cwd: root, stdio: 'inherit' });
}

// The web console (console/, an npm workspace) has its own build into console/dist.
const consoleDir = join(root, 'console');
const consolePage = join(consoleDir, 'dist', 'index.html');
const consoleSources = Math.max(
  newestMtime(join(consoleDir, 'src')),
  statSync(join(consoleDir, 'openapi.json')).mtimeMs,
  statSync(join(consoleDir, 'index.html')).mtimeMs,
);
if (!existsSync(consolePage) || statSync(consolePage).mtimeMs < consoleSources) {
  process.stdout.write('Building the web console…\n');
  execSync('npm run build --workspace console', { cwd: root, stdio: 'inherit' });
}
