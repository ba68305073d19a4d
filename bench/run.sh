#!/usr/bin/env bash
# The read-path benchmark: govgraph (release build, PostgreSQL, synthetic graph at scale 10)
# under 16 connections, interleaved with its peer PostGraphile v4 (one and two workers, on the
# same database) and with two floors sent by pgbench: the best SQL an expert writes for the
# same answer, and a hand copy of govgraph's own statements. Loopback only; every run is
# bounded by DURATION. Prints a Markdown table.
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
PORT="${PORT:-18080}"                 # govgraph; PostGraphile takes the next two ports
PG="${PG:-postgres://postgres@127.0.0.1:5432}"
DATABASE="${DATABASE:-govgraph_bench}"
WORK="$(mktemp -d)"
. bench/lib.sh
PEER_GROUPS=()   # process groups of the PostGraphile servers (a master and its workers each)

cleanup() {
    stop_govgraph
    for group in "${PEER_GROUPS[@]}"; do
        kill -TERM -- "-$group" 2>/dev/null || true
        wait "$group" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

say "tools"
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v pgbench >/dev/null || need+=(postgresql-client)
command -v psql >/dev/null || need+=(postgresql-client)
command -v curl >/dev/null || need+=(curl)
command -v jq >/dev/null || need+=(jq)
command -v npm >/dev/null || need+=(npm)
if [ "${#need[@]}" -gt 0 ]; then
    apt-get update -qq >&2
    apt-get install -y "${need[@]}" >&2
fi
pg_isready -d "$PG/postgres" -q || {
    echo "bench/run.sh needs PostgreSQL at ${PG} (set PG to another server)" >&2
    exit 1
}

say "PostGraphile v4 (bench/postgraphile/package-lock.json)"
(cd bench/postgraphile && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)

govgraph_build

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
start_govgraph "$DB_URL" --database-max-connections "$CONNECTIONS"

# The PostGraphile servers: $1 workers on port $2, each with its share of the connections.
start_peer() {
    local workers=$1 port=$2
    say "PostGraphile, ${workers} worker(s), on 127.0.0.1:${port}"
    (cd bench/postgraphile && exec setsid node_modules/.bin/postgraphile \
        --connection "$DB_URL" --schema public --host 127.0.0.1 --port "$port" \
        --skip-plugins graphile-build:NodePlugin \
        --append-plugins @graphile-contrib/pg-simplify-inflector,postgraphile-plugin-connection-filter \
        --disable-default-mutations --disable-query-log \
        --max-pool-size $((CONNECTIONS / workers)) --cluster-workers "$workers" \
        >"$WORK/peer-$workers.log" 2>&1) &
    PEER_GROUPS+=("$!")
    for _ in $(seq 1 600); do
        curl -fs "http://127.0.0.1:${port}/graphql" -H 'content-type: application/json' \
            --data '{"query":"{ __typename }"}' >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    cat "$WORK/peer-$workers.log" >&2
    exit 1
}
PEER1_PORT=$((PORT + 1))
PEER2_PORT=$((PORT + 2))
start_peer 1 "$PEER1_PORT"
start_peer 2 "$PEER2_PORT"

# The inputs of the lookups: one generated person, fifty country codes.
person_uuid=$(psql "$DB_URL" -Atq \
    -c "SELECT id FROM node WHERE kind = 'PERSON' AND slug = 'synthetic-0-person-7'")
codes=$(psql "$DB_URL" -Atq -c "SELECT alpha2 FROM country ORDER BY alpha2 LIMIT 50")
code_strings=$(printf '%s\n' $codes | sed 's/.*/"&"/' | paste -sd, -)

# The four queries, as request bodies: govgraph's, and PostGraphile's for the same rows in the
# same order (PostGraphile orders relationships by the name their other end keeps with them,
# which is govgraph's order; its `_entities` equivalent is a filtered list, in code order where
# govgraph answers in the order of the representations).
declare -A BODY PEER_BODY
# shellcheck disable=SC2086 # one code per argument
dashboard_queries "$(person_global_id "$person_uuid")" "$(country_representations $codes)"
PEER_BODY[flat]='{"query":"{ graphNodes(condition: {kind: \"PERSON\"}, orderBy: [NAME_ASC, ID_ASC], first: 100) { nodes { name peopleByNodeIdAndKind { nodes { title } } } } }"}'
PEER_BODY[nested]='{"query":"{ graphNodes(condition: {kind: \"COUNTRY\"}, orderBy: [NAME_ASC, ID_ASC], first: 20) { nodes { name edgesBySubjectId(condition: {predicate: \"MEMBER_OF\"}, orderBy: [OBJECT_NAME_ASC, ID_ASC], first: 5) { nodes { object { name edgesBySubjectId(condition: {predicate: \"PRODUCED\", objectKind: \"DELIVERABLE\"}, orderBy: [OBJECT_NAME_ASC, ID_ASC], first: 5) { nodes { object { name } } } } } } } } }"}'
PEER_BODY[lookup]="{\"query\":\"{ graphNode(id: \\\"${person_uuid}\\\") { name peopleByNodeIdAndKind { nodes { title } } } }\"}"
PEER_BODY[entities]="{\"query\":\"query(\$c: [String!]) { countries(filter: {alpha2: {in: \$c}}) { nodes { alpha2 graphNodeByNodeIdAndKind { name } } } }\",\"variables\":{\"c\":[${code_strings}]}}"

# Every name (and code and title) of an answer, in document order: what both servers must agree on.
values_of() { jq -c '[.. | objects | (.name?, .title?, .code?, .alpha2?) | strings] | sort'; }
declare -A SAME
for query in "${QUERIES[@]}"; do
    answer=$(post "$PORT" "${BODY[$query]}")
    peer=$(post "$PEER2_PORT" "${PEER_BODY[$query]}")
    for reply in "$answer" "$peer"; do
        case "$reply" in
            *'"errors"'*) say "$query fails: $reply"; exit 1 ;;
        esac
    done
    if [ "$(values_of <<<"$answer")" = "$(values_of <<<"$peer")" ]; then
        SAME[$query]=yes
    else
        SAME[$query]=no
    fi
