#!/usr/bin/env bash
# Load run for moneykit-mock: every row of issue 9's table in one invocation.
# Warm throughput (10,000 cached IDs) against a bare net/http server writing
# the mock's own bytes per link and one writing a 2.3 KB body, cold
# throughput (every ID new) against the same-bytes server, all in
# interleaved rounds; allocations per request through a live server (go
# test -bench); idle RSS, RSS after the 10k-ID rounds, and the RSS curve
# under never-repeating IDs up to 1,000,000 requests; p99 open loop at half
# the mock's measured max rate; start to first 200. All traffic goes to
# 127.0.0.1 only. A measurement tool, not a gate: exits 0 unless a build
# fails or a server fails to start.
#
# Usage: bash loadtest/run.sh            (from anywhere; see loadtest/README.md)
set -euo pipefail

# ---- settings (env overrides) ------------------------------------------------
DURATION=${DURATION:-10}              # seconds for each measured 10k-ID run
ROUNDS=${ROUNDS:-3}                   # interleaved mock/baseline rounds (median is reported)
WARMUP=${WARMUP:-3}                   # seconds of warm-up before each measured run
FRESH_REQUESTS=${FRESH_REQUESTS:-1000000}  # requests of the never-repeating-ID run (RSS curve) ...
FRESH_DURATION=${FRESH_DURATION:-180}     # ... or this many seconds, whichever comes first
SAMPLE_EVERY=${SAMPLE_EVERY:-5}       # seconds between RSS samples in that run
BARE_SIZE=${BARE_SIZE:-2300}          # bytes of the bare baseline's one body
COLD=${COLD:-1}                       # 0: skip the cold (every ID new) rounds
BENCH=${BENCH:-1}                     # 0: skip the allocation benchmarks (go test -bench)
BENCH_SRC=${BENCH_SRC:-}              # source tree to run them in (default: this one; e.g. the "before" tree with MOCK_BIN)
THREADS=${THREADS:-2}
CONNS=${CONNS:-50}
STARTUP_RUNS=${STARTUP_RUNS:-10}
MOCK_PORT=${MOCK_PORT:-18080}
BASE_PORT=${BASE_PORT:-18081}
SAME_PORT=${SAME_PORT:-18083}         # the baseline writing the mock's own bytes per link
COLD_PORT=${COLD_PORT:-18084}         # a second mock for the cold rounds
STARTUP_PORT=${STARTUP_PORT:-18082}
READY_PATH=${READY_PATH:-/links/mk_demo/identity}
READY_TIMEOUT_MS=${READY_TIMEOUT_MS:-10000}
MOCK_BIN=${MOCK_BIN:-}                 # prebuilt server to test instead of `go build .`
SELF_TEST=${SELF_TEST:-0}             # 1: test the baseline against itself (noise floor; no mock needed)
MOCK_ARGS=${MOCK_ARGS-"--log-format text"}  # extra flags after `--addr 127.0.0.1:PORT`
MOCK_LOG=${MOCK_LOG:-}                 # where the mock's output goes during load (default: a temp file)
KEEP_TMP=${KEEP_TMP:-0}
RATE=${RATE:-auto}                    # open-loop requests/s per server; auto: half the mock's measured max (0: skip)
RATE_DURATION=${RATE_DURATION:-10}    # measured seconds of the open-loop run
RATE_WARMUP=${RATE_WARMUP:-2}         # unrecorded warm-up seconds before it
P99_MS=${P99_MS:-2}                   # the p99 target, in ms

TOKEN="sandbox-token"
API_VERSION="2023-02-18"
HOST=127.0.0.1

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LT="$ROOT/loadtest"
cd "$ROOT"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mkload.XXXXXX")
STARTED_PIDS=()

