import { createServer } from 'node:http';

import { createYoga } from 'graphql-yoga';

import { schema } from './schema.mjs';

const HOST = '127.0.0.1';
const GRAPHQL_PATH = '/graphql';

const rawPort = process.env.PORT ?? '4001';
const port = Number(rawPort);
if (!/^\d+$/.test(rawPort) || port > 65535) {
  console.error(`invalid PORT: ${JSON.stringify(rawPort)}`);
  process.exit(2);
}

const yoga = createYoga({
  schema,
  graphqlEndpoint: GRAPHQL_PATH,
  // A subgraph is queried by the gateway, not by people in a browser.
  graphiql: false,
  landingPage: false,
  logging: 'warn',
});

const server = createServer(yoga);

server.on('error', (err) => {
  console.error(`partner subgraph failed to listen on ${HOST}:${port}: ${err.message}`);
  process.exit(1);
});

// PORT=0 picks a free port; the line below reports the one actually bound.
server.listen(port, HOST, () => {
  const { port: bound } = server.address();
  console.log(`partner subgraph ready at http://${HOST}:${bound}${GRAPHQL_PATH}`);
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
