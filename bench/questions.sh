#!/usr/bin/env bash
# The questions benchmark: latency of search, a 4-hop path, a depth-2 neighbourhood and grouped
# counts on the synthetic graph (scale 100 unless SCALE says otherwise: about 340,000 nodes and
# 1,000,000 relationships), on PostgreSQL and on SQLite. One client at a time, so the figures
# are the latency of one question, not a throughput. Loopback only; every run is bounded by
# DURATION. Prints a Markdown table.
#
#   bench/questions.sh
#   DURATION=10 SCALE=10 BACKENDS=postgres bench/questions.sh
#   REUSE_DATABASE=1 bench/questions.sh   # keep the databases a previous run generated
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
SCALE="${SCALE:-100}"
PORT="${PORT:-18081}"
PG="${PG:-postgres://postgres@127.0.0.1:5432}"
BACKENDS="${BACKENDS:-postgres sqlite}"
DATABASE="govgraph_questions_${SCALE}"
SQLITE_FILE="${SQLITE_FILE:-target/bench/questions-${SCALE}.db}"
WORK="$(mktemp -d)"
. bench/lib.sh

cleanup() {
    stop_govgraph
    rm -rf "$WORK"
}
trap cleanup EXIT

command -v wrk >/dev/null || { apt-get update -qq >&2; apt-get install -y wrk >&2; }
govgraph_build

# The questions, as request bodies. The neighbourhood's centre is an event of the first unit.
# The path's ends: a person of the first unit of scale and one of the last, each a member of a
# working group, the two groups sharing a member country, so that a path of four hops joins
# them (person, group, country, group, person) unless a shorter one does.
last=$((SCALE - 1))
PATH_ENDS="WITH
    a AS (SELECT n.id, n.slug, e.object_id AS wg FROM edge e JOIN node n ON n.id = e.subject_id
          WHERE e.predicate = 'MEMBER_OF' AND n.kind = 'PERSON' AND n.slug LIKE 'synthetic-0-%'
          ORDER BY n.slug LIMIT 1),
    c AS (SELECT e.subject_id AS id FROM a, edge e JOIN node n ON n.id = e.subject_id
          WHERE e.object_id = a.wg AND e.predicate = 'MEMBER_OF' AND n.kind = 'COUNTRY'
          ORDER BY n.slug LIMIT 1),
    g AS (SELECT e.object_id AS wg FROM c, edge e JOIN node n ON n.id = e.object_id
          WHERE e.subject_id = c.id AND e.predicate = 'MEMBER_OF'
            AND n.slug LIKE 'synthetic-${last}-%' ORDER BY n.slug LIMIT 1),
    b AS (SELECT n.slug FROM g, edge e JOIN node n ON n.id = e.subject_id
          WHERE e.object_id = g.wg AND e.predicate = 'MEMBER_OF' AND n.kind = 'PERSON'
          ORDER BY n.slug LIMIT 1)
    SELECT a.slug, b.slug FROM a, b"
declare -A BODY
BODY[search]='{"query":"{ search(text: \"nakamura digital\", first: 10) { edges { score node { name } } } }"}'
path_body() {
    BODY[path]="{\"query\":\"{ paths(from: { kind: PERSON, slug: \\\"$1\\\" }, to: { kind: PERSON, slug: \\\"$2\\\" }, maxHops: 4, first: 10) { length nodes { name } } }\"}"
}
BODY[neighbourhood]='{"query":"{ neighbourhood(node: { kind: EVENT, slug: \"synthetic-0-event-3\" }, depth: 2, limit: 1000) { nodes { name } relationships { predicate } nodesLeftOut } }"}'
BODY[groups]='{"query":"{ relationshipCounts(groupBy: [PREDICATE, SUBJECT_KIND]) { predicate subjectKind count } }"}'
BODY[groups_of_one]='{"query":"{ relationshipCounts(groupBy: [SUBJECT_KIND, YEAR], filter: { object: { kind: WORKING_GROUP, slug: \"synthetic-0-working-group-3\" } }) { subjectKind year count } }"}'
BODY[ranking]='{"query":"{ rankedNodes(kind: COUNTRY, by: { predicates: [MEMBER_OF], direction: OUTGOING, otherKinds: [WORKING_GROUP] }, first: 10) { count node { name } } }"}'
QUESTIONS=(search path neighbourhood groups groups_of_one ranking)

