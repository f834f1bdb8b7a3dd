#!/usr/bin/env bash
# Load run for moneykit-mock: throughput and latency against a bare net/http
# baseline (closed loop with wrk, then open loop at a fixed rate with
# loadtest/rate), start-to-first-200, idle RSS, and memory under an endless
# stream of new link IDs. All traffic goes to 127.0.0.1 only. A measurement
# tool, not a gate: exits 0 unless a build fails or a server fails to start.
#
# Usage: bash loadtest/run.sh            (from anywhere; see loadtest/README.md)
set -euo pipefail

# ---- settings (env overrides) ------------------------------------------------
DURATION=${DURATION:-10}              # seconds for each measured 10k-ID run
ROUNDS=${ROUNDS:-3}                   # interleaved mock/baseline rounds (median is reported)
WARMUP=${WARMUP:-3}                   # seconds of warm-up before each measured run
FRESH_DURATION=${FRESH_DURATION:-20}  # seconds of the never-repeating-ID run
SAMPLE_EVERY=${SAMPLE_EVERY:-2}       # seconds between RSS samples in that run
THREADS=${THREADS:-2}
CONNS=${CONNS:-50}
STARTUP_RUNS=${STARTUP_RUNS:-10}
MOCK_PORT=${MOCK_PORT:-18080}
BASE_PORT=${BASE_PORT:-18081}
SAME_PORT=${SAME_PORT:-18083}         # the baseline writing the mock's own bytes per link
STARTUP_PORT=${STARTUP_PORT:-18082}
READY_PATH=${READY_PATH:-/links/mk_demo/identity}
READY_TIMEOUT_MS=${READY_TIMEOUT_MS:-10000}
MOCK_BIN=${MOCK_BIN:-}                 # prebuilt server to test instead of `go build .`
SELF_TEST=${SELF_TEST:-0}             # 1: test the baseline against itself (noise floor; no mock needed)
MOCK_ARGS=${MOCK_ARGS-"--log-format text"}  # extra flags after `--addr 127.0.0.1:PORT`
MOCK_LOG=${MOCK_LOG:-}                 # where the mock's output goes during load (default: a temp file)
KEEP_TMP=${KEEP_TMP:-0}
RATE=${RATE:-5000}                    # open-loop requests/s per server (0: skip that step)
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

# run_wrk PORT SCRIPT SECONDS OUTFILE
run_wrk() {
  wrk -t"$THREADS" -c"$CONNS" -d"${3}s" --latency -s "$2" "http://$HOST:$1" >"$4" 2>&1
}

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
echo "machine: $(nproc) cores; wrk -t$THREADS -c$CONNS; $ROUNDS x ${DURATION}s per server, warm-up ${WARMUP}s, fresh-ID ${FRESH_DURATION}s; open loop ${RATE}/s x ${RATE_DURATION}s per server"

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

# The baseline's body: fetch 21 identity bodies, use the one of median size.
mkdir -p "$TMP/bodies"
sizes=()
for k in $(seq 0 20); do
  id=$(printf 'mk_load_%05d' "$k")
  code=$(http_status "$MOCK_PORT" "/links/$id/identity" "$TMP/bodies/$k.json")
  if [[ $code == 200 ]]; then
    sizes+=("$(wc -c <"$TMP/bodies/$k.json") $k")
  else
    echo "warning: GET /links/$id/identity -> $code"
  fi
