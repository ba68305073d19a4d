#!/usr/bin/env bash
# The read-path benchmark: govgraph (release build, PostgreSQL, synthetic graph at scale 10)
# under 16 connections, against the floor of the same round trips sent by pgbench as
# hand-written SQL. Loopback only; every run is bounded by DURATION. Prints a Markdown table.
#
#   bench/run.sh                    # defaults below
#   DURATION=30 SCALE=10 bench/run.sh
#   REUSE_DATABASE=1 bench/run.sh   # keep the database a previous run generated
#   GOVGRAPH=/path/to/govgraph REUSE_DATABASE=1 bench/run.sh   # measure another build
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-20}"            # seconds per run
WARMUP="${WARMUP:-3}"                 # seconds of untimed load before each run
SCALE="${SCALE:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
THREADS="${THREADS:-2}"
PORT="${PORT:-18080}"
PG="${PG:-postgres://postgres@127.0.0.1:5432}"
DATABASE="${DATABASE:-govgraph_bench}"
WORK="$(mktemp -d)"
SERVER_PID=""

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        wait "$SERVER_PID" || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf '==> %s\n' "$*" >&2; }

say "tools"
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v pgbench >/dev/null || need+=(postgresql-client)
command -v psql >/dev/null || need+=(postgresql-client)
command -v curl >/dev/null || need+=(curl)
if [ "${#need[@]}" -gt 0 ]; then
    apt-get update -qq >&2
    apt-get install -y "${need[@]}" >&2
fi
pg_isready -d "$PG/postgres" -q || {
    echo "bench/run.sh needs PostgreSQL at ${PG} (set PG to another server)" >&2
    exit 1
}

if [ -z "${GOVGRAPH:-}" ]; then
    say "release build"
    cargo build --release --quiet
    GOVGRAPH="$PWD/target/release/govgraph"
fi

say "database ${DATABASE}, scale ${SCALE}"
DB_URL="$PG/$DATABASE"
if [ -n "${REUSE_DATABASE:-}" ]; then
    generated="reused: $(psql "$DB_URL" -Atq -c "SELECT count(*) FROM node") nodes, \
$(psql "$DB_URL" -Atq -c "SELECT count(*) FROM edge") relationships"
else
    psql "$PG/postgres" -v ON_ERROR_STOP=1 -q \
        -c "DROP DATABASE IF EXISTS ${DATABASE}" -c "CREATE DATABASE ${DATABASE}"
    generated=$("$GOVGRAPH" generate --scale "$SCALE" --database-url "$DB_URL" 2>/dev/null)
fi
# Settle the database: statistics current, dirty pages written, before anything is timed.
psql "$DB_URL" -q -c "VACUUM ANALYZE" -c "CHECKPOINT"
say "$generated"

say "server on 127.0.0.1:${PORT}"
GOVGRAPH_LOG_FORMAT=json RUST_LOG=warn "$GOVGRAPH" serve --listen "127.0.0.1:${PORT}" \
    --database-url "$DB_URL" --database-max-connections "$CONNECTIONS" \
    2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 200); do
    curl -fs "http://127.0.0.1:${PORT}/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.05
done
curl -fs "http://127.0.0.1:${PORT}/readyz" >/dev/null

graphql() {
    curl -fs "http://127.0.0.1:${PORT}/graphql" -H 'content-type: application/json' --data "$1"
}

# The inputs of the lookups: one generated person, fifty country codes.
person_uuid=$(psql "$DB_URL" -Atq \
    -c "SELECT id FROM node WHERE kind = 'PERSON' AND slug = 'synthetic-0-person-7'")
person_id=$(printf 'Person:%s' "$person_uuid" | base64 -w0 | tr '+/' '-_' | tr -d '=')
codes=$(psql "$DB_URL" -Atq -c "SELECT alpha2 FROM country ORDER BY alpha2 LIMIT 50")
representations=$(printf '%s\n' $codes | sed 's/.*/{"__typename":"Country","code":"&"}/' | paste -sd, -)

# The four queries, as request bodies.
declare -A BODY
BODY[flat]='{"query":"{ people(first: 100) { edges { node { name title } } } }"}'
BODY[nested]='{"query":"{ countries(first: 20) { edges { node { name memberships(first: 5) { edges { node { name ... on WorkingGroup { deliverables(first: 5) { edges { node { name } } } } } } } } } } }"}'
BODY[lookup]="{\"query\":\"{ node(id: \\\"${person_id}\\\") { ... on Person { name title } } }\"}"
BODY[entities]="{\"query\":\"query(\$r: [_Any!]!) { _entities(representations: \$r) { ... on Country { name code } } }\",\"variables\":{\"r\":[${representations}]}}"
QUERIES=(flat nested lookup entities)

