#!/usr/bin/env bash
# A hub's first page against a small node's: the same relationship field, first 20, on an event
# that 100,000 relationships point at and on one with 16. Copies a generated database (bench/run.sh
# makes `govgraph_bench`), adds the hub's relationships to the copy, and measures each page with
# one connection. Loopback only; every run is bounded by DURATION. Prints a Markdown table.
#
#   bench/hub.sh                          # on a copy of govgraph_bench (scale 10)
#   SOURCE=govgraph_questions_100 bench/hub.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
PORT="${PORT:-18090}"
PG="${PG:-postgres://postgres@127.0.0.1:5432}"
SOURCE="${SOURCE:-govgraph_bench}"      # a database `govgraph generate` filled
DATABASE="${DATABASE:-govgraph_hub}"    # the copy the hub is added to, dropped at the end
HUB_RELATIONSHIPS="${HUB_RELATIONSHIPS:-100000}"
WORK="$(mktemp -d)"
THREADS=1
. bench/lib.sh

cleanup() {
    stop_govgraph
    psql "$PG/postgres" -q -c "DROP DATABASE IF EXISTS ${DATABASE}" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

govgraph_build

say "copy of ${SOURCE} as ${DATABASE}"
psql "$PG/postgres" -v ON_ERROR_STOP=1 -q -c "DROP DATABASE IF EXISTS ${DATABASE}" \
    -c "CREATE DATABASE ${DATABASE} TEMPLATE ${SOURCE}"
DB_URL="$PG/$DATABASE"

# The hub: the first generated event, which people take part in under as many roles as it takes
# to reach HUB_RELATIONSHIPS. The small node: DGX 2022, with the article's 16 participants.
say "a hub of ${HUB_RELATIONSHIPS} relationships"
psql "$DB_URL" -v ON_ERROR_STOP=1 -q <<SQL
INSERT INTO edge (id, subject_id, predicate, object_id, role, created_at, updated_at, version)
SELECT gen_random_uuid(), person.id, 'PARTICIPATES_IN', hub.id, 'attendee ' || turn, now(), now(), 1
FROM (SELECT id FROM node WHERE kind = 'EVENT' AND slug = 'synthetic-0-event-0') hub
CROSS JOIN generate_series(1, 100) turn
CROSS JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM node WHERE kind = 'PERSON') person
WHERE (turn - 1) * (SELECT count(*) FROM node WHERE kind = 'PERSON') + person.n <= ${HUB_RELATIONSHIPS}
ON CONFLICT DO NOTHING;
VACUUM ANALYZE edge;
SQL
hub_total=$(psql "$DB_URL" -Atq -c "SELECT count(*) FROM edge e JOIN node n ON n.id = e.object_id
    WHERE n.slug = 'synthetic-0-event-0' AND e.predicate = 'PARTICIPATES_IN'")
small_total=$(psql "$DB_URL" -Atq -c "SELECT count(*) FROM edge e JOIN node n ON n.id = e.object_id
    WHERE n.slug = 'dgx-2022' AND e.predicate = 'PARTICIPATES_IN'")

say "server on 127.0.0.1:${PORT}"
start_govgraph "$DB_URL"

# The first page of an event's participants, in order $2, one request at a time.
declare -A P50 P99
measure() {
    local slug=$1 order=$2 name="$1-$2"
    local body="{\"query\":\"{ event(slug: \\\"${slug}\\\") { participants(first: 20, orderBy: ${order}) { edges { node { name } } } } }\"}"
    post "$PORT" "$body" | grep -q '"edges":\[{' || { echo "no page for $slug" >&2; exit 1; }
    say "$slug, $order (${DURATION} s, one connection)"
    load "$name" "$PORT" "$body" 1
    P50[$name]=$(percentile 50% "$WORK/$name.wrk")
    P99[$name]=$(percentile 99% "$WORK/$name.wrk")
}

ORDERS=(OTHER_NAME_ASC VALID_FROM_DESC VALID_TO_ASC)
for order in "${ORDERS[@]}"; do
    measure synthetic-0-event-0 "$order"
    measure dgx-2022 "$order"
done

printf '\n| order | hub (%s relationships) p50 ms | p99 ms | small node (%s) p50 ms | p99 ms | hub / small, p50 |\n' \
    "$hub_total" "$small_total"
printf '|---|---:|---:|---:|---:|---:|\n'
for order in "${ORDERS[@]}"; do
    hub="synthetic-0-event-0-$order"
    small="dgx-2022-$order"
    printf '| %s | %s | %s | %s | %s | %s |\n' "$order" "${P50[$hub]}" "${P99[$hub]}" \
        "${P50[$small]}" "${P99[$small]}" \
        "$(ratio "${P50[$hub]}" "${P50[$small]}")"
done
printf '\nA copy of %s, %s s per run after %s s of warm-up, one connection.\n' \
    "$SOURCE" "$DURATION" "$WARMUP"