done

# PostGraphile with $2 workers under load for query $1.
measure_peer() {
    local query=$1 workers=$2 port
    port=$((PORT + workers))
    say "PostGraphile ×${workers}: $query (${DURATION} s, ${CONNECTIONS} connections)"
    load "$query-peer-$workers" "$port" "${PEER_BODY[$query]}"
    PEER_RPS[$query-$workers]=$(rps "$query-peer-$workers")
    PEER_P99[$query-$workers]=$(percentile 99% "$WORK/$query-peer-$workers.wrk")
}

# A floor of query $1: SQL file $WORK/$1.$2.sql through pgbench, with the values bound as
# parameters (pgbench -M prepared turns each :variable into one), as a client binds them.
measure_floor() {
    local query=$1 floor=$2
    say "floor ($floor SQL): $query (${DURATION} s, ${CONNECTIONS} connections)"
    local defines
    read -r -a defines <"$WORK/$query.defines" || true  # one line, no newline at its end
    if [ "$WARMUP" != 0 ]; then
        pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$WARMUP" "${defines[@]}" \
            -f "$WORK/$query.$floor.sql" "$DB_URL" >/dev/null
    fi
    pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" "${defines[@]}" \
        -f "$WORK/$query.$floor.sql" "$DB_URL" >"$WORK/$query.$floor.pgbench" 2>&1 \
        || { cat "$WORK/$query.$floor.pgbench" "$WORK/$query.$floor.sql" >&2; exit 1; }
    local tps
    tps=$(awk '/^tps = / { printf "%.0f", $3 }' "$WORK/$query.$floor.pgbench")
    [ -n "$tps" ] || { cat "$WORK/$query.$floor.pgbench" >&2; exit 1; }
    FLOOR[$query-$floor]=$tps
}