for query in "${QUERIES[@]}"; do
    answer=$(graphql "${BODY[$query]}")
    case "$answer" in
        *'"errors"'*) say "$query fails: $answer"; exit 1 ;;
    esac
done

# Sum of a metric's samples on /metrics, optionally only those whose labels contain $2.
metric() {
    curl -fs "http://127.0.0.1:${PORT}/metrics" \
        | awk -v name="$1" -v with="${2:-}" '
            $1 ~ "^"name"({|$)" && index($1, with) { sum += $NF }
            END { printf "%.0f", sum }'
}

# wrk's figure for a latency percentile, in milliseconds.
percentile() {
    awk -v p="$1" '$1 == p { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        if (u == "us") v /= 1000; else if (u == "s") v *= 1000; printf "%.2f", v }' "$2"
}

# govgraph under load for query $1: requests per second, latency, statements per request.
measure_govgraph() {
    local query=$1
    say "govgraph: $query (${DURATION} s, ${CONNECTIONS} connections)"
    lua="$WORK/$query.lua"
    {
        echo 'wrk.method = "POST"'
        echo 'wrk.headers["Content-Type"] = "application/json"'
        printf 'wrk.body = [==[%s]==]\n' "${BODY[$query]}"
    } >"$lua"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$lua" \
        "http://127.0.0.1:${PORT}/graphql" >/dev/null
    statements_before=$(metric db_client_operation_duration_seconds_count)
    requests_before=$(metric http_server_request_duration_seconds_count 'http_route="/graphql"')
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$lua" \
        "http://127.0.0.1:${PORT}/graphql" >"$WORK/$query.wrk"
    statements_after=$(metric db_client_operation_duration_seconds_count)
    requests_after=$(metric http_server_request_duration_seconds_count 'http_route="/graphql"')
    if grep -q "Non-2xx" "$WORK/$query.wrk"; then
        cat "$WORK/$query.wrk" >&2
        exit 1
    fi
    RPS[$query]=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$WORK/$query.wrk")
    P50[$query]=$(percentile 50% "$WORK/$query.wrk")
    P99[$query]=$(percentile 99% "$WORK/$query.wrk")
    STATEMENTS[$query]=$(awk -v s=$((statements_after - statements_before)) \
        -v r=$((requests_after - requests_before)) 'BEGIN { printf "%.2f", s / r }')
}

# The floor of query $1: its round trips as hand-written SQL through pgbench, with the values
# bound as parameters (pgbench -M prepared turns each :variable into one), as a client's
# loader binds them.
measure_floor() {
    local query=$1
    say "floor: $query (${DURATION} s, ${CONNECTIONS} connections)"
    local defines
    read -r -a defines <"$WORK/$query.defines" || true  # one line, no newline at its end
    pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$WARMUP" "${defines[@]}" \
        -f "$WORK/$query.sql" "$DB_URL" >/dev/null 2>&1
    pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" "${defines[@]}" \
        -f "$WORK/$query.sql" "$DB_URL" >"$WORK/$query.pgbench" 2>&1
    FLOOR[$query]=$(awk '/^tps = / { printf "%.0f", $3 }' "$WORK/$query.pgbench")
    [ -n "${FLOOR[$query]}" ] || { cat "$WORK/$query.pgbench" >&2; exit 1; }
}

# The floor: the same round trips, as hand-written SQL, sent by pgbench over as many
# connections. The ids a request learns from one round trip are bound in the next.
# `bind PREFIX VALUES...` writes pgbench -D definitions PREFIX1=..., and prints the list of
# :PREFIX1, :PREFIX2, ... for an IN clause.
bind() {
    local prefix=$1 file=$2 n=0 list=()
    shift 2
    for value in "$@"; do
        n=$((n + 1))
        printf -- '-D %s%d=%s ' "$prefix" "$n" "$value" >>"$file"
        list+=(":$prefix$n")
    done
    (IFS=,; echo "${list[*]}")
}
rows() { psql "$DB_URL" -Atq -c "$1"; }
country_ids=$(rows "SELECT n.id FROM node n WHERE n.kind = 'COUNTRY' ORDER BY n.name, n.id LIMIT 20")
group_ids=$(rows "SELECT DISTINCT object_id FROM (
    SELECT e.object_id, row_number() OVER (PARTITION BY e.subject_id ORDER BY o.name, e.id) AS rn
    FROM edge e JOIN node o ON o.id = e.object_id
    WHERE e.predicate = 'MEMBER_OF' AND e.subject_id IN (
        SELECT n.id FROM node n WHERE n.kind = 'COUNTRY' ORDER BY n.name, n.id LIMIT 20)) page
    WHERE rn <= 5 AND object_id IN (SELECT id FROM node WHERE kind = 'WORKING_GROUP')")
