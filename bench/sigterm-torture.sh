#!/usr/bin/env bash
# SIGTERM torture: starts the real jar again and again under allocation pressure and sends it
# SIGTERM at a random moment, during startup or while it serves a request flood.
#
#   bench/sigterm-torture.sh                       # 200 runs with `java`
#   RUNS=300 JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/sigterm-torture.sh
#
# Pressure: a tiny heap with the serial collector (-Xmx16m), and two curl keep-alive loops that
# hammer /status and /metrics (JSON and text built per request) so the JVM allocates and collects
# when the signal lands. Per run it records: when the signal came (startup / serving), the exit
# code, SIGTERM -> exit time, a crash (hs_err file, or exit 134/139) and a hang (no exit within
# 10 s; a jstack is kept). A SIGTERM before the trap is installed makes the JVM exit 143 by its
# own default handling: counted apart, not a failure. Exits non-zero on any crash, hang, or an
# exit code other than 0 or 143. Loopback only; every process it starts is killed.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-200}
JAVA=${JAVA:-java}
JAR=${JAR:-target/gracekeeper.jar}
JVM_FLAGS=${JVM_FLAGS:--Xmx16m -XX:+UseSerialGC}
BASE_PORT=${BASE_PORT:-21000}
[ -f "$JAR" ] || { echo "missing $JAR: mvn -B -q -DskipTests package" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

flood() {  # $1 port, $2 deadline ms: keep-alive requests until the server goes or time is up
  local urls="$work/urls-$1"
  [ -f "$urls" ] || for _ in $(seq 200); do
    echo "url = \"http://127.0.0.1:$1/status\""; echo "output = /dev/null"
    echo "url = \"http://127.0.0.1:$1/metrics\""; echo "output = /dev/null"
  done > "$urls"
  while [ "$(now_ms)" -lt "$2" ]; do curl -s --max-time 2 -K "$urls" 2>/dev/null || return 0; done
}

echo "java: $("$JAVA" -version 2>&1 | head -1); flags: $JVM_FLAGS; runs: $RUNS"
: > "$work/results"
for run in $(seq "$RUNS"); do
  port=$(( BASE_PORT + run % 500 ))
  dir="$work/run-$run"; mkdir -p "$dir/state"
  # shellcheck disable=SC2086
  GRACEKEEPER_PORT=$port GRACEKEEPER_BIND_ADDRESS=127.0.0.1 GRACEKEEPER_STATE_DIR=$dir/state \
    GRACEKEEPER_DRAIN_DELAY=0s "$JAVA" $JVM_FLAGS -XX:ErrorFile="$dir/hs_err_%p.log" -jar "$JAR" \
    > "$dir/log" 2>&1 &
  pid=$!; pids=("$pid")
  if [ $(( RANDOM % 4 )) -eq 0 ]; then
    moment=startup; delay=$(( RANDOM % 400 ))
    sleep "$(printf '0.%03d' "$delay")"
  else
    moment=serving
    t0=$(now_ms)
    until curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; do
      [ $(( $(now_ms) - t0 )) -lt 20000 ] || break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.01
    done
    end=$(( $(now_ms) + 3000 ))
    flood "$port" "$end" & f1=$!; flood "$port" "$end" & f2=$!; pids+=("$f1" "$f2")
    delay=$(( RANDOM % 300 ))
    sleep "$(printf '0.%03d' "$delay")"
  fi
  sent=$(now_ms)
  kill -TERM "$pid" 2>/dev/null || true
  hang=no
  while kill -0 "$pid" 2>/dev/null; do
    if [ $(( $(now_ms) - sent )) -gt 10000 ]; then
      hang=yes; jstack "$pid" > "$dir/jstack.txt" 2>&1 || true; kill -KILL "$pid"; break
    fi
    sleep 0.005
  done
  code=0; wait "$pid" || code=$?
  took=$(( $(now_ms) - sent ))
  for p in "${pids[@]:1}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  crash=no; ls "$dir"/hs_err_*.log >/dev/null 2>&1 && crash=yes
  [ "$code" = 134 ] || [ "$code" = 139 ] && crash=yes
  echo "$run $moment $delay $code $took $crash $hang" >> "$work/results"
  if [ "$crash" = no ] && [ "$hang" = no ] && { [ "$code" = 0 ] || [ "$code" = 143 ]; }; then
    rm -rf "$dir"
  else
    echo "run $run: $moment +${delay}ms exit=$code crash=$crash hang=$hang; kept $dir" >&2
    cp -r "$dir" "bench/torture-failure-$run" 2>/dev/null || true
  fi
  [ $(( run % 50 )) -eq 0 ] && echo "... $run runs"
done

awk '
  { n++; code[$4]++; if ($2 == "startup") su++; else sv++
    if ($6 == "yes") crash++
    if ($7 == "yes") hang++ }
  END {
    printf "runs %d (signal during startup %d, while serving under load %d)\n", n, su, sv
    printf "exit codes:"; for (c in code) printf " %s x%d", c, code[c]; printf "\n"
    printf "signal before the trap was installed (JVM default, exit 143): %d\n", code[143] + 0
    printf "crashes: %d   hangs: %d\n", crash, hang
  }' "$work/results"
awk '$4 == 0 { print $5 }' "$work/results" | sort -n > "$work/times"
m=$(wc -l < "$work/times")
if [ "$m" -gt 0 ]; then
  p() { sed -n "$(( ($1 * m + 99) / 100 ))p" "$work/times"; }
  echo "SIGTERM -> exit (exit-0 runs, ms): p50 $(p 50)  p99 $(p 99)  max $(tail -1 "$work/times")"
fi
bad=$(awk '$6 == "yes" || $7 == "yes" || ($4 != 0 && $4 != 143)' "$work/results" | wc -l)
echo "failures: $bad"
[ "$bad" -eq 0 ]