declare -A P50 P99 RPS
measure() {
    local backend=$1 question=$2
    local lua="$WORK/$question.lua"
    {
        echo 'wrk.method = "POST"'
        echo 'wrk.headers["Content-Type"] = "application/json"'
        printf 'wrk.body = [==[%s]==]\n' "${BODY[$question]}"
    } >"$lua"
    answer=$(post "$PORT" "${BODY[$question]}")
    case "$answer" in
        *'"errors"'*) say "$question fails on $backend: $answer"; exit 1 ;;
    esac
    printf '%s\n' "$answer" >"$WORK/$backend-$question.json"
    say "$backend: $question"
    wrk -t1 -c1 --timeout 60s -d"${WARMUP}s" -s "$lua" "http://127.0.0.1:${PORT}/graphql" >/dev/null
    wrk -t1 -c1 --timeout 60s -d"${DURATION}s" --latency -s "$lua" "http://127.0.0.1:${PORT}/graphql" \
        >"$WORK/$backend-$question.wrk"
    P50[$backend-$question]=$(percentile 50% "$WORK/$backend-$question.wrk")
    P99[$backend-$question]=$(percentile 99% "$WORK/$backend-$question.wrk")
    RPS[$backend-$question]=$(rps "$backend-$question")
}

for backend in $BACKENDS; do
    case "$backend" in
        postgres)
            url="$PG/$DATABASE"
            if [ -z "${REUSE_DATABASE:-}" ]; then
                psql "$PG/postgres" -v ON_ERROR_STOP=1 -q \
                    -c "DROP DATABASE IF EXISTS ${DATABASE}" -c "CREATE DATABASE ${DATABASE}"
                say "generating scale ${SCALE} on PostgreSQL"
                "$GOVGRAPH" generate --scale "$SCALE" --database-url "$url" >&2
            fi
            psql "$url" -q -c "VACUUM ANALYZE" -c "CHECKPOINT"
            read -r from to < <(psql "$url" -Atq -F ' ' -c "$PATH_ENDS")
            ;;
        sqlite)
            url="sqlite://${SQLITE_FILE}?mode=rwc"
            if [ -z "${REUSE_DATABASE:-}" ]; then
                mkdir -p "$(dirname "$SQLITE_FILE")"
                rm -f "$SQLITE_FILE" "$SQLITE_FILE-wal" "$SQLITE_FILE-shm"
                say "generating scale ${SCALE} on SQLite"
                "$GOVGRAPH" generate --scale "$SCALE" --database-url "$url" >&2
            fi
            read -r from to < <(sqlite3 -separator ' ' "$SQLITE_FILE" "$PATH_ENDS")
            ;;
        *) echo "unknown backend $backend" >&2; exit 1 ;;
    esac
    path_body "$from" "$to"
    say "path from $from to $to"
    start_govgraph "$url"
    for question in "${QUESTIONS[@]}"; do measure "$backend" "$question"; done
    stop_govgraph
done

printf '| question |'
for backend in $BACKENDS; do printf ' %s p50 ms | %s p99 ms |' "$backend" "$backend"; done
printf '\n|---|'
for backend in $BACKENDS; do printf -- '---:|---:|'; done
printf '\n'
for question in "${QUESTIONS[@]}"; do
    printf '| %s |' "$question"
    for backend in $BACKENDS; do
        printf ' %s | %s |' "${P50[$backend-$question]}" "${P99[$backend-$question]}"
    done
    printf '\n'
done
for backend in $BACKENDS; do
    say "$backend path answer: $(head -c 300 "$WORK/$backend-path.json")"
    say "$backend neighbourhood left out: $(grep -o '"nodesLeftOut":[0-9]*' "$WORK/$backend-neighbourhood.json")"
done
