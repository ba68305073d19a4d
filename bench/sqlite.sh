#!/usr/bin/env bash
# The read-path benchmark on the embedded default: govgraph (release build) on a SQLite file with
# the synthetic graph (scale 10), under 16 connections, against its floor: the best SQL an expert
# writes for the same answer, run by bench/sqlitebench (pgbench for SQLite, on sqlx) with the
# same number of clients. Loopback only; every run is bounded by DURATION. Prints a Markdown
# table.
#
#   bench/sqlite.sh                      # defaults below
#   REUSE_DATABASE=1 bench/sqlite.sh     # keep the file a previous run generated
#   GOVGRAPH=/path/to/govgraph REUSE_DATABASE=1 bench/sqlite.sh   # measure another build
#   SQLITEBENCH=target/debug/sqlitebench ...                     # a floor already built
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-20}"            # seconds per run
WARMUP="${WARMUP:-3}"                 # seconds of untimed load before each run
SCALE="${SCALE:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
THREADS="${THREADS:-2}"
PORT="${PORT:-18083}"
SQLITE_FILE="${SQLITE_FILE:-target/bench/dashboard-${SCALE}.db}"
WORK="$(mktemp -d)"
. bench/lib.sh

cleanup() {
    stop_govgraph
    rm -rf "$WORK"
}
trap cleanup EXIT

say "tools"
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v curl >/dev/null || need+=(curl)
command -v jq >/dev/null || need+=(jq)
if [ "${#need[@]}" -gt 0 ]; then
    apt-get update -qq >&2
    apt-get install -y "${need[@]}" >&2
fi

govgraph_build
if [ -z "${SQLITEBENCH:-}" ]; then
    say "bench/sqlitebench"
    cargo build --release --quiet -p sqlitebench
    SQLITEBENCH="$PWD/target/release/sqlitebench"
fi

DB_URL="sqlite://${SQLITE_FILE}"
if [ -n "${REUSE_DATABASE:-}" ]; then
    generated="reused"
else
    mkdir -p "$(dirname "$SQLITE_FILE")"
    rm -f "$SQLITE_FILE" "$SQLITE_FILE-wal" "$SQLITE_FILE-shm"
    say "generating scale ${SCALE} in ${SQLITE_FILE}"
    generated=$("$GOVGRAPH" generate --scale "$SCALE" --database-url "${DB_URL}?mode=rwc" \
        2>"$WORK/generate.log") || { cat "$WORK/generate.log" >&2; exit 1; }
fi
rows() { sqlite3 "$SQLITE_FILE" "$1"; }
generated="${generated}: $(rows "SELECT count(*) FROM node") nodes, $(rows "SELECT count(*) FROM edge") relationships"
say "$generated"

# The inputs of the lookups: one generated person, fifty country codes.
person_uuid=$(rows "SELECT lower(substr(hex(id), 1, 8) || '-' || substr(hex(id), 9, 4) || '-' ||
    substr(hex(id), 13, 4) || '-' || substr(hex(id), 17, 4) || '-' || substr(hex(id), 21))
    FROM node WHERE kind = 'PERSON' AND slug = 'synthetic-0-person-7'")
codes=$(rows "SELECT alpha2 FROM country ORDER BY alpha2 LIMIT 50")
declare -A BODY
# shellcheck disable=SC2086 # one code per argument
dashboard_queries "$(person_global_id "$person_uuid")" "$(country_representations $codes)"

# The best SQL for each answer: one statement, the rows the answer shows and nothing else, in
# its order, each page read from an index in that order (migration 6's, which keep the other
# end's name with each relationship) and cut to its size. SQLite has no LATERAL: a page per
# parent is `rowid IN` a correlated subquery with its own ORDER BY and LIMIT, which SQLite runs
# as a search of the index that stops after LIMIT rows.
cat >"$WORK/flat.sql" <<'SQL'
SELECT n.name, p.title FROM node n JOIN person p ON p.node_id = n.id
WHERE n.kind = :kind ORDER BY n.name, n.id LIMIT 100;
SQL
cat >"$WORK/nested.sql" <<'SQL'
WITH c AS (
    SELECT id, name FROM node WHERE kind = :country ORDER BY name, id LIMIT 20),
m AS (
    SELECT c.id AS cid, c.name AS cname, e.id, e.object_id, e.object_kind, e.object_name,
           row_number() OVER (PARTITION BY c.id ORDER BY e.object_name, e.id) AS rank
    FROM c CROSS JOIN (SELECT 'WORKING_GROUP' AS kind UNION ALL SELECT 'PARTNERSHIP') k
    CROSS JOIN edge e
    WHERE e.rowid IN (
        SELECT x.rowid FROM edge x
        WHERE x.subject_id = c.id AND x.predicate = :member AND x.object_kind = k.kind
        ORDER BY x.object_name, x.id LIMIT 5))
