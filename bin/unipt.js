#!/usr/bin/env node
// The `unipt` command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';
const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('unipt: dist/ is missing; run `npm run build` (npm ci does it) first');
  process.exit(2);
}
await import(entry.href);