done
if (( ${#sizes[@]} > 0 )); then
  pick=$(printf '%s\n' "${sizes[@]}" | sort -n | awk -v n="${#sizes[@]}" 'NR == int((n + 1) / 2) {print $2}')
  cp "$TMP/bodies/$pick.json" "$TMP/body.json"
  echo "identity body sizes (bytes): $(printf '%s\n' "${sizes[@]}" | sort -n | awk '{printf "%s ", $1}')"
else
  echo "warning: no mk_load_* identity answered 200; using the $READY_PATH body"
  http_status "$MOCK_PORT" "$READY_PATH" "$TMP/body.json" >/dev/null
fi
BODY_BYTES=$(wc -c <"$TMP/body.json")
echo "baseline body: $BODY_BYTES bytes"

start_server baseline "$BASE_PORT" "$TMP/baseline.log" \
  "$TMP/baseline" -addr "$HOST:$BASE_PORT" -body "$TMP/body.json"
BASE_PID=$SERVER_PID
# The same baseline writing, for each link, the very bytes the mock sends for
# it: this isolates the mock's own cost from the sizes of its bodies (net/http
# writes a response in one syscall only while it fits its 4 KiB buffer, and a
# quarter of identity bodies do not; the median body above always does).
start_server same "$SAME_PORT" "$TMP/same.log" \
  "$TMP/baseline" -addr "$HOST:$SAME_PORT" -bodies "$TMP/bodies.txt"
SAME_PID=$SERVER_PID

echo "warm-up ${WARMUP}s each ..."
run_wrk "$MOCK_PORT" "$LT/ids.lua" "$WARMUP" "$TMP/wrk-mock-warm.txt"
run_wrk "$BASE_PORT" "$LT/ids.lua" "$WARMUP" "$TMP/wrk-base-warm.txt"
run_wrk "$SAME_PORT" "$LT/ids.lua" "$WARMUP" "$TMP/wrk-same-warm.txt"

printf '  %-5s %-9s %12s %10s %10s %9s\n' round server "req/s" "p50 ms" "p99 ms" "bad resp"
one_round() { # one_round NAME PORT ROUND
  local f="$TMP/wrk-$1-$3.txt"
  run_wrk "$2" "$LT/ids.lua" "$DURATION" "$f"
  printf '  %-5s %-9s %12s %10s %10s %9s\n' "$3" "$1" "$(wrk_rps "$f")" \
    "$(to_ms "$(wrk_pct "$f" 50%)")" "$(to_ms "$(wrk_pct "$f" 99%)")" "$(wrk_bad "$f")"
}
for ((r = 1; r <= ROUNDS; r++)); do
  case $(( r % 3 )) in
    1) one_round mock "$MOCK_PORT" "$r"; one_round baseline "$BASE_PORT" "$r"; one_round same "$SAME_PORT" "$r" ;;
    2) one_round same "$SAME_PORT" "$r"; one_round mock "$MOCK_PORT" "$r"; one_round baseline "$BASE_PORT" "$r" ;;
    0) one_round baseline "$BASE_PORT" "$r"; one_round same "$SAME_PORT" "$r"; one_round mock "$MOCK_PORT" "$r" ;;
  esac
done
kill -0 "$MOCK_PID" 2>/dev/null || die_start "mock (pid $MOCK_PID) died during the load runs"
RSS_AFTER=$(rss_kb "$MOCK_PID")
echo "mock RSS after the 10k-ID runs: $(kb_to_mb "$RSS_AFTER") MB"
MOCK_LOG_BYTES=$(wc -c <"${MOCK_LOG:-$TMP/mock.log}")

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
if (( RATE > 0 )); then
  say "open loop: $RATE req/s for ${RATE_DURATION}s (+${RATE_WARMUP}s warm-up), $CONNS connections, 10,000 IDs"
  printf '  %-9s %10s %9s %9s %9s %9s %9s %9s\n' server "req/s" "p50 ms" "p90 ms" "p99 ms" "p99.9 ms" "max ms" "bad resp"
  for name in mock baseline; do
    port=$MOCK_PORT; [[ $name == baseline ]] && port=$BASE_PORT
    f="$TMP/rate-$name.txt"
    "$TMP/rate" -url-template "http://$HOST:$port/links/mk_load_%05d/identity" -rate "$RATE" \
      -duration "${RATE_DURATION}s" -warmup "${RATE_WARMUP}s" -conns "$CONNS" -p99 "${P99_MS}ms" >"$f" 2>&1 || true
    if [[ -z "$(rate_field "$f" p99)" ]]; then
      echo "  $name: open-loop run failed:"; sed 's/^/    /' "$f" | tail -5
      continue
    fi
    printf '  %-9s %10s %9s %9s %9s %9s %9s %9s\n' "$name" "$(rate_field "$f" rate)" "$(rate_field "$f" p50)" \
      "$(rate_field "$f" p90)" "$(rate_field "$f" p99)" "$(rate_field "$f" p99.9)" "$(rate_field "$f" max)" "$(rate_bad "$f")"
  done
  echo "  (latency from each request's intended send time; 'bad resp' = errors + non-2xx + unfinished)"
fi
stop_pid "$BASE_PID"
stop_pid "$SAME_PID"
stop_pid "$MOCK_PID"

# ---- mock: endless new IDs, RSS sampled --------------------------------------
say "mock: never-repeating link IDs for ${FRESH_DURATION}s, RSS every ${SAMPLE_EVERY}s"
start_server mock "$MOCK_PORT" "${MOCK_LOG:-$TMP/mock-fresh.log}" \
  "$MOCK" --addr "$HOST:$MOCK_PORT" ${MOCK_ARGS_ARR[@]+"${MOCK_ARGS_ARR[@]}"}
