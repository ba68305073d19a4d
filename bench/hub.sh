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
SERVER_PID=""

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        wait "$SERVER_PID" || true
    fi
    psql "$PG/postgres" -q -c "DROP DATABASE IF EXISTS ${DATABASE}" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf '==> %s\n' "$*" >&2; }

if [ -z "${GOVGRAPH:-}" ]; then
    say "release build"
    cargo build --release --quiet
    GOVGRAPH="$PWD/target/release/govgraph"
fi

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
GOVGRAPH_LOG_FORMAT=json RUST_LOG=warn "$GOVGRAPH" serve --listen "127.0.0.1:${PORT}" \
    --database-url "$DB_URL" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 200); do
    curl -fs "http://127.0.0.1:${PORT}/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.05
done

percentile() {
    awk -v p="$1" '$1 == p { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        if (u == "us") v /= 1000; else if (u == "s") v *= 1000; printf "%.2f", v }' "$2"
}

# The first page of an event's participants, in order $2, one request at a time.
declare -A P50 P99
measure() {
    local slug=$1 order=$2 name="$1-$2"
    local body="{\"query\":\"{ event(slug: \\\"${slug}\\\") { participants(first: 20, orderBy: ${order}) { edges { node { name } } } } }\"}"
    curl -fs "http://127.0.0.1:${PORT}/graphql" -H 'content-type: application/json' --data "$body" \
        | grep -q '"edges":\[{' || { echo "no page for $slug" >&2; exit 1; }
    {
        echo 'wrk.method = "POST"'
        echo 'wrk.headers["Content-Type"] = "application/json"'
        printf 'wrk.body = [==[%s]==]\n' "$body"
    } >"$WORK/$name.lua"
    say "$slug, $order (${DURATION} s, one connection)"
    wrk -t1 -c1 -d"${WARMUP}s" -s "$WORK/$name.lua" "http://127.0.0.1:${PORT}/graphql" >/dev/null
    wrk -t1 -c1 -d"${DURATION}s" --latency -s "$WORK/$name.lua" \
        "http://127.0.0.1:${PORT}/graphql" >"$WORK/$name.wrk"
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
        "$(awk -v a="${P50[$hub]}" -v b="${P50[$small]}" 'BEGIN { printf "%.2f", a / b }')"
done
printf '\nA copy of %s, %s s per run after %s s of warm-up, one connection.\n' \
    "$SOURCE" "$DURATION" "$WARMUP"
