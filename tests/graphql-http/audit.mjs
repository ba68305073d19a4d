// Runs the graphql-http server audit suite (GraphQL over HTTP spec checks)
// against one endpoint and prints the results as a single JSON array:
//   [{ "id", "name", "status", "reason" }, ...]
// "status" is "ok", or for a failed audit "error" (MUST), "warn" (SHOULD)
// or "notice" (MAY); "reason" is the failure message, or null when ok.
//
// Usage: node audit.mjs http://127.0.0.1:PORT/graphql
//
// Exits 0 whenever the audit ran, even if some audits failed; exits non-zero
// only when it could not run (bad usage, server unreachable, timeout).

import { auditServer } from 'graphql-http';

// Give up on any single request after this long instead of hanging.
const REQUEST_TIMEOUT_MS = 10_000;

async function main() {
  const [url] = process.argv.slice(2);
  if (!url || !URL.canParse(url)) {
    console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
    return 2;
  }

  // auditServer throws only on fatal problems (e.g. connection refused);
  // failed checks come back as results with a non-"ok" status.
  const results = await auditServer({
    url,
    fetchFn: (input, init = {}) =>
      fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
  });

  const report = results.map((r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    reason: r.status === 'ok' ? null : r.reason,
  }));
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`audit could not run: ${err?.cause?.message ?? err?.message ?? err}`);
    process.exitCode = 1;
  },
);