cleanup() {
  local pid
  for pid in ${STARTED_PIDS[@]+"${STARTED_PIDS[@]}"}; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [[ "$KEEP_TMP" == 1 ]]; then
    echo "kept $TMP"
  else
    rm -rf "$TMP"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

read -r -a MOCK_ARGS_ARR <<<"$MOCK_ARGS"

say() { printf '\n== %s\n' "$*"; }
# The share of CPU time the hypervisor took from this VM's CPUs between two
# stat_ticks (steal, from /proc/stat): a round with a few per cent of it is
# a round of a slower machine, and its ratios say so more than the code.
stat_ticks() { awk '/^cpu / {print $9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
steal_pct() { awk -v a="$1" -v b="$2" 'BEGIN {split(a, x, " "); split(b, y, " "); t = y[2] - x[2]; printf "%.1f", (t > 0 ? 100 * (y[1] - x[1]) / t : 0)}'; }
die_start() { echo "FATAL: $*" >&2; exit 2; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# ---- helpers -------------------------------------------------------------------
# stop_pid PID: terminate exactly this PID (one we started) and reap it.
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# port_free PORT: true if nothing accepts connections on 127.0.0.1:PORT.
port_free() {
  local rc=0
  curl -s -o /dev/null --max-time 1 "http://$HOST:$1/" || rc=$?
  [[ $rc == 7 ]]
}

# http_status PORT PATH [OUTFILE]: prints the status code (000 if none).
http_status() {
  curl -s -o "${3:-/dev/null}" -w '%{http_code}' --max-time 2 \
    -H "Authorization: Bearer $TOKEN" -H "MoneyKit-Version: $API_VERSION" \
    "http://$HOST:$1$2" || true
}

# start_server NAME PORT LOG CMD...: start in background, wait for a 200 on
# READY_PATH (bounded), set SERVER_PID. Dies (exit 2) on failure.
start_server() {
  local name=$1 port=$2 log=$3
  shift 3
  port_free "$port" || die_start "port $port is already in use; not starting $name"
  "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
  local t0 code=000
  t0=$(now_ms)
  while (( $(now_ms) - t0 < READY_TIMEOUT_MS )); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "--- $name log:" >&2; tail -20 "$log" >&2 || true
      die_start "$name (pid $SERVER_PID) exited during startup"
    fi
    code=$(http_status "$port" "$READY_PATH")
    [[ $code == 200 ]] && break
    sleep 0.01
  done
  if [[ $code != 200 ]]; then
    echo "--- $name log:" >&2; tail -20 "$log" >&2 || true
    die_start "$name did not answer 200 on $READY_PATH within ${READY_TIMEOUT_MS} ms (last status $code)"
  fi
  echo "$name ready: pid $SERVER_PID on $HOST:$port"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
kb_to_mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# to_ms VALUE-WITH-UNIT (wrk style: 512.00us, 1.53ms, 1.20s, 1.00m) -> ms
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}

wrk_rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
wrk_pct() { awk -v p="$2" '$1 == p {print $2}' "$1"; }
wrk_total() { awk '/requests in/ {print $1}' "$1"; }
wrk_non2xx() { awk '/Non-2xx or 3xx responses:/ {n = $NF} END {print n + 0}' "$1"; }
wrk_sockerr() {
  awk '/Socket errors:/ { gsub(/,/, ""); s = $4 + $6 + $8 + $10 } END { print s + 0 }' "$1"
}
wrk_bad() { echo $(( $(wrk_non2xx "$1") + $(wrk_sockerr "$1") )); }
median() { sort -n | awk '{a[NR] = $1} END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# per_round NAME FIELD: one value per round (FIELD: rps|p50|p99|bad)
per_round() {
  local r f
  for ((r = 1; r <= ROUNDS; r++)); do
    f="$TMP/wrk-$1-$r.txt"
    case $2 in
      rps) wrk_rps "$f" ;;
      p50) to_ms "$(wrk_pct "$f" 50%)"; echo ;;
      p99) to_ms "$(wrk_pct "$f" 99%)"; echo ;;
      bad) wrk_bad "$f" ;;
    esac
  done
}

# run_wrk PORT SCRIPT SECONDS OUTFILE [SCRIPT ARGS...]
run_wrk() {
  local port=$1 script=$2 secs=$3 out=$4
  shift 4
  wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --latency -s "$script" "http://$HOST:$port" "$@" >"$out" 2>&1
}
# spread VALUES...: "min-max"
spread() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%s-%s", lo, hi}'; }

