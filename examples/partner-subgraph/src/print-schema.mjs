// Writes the served SDL to schema.graphql, byte for byte as `_service { sdl }`
// returns it (no trailing newline).
// With --check, leaves the file alone and exits 1 if it is out of date.
// With --stdout, prints the SDL instead of writing the file.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { serviceSdl } from './sdl.mjs';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
const args = new Set(process.argv.slice(2));
const sdl = await serviceSdl();

if (args.has('--stdout')) {
  process.stdout.write(`${sdl}\n`);
} else if (args.has('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== sdl) {
    console.error('schema.graphql is out of date; run `npm run print-schema`');
    process.exit(1);
  }
  console.log('schema.graphql is up to date');
} else {
  await writeFile(target, sdl);
  console.log(`wrote ${target}`);
}
