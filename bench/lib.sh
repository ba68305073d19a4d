# What the benchmark scripts share: sourced, not run. The caller sets WORK (a scratch
# directory), PORT, DURATION, WARMUP, CONNECTIONS and THREADS, and stops its server with
# stop_govgraph in its exit trap.

SERVER_PID=""

say() { printf '==> %s\n' "$*" >&2; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# wrk's figure for a latency percentile (`50%`, `99%`) in report $2, in milliseconds.
percentile() {
    awk -v p="$1" '$1 == p { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        if (u == "us") v /= 1000; else if (u == "s") v *= 1000; printf "%.2f", v }' "$2"
}

# Requests per second in wrk report $WORK/$1.wrk.
rps() { awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$WORK/$1.wrk"; }

# The release build, unless GOVGRAPH names another; sets GOVGRAPH to an absolute path.
govgraph_build() {
    if [ -z "${GOVGRAPH:-}" ]; then
        say "release build"
        cargo build --release --quiet --bin govgraph
        GOVGRAPH="$PWD/target/release/govgraph"
    fi
    GOVGRAPH=$(realpath "$GOVGRAPH")
}

# govgraph serving database $1 on 127.0.0.1:$PORT, with any further arguments; returns once it
# answers /readyz. Its log is $WORK/server.log.
start_govgraph() {
    local url=$1
    shift
    GOVGRAPH_LOG_FORMAT=json RUST_LOG=warn "$GOVGRAPH" serve --listen "127.0.0.1:${PORT}" \
        --database-url "$url" "$@" 2>"$WORK/server.log" &
    SERVER_PID=$!
    for _ in $(seq 1 1200); do
        curl -fs "http://127.0.0.1:${PORT}/readyz" >/dev/null 2>&1 && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
        sleep 0.05
    done
    echo "govgraph never became ready" >&2
    exit 1
}

stop_govgraph() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        wait "$SERVER_PID" || true
    fi
    SERVER_PID=""
}

# POST request body $2 to the GraphQL endpoint on port $1; prints the answer.
post() {
    curl -fs "http://127.0.0.1:$1/graphql" -H 'content-type: application/json' --data "$2"
}

# Load on one server with one request body: `load NAME PORT BODY [CONNECTIONS]` leaves its wrk
# report in $WORK/NAME.wrk, after WARMUP seconds of untimed load. Fails on any non-2xx answer.
load() {
    local name=$1 port=$2 body=$3 connections=${4:-$CONNECTIONS}
    local lua="$WORK/$name.lua" threads=$THREADS
    [ "$connections" -lt "$threads" ] && threads=$connections
    {
        echo 'wrk.method = "POST"'
        echo 'wrk.headers["Content-Type"] = "application/json"'
        printf 'wrk.body = [==[%s]==]\n' "$body"
    } >"$lua"
    if [ "$WARMUP" != 0 ]; then
        wrk -t"$threads" -c"$connections" -d"${WARMUP}s" -s "$lua" \
            "http://127.0.0.1:${port}/graphql" >/dev/null
    fi
    wrk -t"$threads" -c"$connections" -d"${DURATION}s" --latency -s "$lua" \
        "http://127.0.0.1:${port}/graphql" >"$WORK/$name.wrk"
    if grep -q "Non-2xx" "$WORK/$name.wrk"; then
        cat "$WORK/$name.wrk" >&2
        exit 1
    fi
}

# Sum of a metric's samples on govgraph's /metrics, optionally only those whose labels
# contain $2.
metric() {
    curl -fs "http://127.0.0.1:${PORT}/metrics" \
        | awk -v name="$1" -v with="${2:-}" '
            $1 ~ "^"name"({|$)" && index($1, with) { sum += $NF }
            END { printf "%.0f", sum }'
}

# govgraph's four dashboard queries, as request bodies in BODY (declared by the caller):
# `dashboard_queries PERSON_GLOBAL_ID REPRESENTATIONS_JSON`.
QUERIES=(flat nested lookup entities)
dashboard_queries() {
    local person_id=$1 representations=$2
    BODY[flat]='{"query":"{ people(first: 100) { edges { node { name title } } } }"}'
    BODY[nested]='{"query":"{ countries(first: 20) { edges { node { name memberships(first: 5) { edges { node { name ... on WorkingGroup { deliverables(first: 5) { edges { node { name } } } } } } } } } } }"}'
    BODY[lookup]="{\"query\":\"{ node(id: \\\"${person_id}\\\") { ... on Person { name title } } }\"}"
    BODY[entities]="{\"query\":\"query(\$r: [_Any!]!) { _entities(representations: \$r) { ... on Country { name code } } }\",\"variables\":{\"r\":[${representations}]}}"
}

# The global ID of the person with id (UUID) $1.
person_global_id() { printf 'Person:%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }

# `_entities` representations of the countries with codes $@, as a JSON list's items.
country_representations() {
    printf '%s\n' "$@" | sed 's/.*/{"__typename":"Country","code":"&"}/' | paste -sd, -
}

label() {
    case "$1" in
        flat) echo "flat: 100 people, name and title" ;;
        nested) echo "nested: 20 countries × 5 memberships × 5 deliverables" ;;
        lookup) echo "lookup: one person by global ID" ;;
        entities) echo "_entities: 50 Country representations" ;;
    esac
}

# govgraph under load for query $1: fills RPS, P50, P99 and STATEMENTS (declared by the caller).
measure_govgraph() {
    local query=$1 statements_before requests_before statements_after requests_after
    say "govgraph: $query (${DURATION} s, ${CONNECTIONS} connections)"
    statements_before=$(metric db_client_operation_duration_seconds_count)
    requests_before=$(metric http_server_request_duration_seconds_count 'http_route="/graphql"')
    load "$query" "$PORT" "${BODY[$query]}"
    statements_after=$(metric db_client_operation_duration_seconds_count)
    requests_after=$(metric http_server_request_duration_seconds_count 'http_route="/graphql"')
    RPS[$query]=$(rps "$query")
    P50[$query]=$(percentile 50% "$WORK/$query.wrk")
    P99[$query]=$(percentile 99% "$WORK/$query.wrk")
    # The warm-up's requests are counted too: the ratio is the same.
    STATEMENTS[$query]=$(awk -v s=$((statements_after - statements_before)) \
        -v r=$((requests_after - requests_before)) 'BEGIN { printf "%.2f", s / r }')
}

# Peak resident memory of the server so far, in MiB.
server_peak_rss_mib() { awk '/^VmHWM/ { printf "%d", $2 / 1024 }' "/proc/${SERVER_PID}/status"; }