# ---- tools -----------------------------------------------------------------------
say "tools"
if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk not found; installing Debian's package"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
command -v wrk >/dev/null 2>&1 || { echo "FATAL: wrk is not installed" >&2; exit 1; }
command -v curl >/dev/null 2>&1 || { echo "FATAL: curl is not installed" >&2; exit 1; }
wrk --version 2>&1 | head -1 || true
# How idle the CPUs are before we start: other work on the machine skews every figure.
cpu_idle_pct() {
  local a b
  a=$(awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print $5 + $6, t}' /proc/stat)
  sleep 1
  b=$(awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print $5 + $6, t}' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
    d = y[2] - x[2]; pct = 100; if (d > 0) pct = (y[1] - x[1]) * 100 / d; printf "%.0f", pct }'
}
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)
IDLE_START=$(cpu_idle_pct)
echo "load average: $LOADAVG_START; CPU idle over the last second: ${IDLE_START}%"
if (( IDLE_START < 90 )); then
  echo "WARNING: the machine is busy with other work; throughput and latency figures will be noisy"
fi
echo "machine: $(nproc) cores; wrk -t$THREADS -c$CONNS; $ROUNDS x ${DURATION}s per server, warm-up ${WARMUP}s; fresh IDs: $FRESH_REQUESTS requests or ${FRESH_DURATION}s; open loop ${RATE}/s x ${RATE_DURATION}s per server"

say "build"
go build -o "$TMP/baseline" ./loadtest/baseline
go build -o "$TMP/startup" ./loadtest/startup
go build -o "$TMP/rate" ./loadtest/rate
go build -o "$TMP/bodiesgen" ./loadtest/bodies
"$TMP/bodiesgen" -ids 10000 -o "$TMP/bodies.txt"
echo "baseline, startup, rate, bodies: built; the mock's 10,000 bodies written (seed 1)"
if [[ "$SELF_TEST" == 1 ]]; then
  MOCK="$TMP/baseline"
  MOCK_ARGS_ARR=()
  echo "SELF_TEST=1: the 'mock' is the baseline itself; ratios show this machine's noise floor"
elif [[ -n "$MOCK_BIN" ]]; then
  MOCK="$MOCK_BIN"
  echo "mock: using MOCK_BIN=$MOCK (args: ${MOCK_ARGS:-<none>})"
else
  MOCK="$TMP/mock"
  go build -o "$MOCK" .
  echo "mock: built $MOCK from $ROOT"
fi

# ---- (a) start-to-first-200 ------------------------------------------------------
say "start-to-first-200 ($STARTUP_RUNS runs each, 1 ms poll of $READY_PATH)"
STARTUP_OK=1
echo "-- mock"
if ! "$TMP/startup" -bin "$MOCK" -addr "$HOST:$STARTUP_PORT" -path "$READY_PATH" \
    -n "$STARTUP_RUNS" -log "$TMP/startup-mock.log" \
    -- ${MOCK_ARGS_ARR[@]+"${MOCK_ARGS_ARR[@]}"} | tee "$TMP/startup-mock.txt"; then
  STARTUP_OK=0
  echo "(mock startup measurement failed; server log tail:)"; tail -5 "$TMP/startup-mock.log" 2>/dev/null || true
fi
echo "-- baseline (for comparison)"
"$TMP/startup" -bin "$TMP/baseline" -addr "$HOST:$STARTUP_PORT" -path "$READY_PATH" \
  -n "$STARTUP_RUNS" | tee "$TMP/startup-base.txt" || true
startup_field() { sed -n "s/.*$2 \([0-9.]*\) ms.*/\1/p" "$1" | tail -1; }
SU_MED=$(startup_field "$TMP/startup-mock.txt" median); SU_MAX=$(startup_field "$TMP/startup-mock.txt" max)
SU_BMED=$(startup_field "$TMP/startup-base.txt" median)

# ---- 10k-ID runs: mock vs baseline, interleaved ------------------------------
say "10,000 distinct link IDs: mock vs baseline, $ROUNDS interleaved rounds of ${DURATION}s"
start_server mock "$MOCK_PORT" "${MOCK_LOG:-$TMP/mock.log}" \
  "$MOCK" --addr "$HOST:$MOCK_PORT" ${MOCK_ARGS_ARR[@]+"${MOCK_ARGS_ARR[@]}"}