SELECT m.cname, m.object_name, d.object_name
FROM m LEFT JOIN edge d ON d.rowid IN (
    SELECT y.rowid FROM edge y
    WHERE m.object_kind = 'WORKING_GROUP' AND y.subject_id = m.object_id
      AND y.predicate = :produced AND y.object_kind = 'DELIVERABLE'
    ORDER BY y.object_name, y.id LIMIT 5)
WHERE m.rank <= 5
ORDER BY m.cname, m.cid, m.object_name, m.id, d.object_name, d.id;
SQL
cat >"$WORK/lookup.sql" <<'SQL'
SELECT n.name, p.title FROM node n JOIN person p ON p.node_id = n.id WHERE n.id = :person;
SQL
code_list=$(printf "'%s'\n" $codes | paste -sd, -)
cat >"$WORK/entities.sql" <<SQL
SELECT n.name, c.alpha2 FROM country c JOIN node n ON n.id = c.node_id
WHERE c.alpha2 IN (${code_list});
SQL
declare -A DEFINES EXPECTED_ROWS
DEFINES[flat]="-D kind=PERSON"
DEFINES[nested]="-D country=COUNTRY -D member=MEMBER_OF -D produced=PRODUCED"
DEFINES[lookup]="-D person=${person_uuid}"
DEFINES[entities]=""

# The floor of query $1: its best SQL through sqlitebench, with as many clients as wrk has
# connections. Fills FLOOR, FLOOR_P99 and FLOOR_ROWS.
measure_floor() {
    local query=$1 defines
    say "floor (best SQL): $query (${DURATION} s, ${CONNECTIONS} clients)"
    read -r -a defines <<<"${DEFINES[$query]}"
    "$SQLITEBENCH" -c "$CONNECTIONS" -T "$DURATION" -W "$WARMUP" "${defines[@]}" \
        -f "$WORK/$query.sql" "$DB_URL" >"$WORK/$query.sqlitebench"
    FLOOR[$query]=$(awk '$1 == "tps" { printf "%.0f", $NF }' "$WORK/$query.sqlitebench")
    FLOOR_P99[$query]=$(awk '$1 == "latency" && $2 == "p99" { printf "%.2f", $NF }' "$WORK/$query.sqlitebench")
    FLOOR_ROWS[$query]=$(awk '$1 == "rows" { print $NF }' "$WORK/$query.sqlitebench")
}

# The rows of govgraph's answer to query $1 as one result set holds them (a membership with no
# deliverables is one row): the floor must return as many.
declare -A ROWS_OF
ROWS_OF[flat]='.data.people.edges | length'
ROWS_OF[nested]='[.data.countries.edges[].node.memberships.edges[].node
    | (.deliverables.edges // []) | length | if . == 0 then 1 else . end] | add'
ROWS_OF[lookup]='if .data.node then 1 else 0 end'
ROWS_OF[entities]='.data._entities | length'

say "server on 127.0.0.1:${PORT}"
start_govgraph "$DB_URL"   # its default pool for SQLite
for query in "${QUERIES[@]}"; do
    answer=$(post "$PORT" "${BODY[$query]}")
    case "$answer" in *'"errors"'*) say "$query fails: $answer"; exit 1 ;; esac
    EXPECTED_ROWS[$query]=$(jq "${ROWS_OF[$query]}" <<<"$answer")
    [ "${EXPECTED_ROWS[$query]}" -gt 0 ] || { say "$query answers no rows: $answer"; exit 1; }
done

declare -A RPS P50 P99 STATEMENTS FLOOR FLOOR_P99 FLOOR_ROWS
for query in "${QUERIES[@]}"; do
    measure_govgraph "$query"
    measure_floor "$query"
done
rss_mib=$(server_peak_rss_mib)
stop_govgraph

printf '\n| query | govgraph req/s | p50 ms | p99 ms | statements/request | best SQL tx/s | p99 ms | rows | govgraph / best SQL |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for query in "${QUERIES[@]}"; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
        "$(label "$query")" "${RPS[$query]}" "${P50[$query]}" "${P99[$query]}" \
        "${STATEMENTS[$query]}" "${FLOOR[$query]}" "${FLOOR_P99[$query]}" \
        "${FLOOR_ROWS[$query]}" "$(ratio "${RPS[$query]}" "${FLOOR[$query]}")"
    if [ "${FLOOR_ROWS[$query]}" != "${EXPECTED_ROWS[$query]}" ]; then
        say "the floor of $query returned ${FLOOR_ROWS[$query]} rows, not ${EXPECTED_ROWS[$query]}"
        exit 1
    fi
done
printf '\nSQLite, scale %s (%s). %s s per run after %s s of warm-up, %s connections, %s client threads, %s cores.\n' \
    "$SCALE" "$generated" "$DURATION" "$WARMUP" "$CONNECTIONS" "$THREADS" "$(nproc)"
printf 'Peak RSS of the server under load: %s MiB.\n' "$rss_mib"
