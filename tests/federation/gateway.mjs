// Serves a supergraph with Hive Gateway on the loopback interface.
//
//   node gateway.mjs SUPERGRAPH_FILE PORT
//
// Binds 127.0.0.1 only. PORT 0 picks a free port. Once the gateway answers
// `{ __typename }` over HTTP it prints exactly one line to stdout:
//
//   gateway ready at http://127.0.0.1:PORT/graphql
//
// SIGTERM or SIGINT closes the server and exits 0. Startup failures exit 1,
// bad usage exits 2.
//
// The gateway only ever talks to the subgraph URLs in the supergraph, and this
// script refuses to start unless each of them is a loopback address. Usage
// reporting, schema registries and CDNs are opt-in in Hive Gateway and none is
// configured here; the supergraph is handed over already parsed, so it is
// neither fetched nor polled. GraphiQL and the landing page are off, as their
// HTML would load assets from a CDN.
//
// Logs go to stderr only, so stdout carries nothing but the ready line.
// Log level: GATEWAY_LOG_LEVEL (trace, debug, info, warn, error), default warn.
import { Console } from 'node:console';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { ConsoleLogWriter, Logger } from '@graphql-hive/logger';
import * as httpTransport from '@graphql-mesh/transport-http';
import { Kind, parse } from 'graphql';

const HOST = '127.0.0.1';
const GRAPHQL_PATH = '/graphql';
const READY_TIMEOUT_MS = 30_000;
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];

function usage(message) {
  if (message) console.error(`error: ${message}`);
  console.error('usage: node gateway.mjs SUPERGRAPH_FILE PORT');
  process.exit(2);
}

function fail(message) {
  console.error(`gateway: ${message}`);
  process.exit(1);
}

function isLoopbackUrl(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname.toLowerCase();
  return (
    host === 'localhost' ||
    host === '[::1]' ||
    /^127(\.\d{1,3}){3}$/.test(host)
  );
}

// Subgraph routing URLs from `enum join__Graph { X @join__graph(name:, url:) }`.
function subgraphUrls(document) {
  const urls = [];
  for (const def of document.definitions) {
    if (def.kind !== Kind.ENUM_TYPE_DEFINITION || def.name.value !== 'join__Graph') continue;
    for (const value of def.values ?? []) {
      for (const directive of value.directives ?? []) {
        if (directive.name.value !== 'join__graph') continue;
        const arg = directive.arguments?.find((a) => a.name.value === 'url');
        urls.push({
          graph: value.name.value,
          url: arg?.value.kind === Kind.STRING ? arg.value.value : '',
        });
      }
    }
  }
  return urls;
}

const [supergraphFile, rawPort, ...extra] = process.argv.slice(2);
if (!supergraphFile || rawPort === undefined || extra.length > 0) usage();
if (!/^\d+$/.test(rawPort) || Number(rawPort) > 65535) usage(`invalid PORT ${JSON.stringify(rawPort)}`);
const port = Number(rawPort);
const logLevel = process.env.GATEWAY_LOG_LEVEL || 'warn';
if (!LOG_LEVELS.includes(logLevel)) usage(`GATEWAY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

let supergraph;
try {
  supergraph = parse(readFileSync(supergraphFile, 'utf8'));
} catch (err) {
  fail(`cannot load supergraph ${supergraphFile}: ${err.message}`);
}

const subgraphs = subgraphUrls(supergraph);
if (subgraphs.length === 0) fail(`${supergraphFile} has no join__Graph subgraphs; is it a supergraph?`);
const remote = subgraphs.filter(({ url }) => !isLoopbackUrl(url));
if (remote.length > 0) {
  fail(
    'refusing to route to non-loopback subgraph URLs: ' +
      remote.map(({ graph, url }) => `${graph}=${url}`).join(', '),
  );
}

// A second guard at request time, in case a URL is ever rewritten.
const loopbackOnly = {
  onFetch({ url }) {
    if (!isLoopbackUrl(url)) throw new Error(`blocked request to non-loopback URL ${url}`);
  },
};

const log = new Logger({
  level: logLevel,
  writers: [
    new ConsoleLogWriter({
      console: new Console({ stdout: process.stderr, stderr: process.stderr }),
      noColor: !process.stderr.isTTY,
    }),
  ],
});

const gateway = createGatewayRuntime({
  supergraph,
  graphqlEndpoint: GRAPHQL_PATH,
  graphiql: false,
  landingPage: false,
  logging: log,
  // Federation subgraphs are reached over plain HTTP. Passing the transport
  // here (instead of letting the runtime import it by name on the first
  // query) makes a missing package fail at startup.
  transports: { http: httpTransport },
  plugins: () => [loopbackOnly],
});

const server = createServer(gateway);
server.on('error', (err) => fail(`cannot listen on ${HOST}:${port}: ${err.message}`));

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), 2000);
  force.unref();
  await closed;
  try {
    await gateway.dispose();
  } catch (err) {
    console.error(`gateway: error while disposing: ${err.message}`);
  }
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

async function waitUntilAnswering(endpoint) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
        signal: AbortSignal.timeout(5000),
      });
      const body = await res.json();
      if (res.ok && body?.data?.__typename) return;
      lastError = new Error(`HTTP ${res.status}: ${JSON.stringify(body)}`);
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw lastError ?? new Error('timed out');
}

server.listen(port, HOST, async () => {
  const endpoint = `http://${HOST}:${server.address().port}${GRAPHQL_PATH}`;
  try {
    await waitUntilAnswering(endpoint);
  } catch (err) {
    fail(`not answering at ${endpoint}: ${err.message}`);
  }
  if (!stopping) console.log(`gateway ready at ${endpoint}`);
});
