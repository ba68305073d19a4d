// Composes Federation 2 subgraphs into a supergraph.
//
//   node compose.mjs NAME=URL=SDL_FILE [NAME=URL=SDL_FILE ...]
//
// NAME is the subgraph name, URL the routing URL the gateway will call, and
// SDL_FILE a file holding the subgraph's SDL (as served by `_service { sdl }`).
// NAME is everything before the first "=", SDL_FILE everything after the last
// "=", URL everything in between.
//
// On success the supergraph SDL goes to stdout and composition hints go to
// stderr; exit code 0. On failure every error goes to stderr; exit code 1.
// Bad usage or an unreadable file exits 2.
import { readFileSync } from 'node:fs';

import { composeServices } from '@apollo/composition';
import { GraphQLError, parse } from 'graphql';

function usage(message) {
  if (message) console.error(`error: ${message}`);
  console.error('usage: node compose.mjs NAME=URL=SDL_FILE [NAME=URL=SDL_FILE ...]');
  process.exit(2);
}

function parseSpec(spec) {
  const first = spec.indexOf('=');
  const last = spec.lastIndexOf('=');
  if (first <= 0 || last === first || last === spec.length - 1) {
    usage(`expected NAME=URL=SDL_FILE, got ${JSON.stringify(spec)}`);
  }
  const name = spec.slice(0, first);
  const url = spec.slice(first + 1, last);
  const sdlFile = spec.slice(last + 1);
  try {
    new URL(url);
  } catch {
    usage(`subgraph ${name}: ${JSON.stringify(url)} is not a URL`);
  }
  return { name, url, sdlFile };
}

function errorCode(error) {
  return error.extensions?.code ?? 'UNKNOWN';
}

const specs = process.argv.slice(2);
if (specs.length === 0 || specs.includes('-h') || specs.includes('--help')) usage();

const seen = new Set();
const services = [];
const parseErrors = [];
for (const { name, url, sdlFile } of specs.map(parseSpec)) {
  if (seen.has(name)) usage(`subgraph name ${name} given twice`);
  seen.add(name);

  let sdl;
  try {
    sdl = readFileSync(sdlFile, 'utf8');
  } catch (err) {
    console.error(`error: subgraph ${name}: cannot read ${sdlFile}: ${err.message}`);
    process.exit(2);
  }
  try {
    services.push({ name, url, typeDefs: parse(sdl) });
  } catch (err) {
    const error = err instanceof GraphQLError ? err : new GraphQLError(String(err));
    parseErrors.push({ name, sdlFile, error });
  }
}

if (parseErrors.length > 0) {
  console.error(`composition failed: ${parseErrors.length} subgraph(s) have invalid SDL`);
  for (const { name, sdlFile, error } of parseErrors) {
    console.error(`[INVALID_GRAPHQL] subgraph ${name} (${sdlFile}): ${error.message}`);
  }
  process.exit(1);
}

const result = composeServices(services);

if (result.errors?.length) {
  console.error(`composition failed with ${result.errors.length} error(s)`);
  for (const error of result.errors) {
    console.error(`[${errorCode(error)}] ${error.message}`);
  }
  process.exit(1);
}

for (const hint of result.hints ?? []) {
  console.error(`hint [${hint.definition?.code ?? 'HINT'}] ${hint.message}`);
}
process.stdout.write(result.supergraphSdl.endsWith('\n') ? result.supergraphSdl : `${result.supergraphSdl}\n`);
