#!/usr/bin/env bash
# Startup time (exec -> first 200 on /healthz) and resident memory of the real jar.
#
#   bench/startup-rss.sh                 # 10 runs with the default `java`
#   RUNS=20 JAVA=/path/to/java JVM_FLAGS="-XX:+UseSerialGC -Xmx32m" bench/startup-rss.sh
#   CMD=target/runtime/bin/gracekeeper bench/startup-rss.sh   # a launcher instead of java -jar (docker/)
#
# Prints one line per run and a summary: min / median / max of startup ms, RSS after startup,
# and RSS after $CALLS keep-alive /readyz calls (curl reuses one connection for a URL list).
# Needs a JDK, curl and target/gracekeeper.jar. Loopback only; every process it starts is killed.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
JAVA=${JAVA:-java}
JVM_FLAGS=${JVM_FLAGS:-}
CALLS=${CALLS:-1000}
JAR=${JAR:-target/gracekeeper.jar}
CMD=${CMD:-}
PORT=${PORT:-18787}
# Split on spaces, never globbed: an image flag holds a '*'.
read -r -a jvm_flags <<< "$JVM_FLAGS"
# shellcheck disable=SC2206
if [ -n "$CMD" ]; then cmd=($CMD); else cmd=("$JAVA" "${jvm_flags[@]}" -jar "$JAR"); fi
[ -n "$CMD" ] || [ -f "$JAR" ] || { echo "missing $JAR: mvn -B -q -DskipTests package" >&2; exit 1; }

pid=
state=$(mktemp -d)
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$state"' EXIT

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
stats() { sort -n | awk '{a[NR]=$1} END {printf "min %s  median %s  max %s", a[1], a[int((NR+1)/2)], a[NR]}'; }

urls=$(mktemp)
for _ in $(seq "$CALLS"); do echo "url = \"http://127.0.0.1:$PORT/readyz\""; echo "output = /dev/null"; done > "$urls"

: > "$state/startup" ; : > "$state/rss0" ; : > "$state/rss1"
if [ -n "$CMD" ]; then echo "command: $CMD"; else echo "java: $("$JAVA" -version 2>&1 | head -1)   flags: ${JVM_FLAGS:-(none)}"; fi
for run in $(seq "$RUNS"); do
  rm -f "$state/gracekeeper.marker"
  t0=$(date +%s%N)
  GRACEKEEPER_PORT=$PORT GRACEKEEPER_BIND_ADDRESS=127.0.0.1 GRACEKEEPER_STATE_DIR=$state \
    "${cmd[@]}" > "$state/log" 2>&1 &
  pid=$!
  deadline=$(( t0 + 20000000000 ))
  until curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; do
    [ "$(date +%s%N)" -lt "$deadline" ] || { cat "$state/log"; echo "no /healthz within 20s" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  r0=$(rss_kib $pid)
  curl -s -K "$urls" 
  r1=$(rss_kib $pid)
  kill -TERM $pid; wait $pid || true; pid=
  echo "run $run: startup ${ms} ms, RSS after startup $((r0 / 1024)) MiB, after $CALLS /readyz $((r1 / 1024)) MiB"
  echo $ms >> "$state/startup"; echo $((r0 / 1024)) >> "$state/rss0"; echo $((r1 / 1024)) >> "$state/rss1"
done
rm -f "$urls"
echo "startup ms:                 $(stats < "$state/startup")"
echo "RSS MiB after startup:      $(stats < "$state/rss0")"
echo "RSS MiB after $CALLS /readyz: $(stats < "$state/rss1")"