MOCK_PID=$SERVER_PID
sleep 1
RSS_IDLE=$(rss_kb "$MOCK_PID")
echo "mock idle RSS: $(kb_to_mb "$RSS_IDLE") MB"

# The bare baseline writes one generated JSON body of about BARE_SIZE bytes
# (issue 9: "a bare server writing one 2.3 KB body").
start_server baseline "$BASE_PORT" "$TMP/baseline.log" \
  "$TMP/baseline" -addr "$HOST:$BASE_PORT" -size "$BARE_SIZE"
BASE_PID=$SERVER_PID
BODY_BYTES=$(curl -s --max-time 2 "http://$HOST:$BASE_PORT/" | wc -c)
echo "bare baseline body: $BODY_BYTES bytes"
# The same baseline writing, for each link, the very bytes the mock sends for
# it: this isolates the mock's own cost from the sizes of its bodies (net/http
# writes a response in one syscall only while it fits its 4 KiB buffer, and a
# quarter of identity bodies do not; the median body above always does).
start_server same "$SAME_PORT" "$TMP/same.log" \
  "$TMP/baseline" -addr "$HOST:$SAME_PORT" -bodies "$TMP/bodies.txt"
SAME_PID=$SERVER_PID
if (( COLD )); then
  # The cold rounds get a mock of their own, so that they never evict the
  # warm mock's bodies; fresh.lua's IDs are tagged by round, never repeated.
  start_server cold "$COLD_PORT" "$TMP/cold.log" \
    "$MOCK" --addr "$HOST:$COLD_PORT" ${MOCK_ARGS_ARR[@]+"${MOCK_ARGS_ARR[@]}"}
  COLD_PID=$SERVER_PID
fi

echo "warm-up ${WARMUP}s each ..."
run_wrk "$MOCK_PORT" "$LT/ids.lua" "$WARMUP" "$TMP/wrk-mock-warm.txt"
run_wrk "$BASE_PORT" "$LT/ids.lua" "$WARMUP" "$TMP/wrk-base-warm.txt"
run_wrk "$SAME_PORT" "$LT/ids.lua" "$WARMUP" "$TMP/wrk-same-warm.txt"
(( COLD )) && run_wrk "$COLD_PORT" "$LT/fresh.lua" "$WARMUP" "$TMP/wrk-cold-warm.txt" -- warm

printf '  %-5s %-9s %12s %10s %10s %9s %8s\n' round server "req/s" "p50 ms" "p99 ms" "bad resp" "steal %"
one_round() { # one_round NAME PORT ROUND
  local f="$TMP/wrk-$1-$3.txt" st
  st=$(stat_ticks)
  if [[ $1 == cold ]]; then
    (( COLD )) || return 0
    run_wrk "$2" "$LT/fresh.lua" "$DURATION" "$f" -- "r$3"
  else
    run_wrk "$2" "$LT/ids.lua" "$DURATION" "$f"
  fi
  printf '  %-5s %-9s %12s %10s %10s %9s %8s\n' "$3" "$1" "$(wrk_rps "$f")" \
    "$(to_ms "$(wrk_pct "$f" 50%)")" "$(to_ms "$(wrk_pct "$f" 99%)")" "$(wrk_bad "$f")" "$(steal_pct "$st" "$(stat_ticks)")"
}
ROUNDS_STEAL0=$(stat_ticks)
for ((r = 1; r <= ROUNDS; r++)); do
  case $(( r % 3 )) in
    1) one_round mock "$MOCK_PORT" "$r"; one_round baseline "$BASE_PORT" "$r"; one_round same "$SAME_PORT" "$r"; one_round cold "$COLD_PORT" "$r" ;;
    2) one_round same "$SAME_PORT" "$r"; one_round cold "$COLD_PORT" "$r"; one_round mock "$MOCK_PORT" "$r"; one_round baseline "$BASE_PORT" "$r" ;;
    0) one_round cold "$COLD_PORT" "$r"; one_round baseline "$BASE_PORT" "$r"; one_round same "$SAME_PORT" "$r"; one_round mock "$MOCK_PORT" "$r" ;;
  esac