# The floors' values, bound by pgbench. `bind PREFIX FILE VALUES...` writes pgbench -D
# definitions PREFIX1=..., and prints the list of :PREFIX1, :PREFIX2, ... for an IN clause.
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
group_ids=$(rows "SELECT m.object_id FROM (
    SELECT n.id FROM node n WHERE n.kind = 'COUNTRY' ORDER BY n.name, n.id LIMIT 20) c
    CROSS JOIN LATERAL (SELECT e.object_id FROM edge e
        WHERE e.subject_id = c.id AND e.predicate = 'MEMBER_OF'
        ORDER BY e.object_name, e.id LIMIT 5) m")
for query in "${QUERIES[@]}"; do : >"$WORK/$query.defines"; done
printf -- '-D kind=PERSON -D limit=101 ' >>"$WORK/flat.defines"
printf -- '-D country=COUNTRY -D limit=21 -D member=MEMBER_OF -D produced=PRODUCED -D per=6 ' \
    >>"$WORK/nested.defines"
countries=$(bind c "$WORK/nested.defines" $country_ids)
groups=$(bind g "$WORK/nested.defines" $group_ids)
printf -- '-D person=%s ' "$person_uuid" >>"$WORK/lookup.defines"
code_list=$(bind k "$WORK/entities.defines" $codes)

# The best SQL for each answer: one statement, the rows the answer shows and nothing else, in
# its order, each page read from an index in that order (migration 6's, which keep the other
# end's name with each relationship) and cut to its size.
cat >"$WORK/flat.best.sql" <<SQL
SELECT n.name, p.title FROM node n JOIN person p ON p.node_id = n.id
WHERE n.kind = :kind ORDER BY n.name, n.id LIMIT 100;
SQL
cat >"$WORK/nested.best.sql" <<SQL
SELECT c.name, m.object_name, d.object_name
FROM (SELECT n.id, n.name FROM node n WHERE n.kind = :country ORDER BY n.name, n.id LIMIT 20) c
CROSS JOIN LATERAL (
    (SELECT e.id, e.object_id, e.object_kind, e.object_name FROM edge e
     WHERE e.subject_id = c.id AND e.predicate = :member AND e.object_kind = 'WORKING_GROUP'
     ORDER BY e.object_name, e.id LIMIT 5)
    UNION ALL
    (SELECT e.id, e.object_id, e.object_kind, e.object_name FROM edge e
     WHERE e.subject_id = c.id AND e.predicate = :member AND e.object_kind = 'PARTNERSHIP'
     ORDER BY e.object_name, e.id LIMIT 5)
    ORDER BY object_name, id LIMIT 5) m
LEFT JOIN LATERAL (
    SELECT e.id, e.object_name FROM edge e
    WHERE m.object_kind = 'WORKING_GROUP' AND e.subject_id = m.object_id
      AND e.predicate = :produced AND e.object_kind = 'DELIVERABLE'
    ORDER BY e.object_name, e.id LIMIT 5) d ON true
ORDER BY c.name, c.id, m.object_name, m.id, d.object_name, d.id;
SQL
cat >"$WORK/lookup.best.sql" <<SQL
SELECT n.name, p.title FROM node n JOIN person p ON p.node_id = n.id WHERE n.id = :person;
SQL
cat >"$WORK/entities.best.sql" <<SQL
SELECT n.name, c.alpha2 FROM country c JOIN node n ON n.id = c.node_id
WHERE c.alpha2 IN (${code_list});
SQL