for query in "${QUERIES[@]}"; do : >"$WORK/$query.defines"; done
printf -- '-D kind=PERSON -D limit=101 ' >>"$WORK/flat.defines"
printf -- '-D country=COUNTRY -D limit=21 -D member=MEMBER_OF -D produced=PRODUCED -D per=6 ' \
    >>"$WORK/nested.defines"
countries=$(bind c "$WORK/nested.defines" $country_ids)
groups=$(bind g "$WORK/nested.defines" $group_ids)
printf -- '-D person=%s ' "$person_uuid" >>"$WORK/lookup.defines"
code_list=$(bind k "$WORK/entities.defines" $codes)

cat >"$WORK/flat.sql" <<SQL
SELECT n.*, p.* FROM node n JOIN person p ON p.node_id = n.id
WHERE n.kind = :kind ORDER BY n.name, n.id LIMIT :limit;
SQL
cat >"$WORK/nested.sql" <<SQL
SELECT n.*, c.* FROM node n JOIN country c ON c.node_id = n.id
WHERE n.kind = :country ORDER BY n.name, n.id LIMIT :limit;
SELECT * FROM (
    SELECT e.*, o.*, wg.*, pa.*,
        row_number() OVER (PARTITION BY e.subject_id ORDER BY o.name, e.id) AS rn
    FROM edge e JOIN node o ON o.id = e.object_id
    LEFT JOIN working_group wg ON wg.node_id = o.id
    LEFT JOIN partnership pa ON pa.node_id = o.id
    WHERE e.predicate = :member AND e.subject_id IN (${countries})) page
WHERE rn <= :per;
SELECT * FROM (
    SELECT e.*, o.*, d.*,
        row_number() OVER (PARTITION BY e.subject_id ORDER BY o.name, e.id) AS rn
    FROM edge e JOIN node o ON o.id = e.object_id
    JOIN deliverable d ON d.node_id = o.id
    WHERE e.predicate = :produced AND e.subject_id IN (${groups})) page
WHERE rn <= :per;
SQL
cat >"$WORK/lookup.sql" <<SQL
SELECT n.*, p.* FROM node n LEFT JOIN person p ON p.node_id = n.id
WHERE n.id = :person;
SQL
cat >"$WORK/entities.sql" <<SQL
SELECT n.*, c.* FROM node n JOIN country c ON c.node_id = n.id
WHERE c.alpha2 IN (${code_list}) OR c.alpha3 IN (${code_list});
SQL

# Each query runs through govgraph, then at once as its floor, so that both see the machine
# in the same state.
declare -A RPS P50 P99 STATEMENTS FLOOR
for query in "${QUERIES[@]}"; do
    measure_govgraph "$query"
    measure_floor "$query"
done

rss_kib=$(awk '/^VmHWM/ { print $2 }' "/proc/${SERVER_PID}/status")
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=""

# Cold start: a fresh SQLite file, from exec to the first ready answer, best of three.
cold_ms=""
for run in 1 2 3; do
    dir="$WORK/cold-$run"
    mkdir -p "$dir"
    start=$(date +%s%N)
    (cd "$dir" && exec "$GOVGRAPH" serve --listen "127.0.0.1:${PORT}" 2>/dev/null) &
    SERVER_PID=$!
    until curl -fs "http://127.0.0.1:${PORT}/readyz" >/dev/null 2>&1; do
        kill -0 "$SERVER_PID" || exit 1
        sleep 0.005
    done
    took=$((($(date +%s%N) - start) / 1000000))
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
    SERVER_PID=""
    if [ -z "$cold_ms" ] || [ "$took" -lt "$cold_ms" ]; then cold_ms=$took; fi
done

label() {
    case "$1" in
        flat) echo "flat: 100 people, name and title" ;;
        nested) echo "nested: 20 countries × 5 memberships × 5 deliverables" ;;
        lookup) echo "lookup: one person by global ID" ;;
        entities) echo "_entities: 50 Country representations" ;;
    esac
}

printf '\n| query | govgraph req/s | p50 ms | p99 ms | statements/request | floor (pgbench) tx/s | govgraph / floor |\n'
printf '|---|---:|---:|---:|---:|---:|---:|\n'
for query in "${QUERIES[@]}"; do
    ratio=$(awk -v a="${RPS[$query]}" -v b="${FLOOR[$query]}" 'BEGIN { printf "%.2f", a / b }')
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(label "$query")" "${RPS[$query]}" \
        "${P50[$query]}" "${P99[$query]}" "${STATEMENTS[$query]}" "${FLOOR[$query]}" "$ratio"
done
printf '\nScale %s (%s). %s s per run after %s s of warm-up, %s connections, %s client threads, %s cores.\n' \
    "$SCALE" "$generated" "$DURATION" "$WARMUP" "$CONNECTIONS" "$THREADS" "$(nproc)"
printf 'Peak RSS of the server under load: %s MiB. Cold start on SQLite with the data set: %s ms.\n' \
    "$((rss_kib / 1024))" "$cold_ms"