done
ROUNDS_STEAL=$(steal_pct "$ROUNDS_STEAL0" "$(stat_ticks)")
kill -0 "$MOCK_PID" 2>/dev/null || die_start "mock (pid $MOCK_PID) died during the load runs"
RSS_AFTER=$(rss_kb "$MOCK_PID")
echo "mock RSS after the 10k-ID runs: $(kb_to_mb "$RSS_AFTER") MB"
MOCK_LOG_BYTES=$(wc -c <"${MOCK_LOG:-$TMP/mock.log}")
if (( COLD )); then
  COLD_RSS=$(rss_kb "$COLD_PID")
  echo "cold mock RSS after its rounds: $(kb_to_mb "$COLD_RSS") MB"
  stop_pid "$COLD_PID"
fi
M_RPS_MAX=$(per_round mock rps | sort -n | tail -1)
if [[ $RATE == auto ]]; then
  RATE=$(per_round mock rps | median | awk '{printf "%d", $1 / 2}')
  echo "open-loop rate: half the mock's median closed-loop rate: $RATE req/s"
fi

# ---- open loop: fixed request rate, latency from the intended send time -------
# wrk (closed loop) saturates both cores, so its p99 is latency at saturation.
# loadtest/rate sends request i at start + i/RATE whether or not earlier ones
# were answered, and charges any wait (busy connections, a stalled server) to
# the request's latency, as wrk2 does.
rate_field() { awk -v k="$2:" '$1 == k {print $2}' "$1"; }
rate_bad() { # errors + non-2xx + unfinished
  local e n u
  e=$(rate_field "$1" errors); n=$(rate_field "$1" non-2xx); u=$(rate_field "$1" unfinished)
  echo $(( ${e:-0} + ${n:-0} + ${u:-0} ))
}
# The generator's own send lag p99 (how late it sent: the machine's latency,
# not the server's); while it is in milliseconds, no server can show a p99
# under it.
send_lag_p99() { sed -n 's/^send lag.* p99 \([0-9.]*\) ms.*/\1/p' "$1"; }
if (( RATE > 0 )); then
  say "open loop: $RATE req/s for ${RATE_DURATION}s (+${RATE_WARMUP}s warm-up), $CONNS connections, 10,000 IDs"
  printf '  %-9s %10s %9s %9s %9s %9s %9s %9s %12s %8s\n' server "req/s" "p50 ms" "p90 ms" "p99 ms" "p99.9 ms" "max ms" "bad resp" "send lag p99" "steal %"
  for name in mock baseline; do
    port=$MOCK_PORT; [[ $name == baseline ]] && port=$BASE_PORT
    f="$TMP/rate-$name.txt"
    st0=$(stat_ticks)
    "$TMP/rate" -url-template "http://$HOST:$port/links/mk_load_%05d/identity" -rate "$RATE" \
      -duration "${RATE_DURATION}s" -warmup "${RATE_WARMUP}s" -conns "$CONNS" -p99 "${P99_MS}ms" >"$f" 2>&1 || true
    steal_pct "$st0" "$(stat_ticks)" >"$f.steal"
    if [[ -z "$(rate_field "$f" p99)" ]]; then
      echo "  $name: open-loop run failed:"; sed 's/^/    /' "$f" | tail -5
      continue
    fi
    printf '  %-9s %10s %9s %9s %9s %9s %9s %9s %12s %8s\n' "$name" "$(rate_field "$f" rate)" "$(rate_field "$f" p50)" \
      "$(rate_field "$f" p90)" "$(rate_field "$f" p99)" "$(rate_field "$f" p99.9)" "$(rate_field "$f" max)" "$(rate_bad "$f")" \
      "$(send_lag_p99 "$f")" "$(cat "$f.steal")"
  done
  echo "  (latency from each request's intended send time; 'bad resp' = errors + non-2xx + unfinished;"
  echo "   send lag: how late the generator sent; steal: CPU time the hypervisor took, whole run)"
fi
stop_pid "$BASE_PID"
stop_pid "$SAME_PID"
stop_pid "$MOCK_PID"

