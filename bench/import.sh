#!/usr/bin/env bash
# The write path at scale: `govgraph generate --scale N` (the synthetic graph, written through
# the importer as one bulk load) into a new SQLite file and a new PostgreSQL database, each
# timed whole (migrations and the default data set included) with its peak resident memory.
# Prints a Markdown table.
#
#   bench/import.sh                        # scale 100
#   SCALE=10 bench/import.sh
#   DATABASES=postgres bench/import.sh     # one database only (sqlite, postgres)
#   GOVGRAPH=/path/to/govgraph bench/import.sh   # measure another build
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE="${SCALE:-100}"
DATABASES="${DATABASES:-sqlite postgres}"
PG_ADMIN="${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"
DATABASE="${DATABASE:-govgraph_import_bench}"
WORK="$(mktemp -d)"
. bench/lib.sh

cleanup() {
    rm -rf "$WORK"
    psql "$PG_ADMIN" -q -c "DROP DATABASE IF EXISTS ${DATABASE}" >/dev/null 2>&1 || true
}
trap cleanup EXIT

command -v /usr/bin/time >/dev/null || { apt-get update -qq >&2; apt-get install -y time >&2; }
govgraph_build

# `timed NAME URL`: generates into URL, leaving "seconds kilobytes" in $WORK/NAME.
timed() {
    /usr/bin/time -f "%e %M" -o "$WORK/$1" env RUST_LOG=warn \
        "$GOVGRAPH" generate --scale "$SCALE" --database-url "$2" >"$WORK/$1.out" 2>"$WORK/$1.err" \
        || { cat "$WORK/$1.err" >&2; exit 1; }
    say "$1: $(cat "$WORK/$1.out")"
}

for db in $DATABASES; do
    say "$db, scale $SCALE"
    case "$db" in
        sqlite) timed sqlite "sqlite://$WORK/govgraph.db?mode=rwc" ;;
        postgres)
            psql "$PG_ADMIN" -q -c "DROP DATABASE IF EXISTS ${DATABASE}" -c "CREATE DATABASE ${DATABASE}"
            timed postgres "postgres://postgres@127.0.0.1:5432/${DATABASE}"
            ;;
        *) echo "unknown database $db: sqlite or postgres" >&2; exit 1 ;;
    esac
done

printf '| database | scale | nodes | relationships | seconds | peak RSS (MiB) |\n|---|---:|---:|---:|---:|---:|\n'
for db in $DATABASES; do
    read -r seconds kib <"$WORK/$db"
    nodes=$(grep -o '[0-9]* nodes' "$WORK/$db.out" | cut -d' ' -f1)
    edges=$(grep -o '[0-9]* relationships' "$WORK/$db.out" | cut -d' ' -f1)
    printf '| %s | %s | %s | %s | %s | %s |\n' "$db" "$SCALE" "$nodes" "$edges" "$seconds" "$((kib / 1024))"
done