MOCK_PID=$SERVER_PID
sleep 1
wrk -t"$THREADS" -c"$CONNS" -d"${FRESH_DURATION}s" --latency -s "$LT/fresh.lua" \
  "http://$HOST:$MOCK_PORT" >"$TMP/wrk-fresh.txt" 2>&1 &
WRK_PID=$!
STARTED_PIDS+=("$WRK_PID")
t0=$(now_ms)
SAMPLES=()
printf '  %6s  %9s\n' "t(s)" "RSS(MB)"
while kill -0 "$WRK_PID" 2>/dev/null; do
  kb=$(rss_kb "$MOCK_PID")
  SAMPLES+=("$kb")
  printf '  %6.1f  %9s\n' "$(awk -v a="$(now_ms)" -v b="$t0" 'BEGIN{print (a-b)/1000}')" "$(kb_to_mb "$kb")"
  sleep "$SAMPLE_EVERY"
done
wait "$WRK_PID" || true
kb=$(rss_kb "$MOCK_PID"); SAMPLES+=("$kb")
printf '  %6s  %9s\n' "end" "$(kb_to_mb "$kb")"
FRESH_ALIVE=1
kill -0 "$MOCK_PID" 2>/dev/null || FRESH_ALIVE=0
cat "$TMP/wrk-fresh.txt"
(( FRESH_ALIVE )) && stop_pid "$MOCK_PID"

# ---- summary ----------------------------------------------------------------------
M_RPS=$(per_round mock rps | median); B_RPS=$(per_round baseline rps | median)
M_P50=$(per_round mock p50 | median); M_P99=$(per_round mock p99 | median)
B_P50=$(per_round baseline p50 | median); B_P99=$(per_round baseline p99 | median)
M_BAD=$(per_round mock bad | awk '{s += $1} END {print s + 0}')
B_BAD=$(per_round baseline bad | awk '{s += $1} END {print s + 0}')
# Ratio: per round (mock and baseline measured back to back, so they share the
# machine's momentary speed), then the median of those.
RATIOS=$(for ((r = 1; r <= ROUNDS; r++)); do
  awk -v m="$(wrk_rps "$TMP/wrk-mock-$r.txt")" -v b="$(wrk_rps "$TMP/wrk-baseline-$r.txt")" \
    'BEGIN { if (b > 0) printf "%.3f ", m / b; else printf "0 " }'
done)
RATIO=$(printf '%s\n' $RATIOS | median)
S_RPS=$(per_round same rps | median)
S_BAD=$(per_round same bad | awk '{s += $1} END {print s + 0}')
RATIOS_SAME=$(for ((r = 1; r <= ROUNDS; r++)); do
  awk -v m="$(wrk_rps "$TMP/wrk-mock-$r.txt")" -v b="$(wrk_rps "$TMP/wrk-same-$r.txt")" \
    'BEGIN { if (b > 0) printf "%.3f ", m / b; else printf "0 " }'
done)
RATIO_SAME=$(printf '%s\n' $RATIOS_SAME | median)
F_REQ=$(wrk_total "$TMP/wrk-fresh.txt"); F_BAD=$(( $(wrk_non2xx "$TMP/wrk-fresh.txt") + $(wrk_sockerr "$TMP/wrk-fresh.txt") ))