# ---- mock: endless new IDs, RSS sampled -------------------------------------
# Bounded by count (FRESH_REQUESTS, counted from the mock's request log, one
# line per answer) and by time (FRESH_DURATION); wrk is stopped with SIGINT,
# by its PID, when the count is reached.
say "mock: never-repeating link IDs, up to $FRESH_REQUESTS requests or ${FRESH_DURATION}s, RSS every ${SAMPLE_EVERY}s"
FRESH_LOG="$TMP/mock-fresh.log"
start_server mock "$MOCK_PORT" "$FRESH_LOG" \
  "$MOCK" --addr "$HOST:$MOCK_PORT" ${MOCK_ARGS_ARR[@]+"${MOCK_ARGS_ARR[@]}"}
MOCK_PID=$SERVER_PID
sleep 1
wrk -t"$THREADS" -c"$CONNS" -d"${FRESH_DURATION}s" --latency -s "$LT/fresh.lua" \
  "http://$HOST:$MOCK_PORT" -- fresh >"$TMP/wrk-fresh.txt" 2>&1 &
WRK_PID=$!
STARTED_PIDS+=("$WRK_PID")
t0=$(now_ms)
SAMPLES=()
printf '  %6s  %10s  %9s\n' "t(s)" "requests" "RSS(MB)"
fresh_count() { local n; n=$(grep -c 'msg=request\|"msg":"request"' "$FRESH_LOG" 2>/dev/null) || true; echo "${n:-0}"; }
while kill -0 "$WRK_PID" 2>/dev/null; do
  kb=$(rss_kb "$MOCK_PID")
  SAMPLES+=("$kb")
  cnt=$(fresh_count)
  printf '  %6.1f  %10s  %9s\n' "$(awk -v a="$(now_ms)" -v b="$t0" 'BEGIN{print (a-b)/1000}')" "$cnt" "$(kb_to_mb "$kb")"
  if (( cnt >= FRESH_REQUESTS )); then
    kill -INT "$WRK_PID" 2>/dev/null || true
    break
  fi
  sleep "$SAMPLE_EVERY"
done
wait "$WRK_PID" || true
sleep 0.2
kb=$(rss_kb "$MOCK_PID"); SAMPLES+=("$kb")
F_COUNT=$(fresh_count)
printf '  %6s  %10s  %9s\n' "end" "$F_COUNT" "$(kb_to_mb "$kb")"
FRESH_ALIVE=1
kill -0 "$MOCK_PID" 2>/dev/null || FRESH_ALIVE=0
cat "$TMP/wrk-fresh.txt"
(( FRESH_ALIVE )) && stop_pid "$MOCK_PID"

# ---- allocations per warm request through a live net/http server ------------
# BenchmarkLiveIdentity (the mock, 10,000 cached links) and BenchmarkLiveBare
# (a handler writing one body) through the same real server; net/http's own
# allocations are in both, so the mock's are the difference.
if (( BENCH )); then
  say "allocations per warm request (go test -bench through a live server; in-process too)"
  (cd "${BENCH_SRC:-$ROOT}" && go test -run=NONE -bench='^Benchmark(LiveIdentity|LiveBare|Identity|BareHandler)$' -benchtime=20000x -count=3 ./handlers) \
    >"$TMP/bench.txt" 2>&1 || { echo "benchmarks failed:"; tail -5 "$TMP/bench.txt"; }
  grep '^Benchmark' "$TMP/bench.txt" | sed 's/^/  /'
fi
bench_allocs() { awk -v b="^$1-" '$1 ~ b {for (i = 1; i <= NF; i++) if ($i == "allocs/op") print $(i - 1)}' "$TMP/bench.txt" 2>/dev/null | median; }