# govgraph's own round trips, copied by hand: every column it reads, one statement per level,
# the values a level learns bound into the next.
cat >"$WORK/flat.own.sql" <<SQL
SELECT n.*, p.* FROM node n JOIN person p ON p.node_id = n.id
WHERE n.kind = :kind ORDER BY n.name, n.id LIMIT :limit;
SQL
cat >"$WORK/nested.own.sql" <<SQL
SELECT n.*, c.* FROM node n JOIN country c ON c.node_id = n.id
WHERE n.kind = :country ORDER BY n.name, n.id LIMIT :limit;
SELECT page.*, o.*, wg.*, pa.* FROM (
    SELECT found.*, row_number() OVER (PARTITION BY found.anchor ORDER BY found.object_name, found.id) AS rn
    FROM (VALUES $(sed 's/[^,]*/(&)/g' <<<"$countries")) AS a(anchor)
    CROSS JOIN (VALUES ('WORKING_GROUP'), ('PARTNERSHIP')) AS r(kind)
    CROSS JOIN LATERAL (SELECT a.anchor, e.* FROM edge e
        WHERE e.subject_id = a.anchor::uuid AND e.predicate = :member AND e.object_kind = r.kind
        ORDER BY e.object_name, e.id LIMIT :per) found) page
CROSS JOIN node o
LEFT JOIN working_group wg ON wg.node_id = o.id
LEFT JOIN partnership pa ON pa.node_id = o.id
WHERE o.id = page.object_id AND rn <= :per;
SELECT page.*, o.*, d.* FROM (
    SELECT found.*, row_number() OVER (PARTITION BY found.anchor ORDER BY found.object_name, found.id) AS rn
    FROM (VALUES $(sed 's/[^,]*/(&)/g' <<<"$groups")) AS a(anchor)
    CROSS JOIN LATERAL (SELECT a.anchor, e.* FROM edge e
        WHERE e.subject_id = a.anchor::uuid AND e.predicate = :produced
          AND e.object_kind = 'DELIVERABLE'
        ORDER BY e.object_name, e.id LIMIT :per) found) page
CROSS JOIN node o
LEFT JOIN deliverable d ON d.node_id = o.id
WHERE o.id = page.object_id AND rn <= :per;
SQL
cat >"$WORK/lookup.own.sql" <<SQL
SELECT n.*, p.* FROM node n LEFT JOIN person p ON p.node_id = n.id
WHERE n.id = :person;
SQL
cat >"$WORK/entities.own.sql" <<SQL
SELECT n.*, c.* FROM node n JOIN country c ON c.node_id = n.id
WHERE c.alpha2 IN (${code_list}) OR c.alpha3 IN (${code_list});
SQL

# Each query runs through govgraph, its peer and its floors one after the other, so that all
# see the machine in the same state.
declare -A RPS P50 P99 STATEMENTS FLOOR PEER_RPS PEER_P99
for query in "${QUERIES[@]}"; do
    measure_govgraph "$query"
    measure_peer "$query" 2
    measure_peer "$query" 1
    measure_floor "$query" best
    measure_floor "$query" own
done

rss_mib=$(server_peak_rss_mib)
stop_govgraph

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

printf '\n| query | govgraph req/s | p50 ms | p99 ms | statements/request | PostGraphile ×2 req/s | p99 ms | ×1 req/s | govgraph / PostGraphile ×2 | same rows | best SQL tx/s | govgraph / best SQL | own statements tx/s | govgraph / own |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|\n'
for query in "${QUERIES[@]}"; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
        "$(label "$query")" "${RPS[$query]}" "${P50[$query]}" "${P99[$query]}" \
        "${STATEMENTS[$query]}" "${PEER_RPS[$query-2]}" "${PEER_P99[$query-2]}" \
        "${PEER_RPS[$query-1]}" "$(ratio "${RPS[$query]}" "${PEER_RPS[$query-2]}")" \
        "${SAME[$query]}" "${FLOOR[$query-best]}" "$(ratio "${RPS[$query]}" "${FLOOR[$query-best]}")" \
        "${FLOOR[$query-own]}" "$(ratio "${RPS[$query]}" "${FLOOR[$query-own]}")"
done
printf '\nScale %s (%s). %s s per run after %s s of warm-up, %s connections, %s client threads, %s cores.\n' \
    "$SCALE" "$generated" "$DURATION" "$WARMUP" "$CONNECTIONS" "$THREADS" "$(nproc)"
printf 'Peak RSS of the server under load: %s MiB. Cold start on SQLite with the data set: %s ms.\n' \
    "$rss_mib" "$cold_ms"