verdict() { if [[ $1 == 1 ]]; then echo PASS; else echo FAIL; fi; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print ((a >= b) ? 1 : 0) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { print ((a + 0 < b + 0 && a != "") ? 1 : 0) }'; }

# Memory: compare the last sample with the one at the midpoint of the run.
n=${#SAMPLES[@]}
MID_KB=${SAMPLES[$(( n / 2 ))]}; LAST_KB=${SAMPLES[$(( n - 1 ))]}
MAX_KB=$(printf '%s\n' "${SAMPLES[@]}" | sort -n | tail -1)
GROWTH=$(awk -v a="$LAST_KB" -v b="$MID_KB" 'BEGIN { if (b > 0) printf "%.1f", (a - b) * 100 / b; else print "0" }')
# bounded: second half grew by at most 10% or 5 MB
BOUNDED=$(awk -v a="$LAST_KB" -v b="$MID_KB" 'BEGIN { print ((a - b <= 5120 || a <= b * 1.10) ? 1 : 0) }')

say "SUMMARY (loopback only; $(nproc) cores shared by wrk and the server; medians of $ROUNDS rounds)"
printf '%-9s %12s %10s %10s %10s\n' server "req/s" "p50 ms" "p99 ms" "bad resp"
printf '%-9s %12s %10s %10s %10s\n' mock "$M_RPS" "$M_P50" "$M_P99" "$M_BAD"
printf '%-9s %12s %10s %10s %10s\n' baseline "$B_RPS" "$B_P50" "$B_P99" "$B_BAD"
printf '%-9s %12s %10s %10s %10s\n' same "$S_RPS" "$(per_round same p50 | median)" "$(per_round same p99 | median)" "$S_BAD"
echo "ratio mock/same: $RATIO_SAME (per round: $RATIOS_SAME): the baseline writing the mock's own bytes for each link"
echo "ratio mock/baseline: $RATIO (per round: $RATIOS): the baseline writing one median body of $BODY_BYTES bytes"
echo "10,000 IDs, -t$THREADS -c$CONNS, ${DURATION}s/round"
echo "('bad resp' = non-2xx/3xx responses + socket errors; any makes the throughput figures invalid)"
echo
VALID=$(( M_BAD == 0 ? 1 : 0 ))
printf '%-44s %-24s %s\n' "target" "measured" "result"
printf '%-44s %-24s %s\n' "throughput >= 0.80 x baseline, same bytes" "$RATIO_SAME" \
  "$(verdict $(( $(ge "$RATIO_SAME" 0.80) && VALID )))"
printf '%-44s %-24s %s\n' "throughput >= 0.80 x baseline, median body" "$RATIO" \
  "$(verdict $(( $(ge "$RATIO" 0.80) && VALID )))"
if (( RATE > 0 )) && [[ -n "$(rate_field "$TMP/rate-mock.txt" p99 2>/dev/null)" ]]; then
  R_M_P99=$(rate_field "$TMP/rate-mock.txt" p99); R_B_P99=$(rate_field "$TMP/rate-baseline.txt" p99 2>/dev/null || true)
  R_VALID=$(( $(rate_bad "$TMP/rate-mock.txt") == 0 ? 1 : 0 ))
  printf '%-44s %-24s %s\n' "mock p99 < $P99_MS ms, $CONNS conns, open loop $RATE/s" "$R_M_P99 ms (base ${R_B_P99:-?})" \
    "$(verdict $(( $(lt "$R_M_P99" "$P99_MS") && R_VALID )))"
  printf '%-44s %-24s %s\n' "mock p99, wrk closed loop (info)" "$M_P99 ms (base $B_P99)" "-"
else
  printf '%-44s %-24s %s\n' "mock p99 < $P99_MS ms at $CONNS connections (wrk)" "$M_P99 ms (base $B_P99)" \
    "$(verdict $(( $(lt "$M_P99" "$P99_MS") && VALID )))"
  if (( RATE > 0 )); then echo "(open-loop run failed; the p99 verdict above is wrk's closed-loop figure)"; fi
fi
if (( STARTUP_OK )) && [[ -n "$SU_MED" ]]; then
  printf '%-44s %-24s %s\n' "start to first 200 < 50 ms (median of $STARTUP_RUNS)" \
    "$SU_MED ms (max $SU_MAX, base $SU_BMED)" "$(verdict "$(lt "$SU_MED" 50)")"
else
  printf '%-44s %-24s %s\n' "start to first 200 < 50 ms" "measurement failed" FAIL
fi
printf '%-44s %-24s %s\n' "idle RSS < 30 MB" "$(kb_to_mb "$RSS_IDLE") MB" "$(verdict "$(lt "$RSS_IDLE" 30720)")"
printf '%-44s %-24s %s\n' "RSS after 10k-ID run (info)" "$(kb_to_mb "$RSS_AFTER") MB" "-"
if (( FRESH_ALIVE )); then
  printf '%-44s %-24s %s\n' "RSS bounded under new IDs (2nd half <=10%/5MB)" \
    "$(kb_to_mb "$MID_KB")->$(kb_to_mb "$LAST_KB") MB (${GROWTH}%)" "$(verdict "$BOUNDED")"
else
  printf '%-44s %-24s %s\n' "RSS bounded under new IDs" "mock died" FAIL
fi
echo "fresh-ID run: ${F_REQ:-0} requests (each a new link ID), bad resp $F_BAD, peak RSS $(kb_to_mb "$MAX_KB") MB"
echo "mock log output during the 10k-ID runs: $MOCK_LOG_BYTES bytes"
echo "before the run: load average $LOADAVG_START, CPU idle ${IDLE_START}% (other work on this machine skews every figure)"
if (( IDLE_START < 90 )); then echo "WARNING: the machine was busy when this run started; repeat on a quiet machine"; fi
exit 0