# ---- summary ----------------------------------------------------------------------
M_RPS=$(per_round mock rps | median); B_RPS=$(per_round baseline rps | median)
M_P50=$(per_round mock p50 | median); M_P99=$(per_round mock p99 | median)
B_P50=$(per_round baseline p50 | median); B_P99=$(per_round baseline p99 | median)
M_BAD=$(per_round mock bad | awk '{s += $1} END {print s + 0}')
B_BAD=$(per_round baseline bad | awk '{s += $1} END {print s + 0}')
S_RPS=$(per_round same rps | median)
S_BAD=$(per_round same bad | awk '{s += $1} END {print s + 0}')
# Ratios: per round (the servers measured back to back, so they share the
# machine's momentary speed), then the median and the spread of those.
ratios() { # ratios NUM DEN: one ratio per round
  local r
  for ((r = 1; r <= ROUNDS; r++)); do
    awk -v m="$(wrk_rps "$TMP/wrk-$1-$r.txt" 2>/dev/null)" -v b="$(wrk_rps "$TMP/wrk-$2-$r.txt" 2>/dev/null)" \
      'BEGIN { if (b > 0) printf "%.3f\n", m / b; else print 0 }'
  done
}
RATIOS_SAME=$(ratios mock same | tr '\n' ' '); RATIO_SAME=$(printf '%s\n' $RATIOS_SAME | median)
RATIOS=$(ratios mock baseline | tr '\n' ' '); RATIO=$(printf '%s\n' $RATIOS | median)
if (( COLD )); then
  C_RPS=$(per_round cold rps | median)
  C_BAD=$(per_round cold bad | awk '{s += $1} END {print s + 0}')
  RATIOS_COLD=$(ratios cold same | tr '\n' ' '); RATIO_COLD=$(printf '%s\n' $RATIOS_COLD | median)
fi
F_REQ=$(wrk_total "$TMP/wrk-fresh.txt"); F_BAD=$(( $(wrk_non2xx "$TMP/wrk-fresh.txt") + $(wrk_sockerr "$TMP/wrk-fresh.txt") ))

