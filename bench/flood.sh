#!/usr/bin/env bash
# A connection flood against the real jar, as any pod on the network could send it: CLIENTS processes
# (dev.gracekeeper.it.FloodClient, one source address each) open CONNECTIONS connections in all to the
# hook port and, once all are open, hold them for SECONDS_, while /healthz is called on a fresh
# connection every 200 ms. The clients run at nice $NICE (19): on a small machine they would otherwise
# take the sidecar's CPU, which an attacker on another node cannot.
#
#   bench/flood.sh                       # 22000 idle connections from 3 processes for 10 s
#   MODE=slowloris bench/flood.sh        # each connection trickles header lines and never ends its request
#   REOPEN=1 bench/flood.sh              # each connection the sidecar closes is opened again at once
#   JAR=/tmp/old.jar bench/flood.sh      # another build, for a before -> after
#   JVM_FLAGS="-XX:+UseSerialGC -Xmx32m" bench/flood.sh   # the image's heap, for its RSS
#   CMD=target/runtime/bin/gracekeeper bench/flood.sh     # the image's runtime (docker/build-runtime.sh)
#   VERBOSE=1 KEEP_LOG=/tmp/sidecar.log bench/flood.sh    # every probe; keep the sidecar's log
#
# Prints the slowest /healthz during the flood, the first one after it, peak RSS and descriptors of the
# sidecar, and its log lines about the flood. Needs a JDK, curl, target/gracekeeper.jar and the compiled
# test classes (mvn -B -q -DskipTests package). Loopback only (127.0.0.1 and 127.0.0.2-...); every
# process it starts is killed.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA:-java}
JAR=${JAR:-target/gracekeeper.jar}
JVM_FLAGS=${JVM_FLAGS:-}
CMD=${CMD:-}
# Split on spaces, never globbed: an image flag holds a '*'.
read -r -a jvm_flags <<< "$JVM_FLAGS"
# shellcheck disable=SC2206
if [ -n "$CMD" ]; then cmd=($CMD); else cmd=("$JAVA" "${jvm_flags[@]}" -jar "$JAR"); fi
CONNECTIONS=${CONNECTIONS:-22000}
CLIENTS=${CLIENTS:-3}
SECONDS_=${SECONDS_:-10}
MODE=${MODE:-idle}
PORT=${PORT:-18788}
[ -n "$CMD" ] || [ -f "$JAR" ] || { echo "missing $JAR: mvn -B -q -DskipTests package" >&2; exit 1; }
[ -f target/test-classes/dev/gracekeeper/it/FloodClient.class ] || { echo "missing test classes: mvn -B -q -DskipTests package" >&2; exit 1; }

state=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; [ -n "${KEEP_LOG:-}" ] && cp "$state/log" "$KEEP_LOG"; rm -rf "$state"' EXIT

GRACEKEEPER_PORT=$PORT GRACEKEEPER_BIND_ADDRESS=127.0.0.1 GRACEKEEPER_STATE_DIR=$state \
  "${cmd[@]}" > "$state/log" 2>&1 &
sidecar=$!
pids+=("$sidecar")
for _ in $(seq 400); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.05; done

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
fds() { ls "/proc/$1/fd" | wc -l; }
# One /healthz on a new connection: "seconds http_code" (000 when it failed or took over 10 s).
probe() { curl -s -o /dev/null --max-time 10 -w "%{time_total} %{http_code} %{time_connect} $(date +%s.%N | cut -c7-13)\n" "http://127.0.0.1:$PORT/healthz" || true; }

echo "sidecar: ${cmd[*]}   mode: $MODE${REOPEN:+, reopened}   $CONNECTIONS connections from $CLIENTS processes for ${SECONDS_} s"
echo "idle: rss $(rss_kib $sidecar) KiB, $(fds $sidecar) descriptors, /healthz $(probe)"
per=$(( (CONNECTIONS + CLIENTS - 1) / CLIENTS ))
for i in $(seq "$CLIENTS"); do
  nice -n "${NICE:-19}" "$JAVA" -cp target/test-classes dev.gracekeeper.it.FloodClient 127.0.0.1 "$PORT" "$per" "127.0.0.$((i + 1))" \
    "$MODE" "$SECONDS_" ${REOPEN:+reopen} > "$state/client-$i" 2>&1 &
  pids+=($!)
done

: > "$state/during"; peak_rss=0; peak_fds=0
running() { for p in "${pids[@]:1}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
while running; do
  probe >> "$state/during"
  r=$(rss_kib $sidecar); f=$(fds $sidecar)
  [ "$r" -gt "$peak_rss" ] && peak_rss=$r
  [ "$f" -gt "$peak_fds" ] && peak_fds=$f
  sleep 0.2
done
for p in "${pids[@]:1}"; do wait "$p" || true; done
[ -n "${VERBOSE:-}" ] && cat "$state/during"
after=$(probe)
echo "during: $(wc -l < "$state/during") probes, slowest $(sort -n "$state/during" | tail -1), failed $(awk '$2 != 200' "$state/during" | wc -l)"
echo "after:  /healthz $after, then $(sleep 1; probe) 1 s later"
# How long until /healthz answers within 100 ms again (up to 60 s).
t0=$(date +%s%N)
until awk '{exit !($2 == 200 && $1 < 0.1)}' <<< "$(probe)"; do
  [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt 60 ] || break
  sleep 0.5
done
echo "        answering within 100 ms again $(( ($(date +%s%N) - t0) / 1000000 )) ms after the flood ended (and 1 s)"
echo "peak:   rss $peak_rss KiB, $peak_fds descriptors; now rss $(rss_kib $sidecar) KiB, $(fds $sidecar) descriptors"
for i in $(seq "$CLIENTS"); do echo "client $i: $(tail -1 "$state/client-$i")"; done
echo "sidecar log, flood lines (of $(wc -l < "$state/log")):"
grep -i -E 'accept|connection|descriptor|open files' "$state/log" | cut -c1-220 | sort | uniq -c | sort -rn | head -8 || true