verdict() { if [[ $1 == 1 ]]; then echo PASS; else echo FAIL; fi; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print ((a != "" && a + 0 >= b + 0) ? 1 : 0) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { print ((a != "" && a + 0 <= b + 0) ? 1 : 0) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { print ((a + 0 < b + 0 && a != "") ? 1 : 0) }'; }
kb_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

n=${#SAMPLES[@]}
MAX_KB=$(printf '%s\n' "${SAMPLES[@]}" | sort -n | tail -1)
LAST_KB=${SAMPLES[$(( n - 1 ))]}

say "SUMMARY (loopback only; $(nproc) cores shared by wrk and the servers; medians of $ROUNDS interleaved rounds; vCPU steal during them ${ROUNDS_STEAL}%)"
printf '%-9s %12s %19s %10s %10s %9s\n' server "req/s" "(min-max)" "p50 ms" "p99 ms" "bad resp"
row() { # row NAME
  printf '%-9s %12s %19s %10s %10s %9s\n' "$1" "$(per_round "$1" rps | median)" "($(spread $(per_round "$1" rps)))" \
    "$(per_round "$1" p50 | median)" "$(per_round "$1" p99 | median)" "$(per_round "$1" bad | awk '{s += $1} END {print s + 0}')"
}
row mock; row same; row baseline
(( COLD )) && row cold
echo "same: the mock's own bytes for each link; baseline: one $BODY_BYTES-byte body; cold: a second mock, every ID new"
echo "('bad resp' = non-2xx/3xx responses + socket errors; any makes that server's figures invalid)"
echo
VALID=$(( M_BAD == 0 ? 1 : 0 ))
printf '%-50s %-34s %-8s %s\n' "measure" "measured: median (spread)" "target" "result"
line() { printf '%-50s %-34s %-8s %s\n' "$@"; }
line "warm, 10k IDs, x the same-bytes baseline" "$RATIO_SAME ($(spread $RATIOS_SAME))" ">= 0.90" \
  "$(verdict $(( $(ge "$RATIO_SAME" 0.90) && VALID && S_BAD == 0 )))"
line "warm, x a bare server writing one $BODY_BYTES B body" "$RATIO ($(spread $RATIOS))" ">= 0.75" \
  "$(verdict $(( $(ge "$RATIO" 0.75) && VALID && B_BAD == 0 )))"
if (( COLD )); then
  line "cold, every ID new, x the same-bytes baseline" "$RATIO_COLD ($(spread $RATIOS_COLD))" ">= 0.50" \
    "$(verdict $(( $(ge "$RATIO_COLD" 0.50) && C_BAD == 0 )))"
else
  line "cold, every ID new, x the same-bytes baseline" "skipped (COLD=0)" ">= 0.50" "-"
fi
if (( BENCH )) && [[ -n "$(bench_allocs BenchmarkLiveIdentity)" ]]; then
  A_LIVE=$(bench_allocs BenchmarkLiveIdentity); A_BARE=$(bench_allocs BenchmarkLiveBare)
  A_MOCK=$(( A_LIVE - A_BARE )); A_IN=$(bench_allocs BenchmarkIdentity)
  line "allocations per warm request, live (mock - bare)" "$A_MOCK ($A_LIVE - net/http's $A_BARE; in-process $A_IN)" "<= 10" \
    "$(verdict "$(le "$A_MOCK" 10)")"
else
  line "allocations per warm request, live (mock - bare)" "not measured (BENCH=0 or failed)" "<= 10" "-"
fi
line "RSS idle" "$(kb_mib "$RSS_IDLE") MiB" "<= 15" "$(verdict "$(le "$RSS_IDLE" 15360)")"
line "RSS after the 10k-ID rounds" "$(kb_mib "$RSS_AFTER") MiB" "<= 40" "$(verdict "$(le "$RSS_AFTER" 40960)")"
if (( FRESH_ALIVE )); then
  line "RSS under $F_COUNT new IDs (peak; last)" "$(kb_mib "$MAX_KB"); $(kb_mib "$LAST_KB") MiB" "<= 64" \
    "$(verdict $(( $(le "$MAX_KB" 65536) && F_COUNT >= FRESH_REQUESTS )))"
  (( F_COUNT < FRESH_REQUESTS )) && echo "  (the run ended at ${FRESH_DURATION}s before $FRESH_REQUESTS requests: FAIL until it reaches them)"
else
  line "RSS under new IDs" "mock died" "<= 64" FAIL
fi
if (( RATE > 0 )) && [[ -n "$(rate_field "$TMP/rate-mock.txt" p99 2>/dev/null)" ]]; then
  R_M_P99=$(rate_field "$TMP/rate-mock.txt" p99); R_B_P99=$(rate_field "$TMP/rate-baseline.txt" p99 2>/dev/null || true)
  R_VALID=$(( $(rate_bad "$TMP/rate-mock.txt") == 0 ? 1 : 0 ))
  line "p99 open loop at $RATE/s (half the max), $CONNS conns" "$R_M_P99 ms (bare ${R_B_P99:-?})" "<= $P99_MS ms" \
    "$(verdict $(( $(le "$R_M_P99" "$P99_MS") && R_VALID )))"
  echo "  (the machine's own tail then: generator send lag p99 $(send_lag_p99 "$TMP/rate-mock.txt") ms, steal $(cat "$TMP/rate-mock.txt.steal")%;" \
    "bare: $(send_lag_p99 "$TMP/rate-baseline.txt" 2>/dev/null) ms, $(cat "$TMP/rate-baseline.txt.steal" 2>/dev/null)%)"
else
  line "p99 open loop at half the max rate" "not measured" "<= $P99_MS ms" FAIL
fi
line "(info) p99 wrk closed loop, saturated" "$M_P99 ms (bare $B_P99)" "-" "-"
if (( STARTUP_OK )) && [[ -n "$SU_MED" ]]; then
  line "start to first 200 (median of $STARTUP_RUNS)" "$SU_MED ms (max $SU_MAX, bare $SU_BMED)" "<= 15 ms" "$(verdict "$(le "$SU_MED" 15)")"
else
  line "start to first 200" "measurement failed" "<= 15 ms" FAIL
fi
echo
echo "fresh-ID run: $F_COUNT requests answered (wrk: ${F_REQ:-0}, bad resp $F_BAD); RSS curve above"
echo "mock log output during the 10k-ID runs: $MOCK_LOG_BYTES bytes"
echo "before the run: load average $LOADAVG_START, CPU idle ${IDLE_START}% (other work on this machine skews every figure)"
if (( IDLE_START < 90 )); then echo "WARNING: the machine was busy when this run started; repeat on a quiet machine, and compare ratios, not absolutes"; fi
exit 0
