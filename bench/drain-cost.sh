#!/usr/bin/env bash
# What watching the app's connections costs, and whether it grows with connections that are not the
# pod's. As root: the sidecar and the test app run in a network namespace of their own (a pod), and
# a second namespace holds CROWD established loopback connections of someone else (bench/Crowd.java),
# which share the kernel's established hash table with the pod's unless the node sets
# net.ipv4.tcp_child_ehash_entries. Every jar of JARS runs each case, interleaved.
#
#   sudo bench/drain-cost.sh
#   JARS="/tmp/old.jar target/gracekeeper.jar" SAMPLES=100 sudo bench/drain-cost.sh
#
# Per jar and crowd (none, then CROWD), one fresh sidecar in a fresh pod namespace (no TIME-WAIT left
# by an earlier case; JDK 17, the image's flags, DRAIN_DELAY 0s,
# GRACE_PERIOD 60s, APP_PORTS the app's) takes, in this order:
#   drain        bench/DrainClock.java SAMPLES times (a /poststart between), 1000-1200 ms requests:
#                last app connection closed -> /shutdown answered; median and p99. A sample is invalid
#                when the idle wait began after the requests ended (a loaded node); more than a tenth
#                invalid fails the run
#   hook         HOOKS generations of /poststart then /shutdown, nothing to drain: median and p99 of
#                curl's time
#   idle wait    bench/AppLoad.java holds 16 idle keep-alive and 16 busy connections (/slow?ms=100 back
#                to back); /shutdown; once /status shows the idle wait, the sidecar's utime+stime
#                (/proc/PID/stat) over WINDOW_S seconds, as % of one core
#   drained      the load closes its connections, the shutdown ends; then the same over WINDOW_S: the
#                restart watch's looks
# Env: JARS (target/gracekeeper.jar), CROWD (20000), SAMPLES (60), HOOKS (100), WINDOW_S (10), JAVA17, KEEPLOG
# (a path prefix: each sidecar's log is kept as PREFIX-LABEL.log, its /shutdown times in ms as
# PREFIX-LABEL.hook-ms), EHASH (unset: the namespaces share the host's hash table, as on most nodes; N:
# net.ipv4.tcp_child_ehash_entries=N for the whole run, so its namespaces each get a table of N buckets,
# as on a node that sets it; so does any namespace another process creates meanwhile. The host's value
# is put back on exit; two EHASH runs must not overlap).
# Needs root, bash >= 5, iproute2, curl, a JDK 17 (javac). Every process it starts is killed and both
# namespaces are deleted on exit; every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "drain-cost: $*" >&2; exit 1; }
(( BASH_VERSINFO[0] >= 5 )) || die "needs bash >= 5 (EPOCHREALTIME)"
[ "$(id -u)" = 0 ] || die "needs root for ip netns"
JARS=${JARS:-target/gracekeeper.jar}
CROWD=${CROWD:-20000}
SAMPLES=${SAMPLES:-60}
HOOKS=${HOOKS:-100}
WINDOW_S=${WINDOW_S:-10}
JAVA17=${JAVA17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
[ -x "$JAVA17" ] || JAVA17=$(command -v java)
javac=$(dirname "$(readlink -f "$JAVA17")")/javac
for j in $JARS; do [ -f "$j" ] || die "no $j: mvn -B -q -DskipTests package"; done
APP=8080
SIDECAR=8686
TICK=$(getconf CLK_TCK)

tmp=$(mktemp -d)
pod=gkpod$$
crowd=gkcrowd$$
pids=()
ehash_sysctl=/proc/sys/net/ipv4/tcp_child_ehash_entries
ehash_before=$(cat "$ehash_sysctl" 2>/dev/null || echo)
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  if [ -n "${EHASH:-}" ] && [ -n "$ehash_before" ]; then
    echo "$ehash_before" > "$ehash_sysctl" || true
  fi
  ip netns del "$pod" 2>/dev/null || true
  ip netns del "$crowd" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -n "${EHASH:-}" ]; then
  [ -n "$ehash_before" ] || die "EHASH needs net.ipv4.tcp_child_ehash_entries (Linux 6.1+)"
  echo "$EHASH" > "$ehash_sysctl" || die "cannot set tcp_child_ehash_entries=$EHASH (0, or 1 to 16777216)"
fi
ip netns add "$crowd"; ip -n "$crowd" link set lo up
inpod() { ip netns exec "$pod" "$@"; }
us() { local t=$EPOCHREALTIME; REPLY=${t/./}; }
flags=()
# Each flag tried with those kept before it: a diagnostic flag needs -XX:+UnlockDiagnosticVMOptions first.
image_flags=$(docker/build-runtime.sh --print-flags) || die "docker/build-runtime.sh --print-flags failed"
dropped=()
while read -r f; do
  if "$JAVA17" "${flags[@]}" "$f" -version >/dev/null 2>&1; then flags+=("$f"); else dropped+=("$f"); fi
done <<< "$image_flags"
[ ${#flags[@]} -gt 0 ] || die "JDK 17 ($JAVA17) accepts none of the image's flags"
[ ${#dropped[@]} -eq 0 ] || echo "drain-cost: not accepted by JDK 17, so left out: ${dropped[*]}" >&2
timeout 120 "$javac" -nowarn -d "$tmp/classes" bench/DrainClock.java bench/AppLoad.java bench/Crowd.java \
  src/test/java/dev/gracekeeper/it/TestApp.java
tool() { "$JAVA17" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$tmp/classes" "$@"; }

http() { inpod curl -s --max-time 5 "http://127.0.0.1:$SIDECAR$1"; } # PATH: the body
await() { # WHAT SECONDS COMMAND...: polls COMMAND every 50 ms
  local what=$1 bound=$2 end; us; end=$((REPLY + bound * 1000000)); shift 2
  until "$@" >/dev/null 2>&1; do us; [ "$REPLY" -lt "$end" ] || die "no $what within $bound s"; sleep 0.05; done
}
status_has() { http /status | grep -q "$1"; }
ticks() { local s; read -r s < "/proc/$1/stat"; s=${s##*) }; set -- $s; echo $((${12} + ${13})); }
cpu_pct() { # PID: % of one core over WINDOW_S
  local c0 c1 t0 t1
  us; t0=$REPLY; c0=$(ticks "$1"); sleep "$WINDOW_S"; us; t1=$REPLY; c1=$(ticks "$1")
  awk -v c="$((c1 - c0))" -v hz="$TICK" -v t="$((t1 - t0))" 'BEGIN {printf "%.2f", c / hz / (t / 1e6) * 100}'
}
pctl() { sort -g | awk -v q="$1" '{a[NR] = $1} END {i = int(NR * q); if (i < NR * q) i++; if (i < 1) i = 1; print a[i]}'; }

case_run() { # JAR LABEL: one sidecar, every row, into $tmp/result-LABEL
  local jar=$1 label=$2 app sidecar load body out=$tmp/result-$2
  # A pod namespace of its own: the hook connections of an earlier case sit in TIME-WAIT for 60 s, and
  # every walk of the table would format them, so a later case would pay for an earlier one's.
  ip netns del "$pod" 2>/dev/null || true
  ip netns add "$pod"; ip -n "$pod" link set lo up
  ip netns exec "$pod" "$JAVA17" -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$tmp/classes" \
    dev.gracekeeper.it.TestApp "$APP" 0 > "$tmp/app.log" 2>&1 &
  app=$!; pids+=("$app")
  await "test app" 20 grep -q listening "$tmp/app.log"
  mkdir -p "$tmp/state-$label"; rm -f "$tmp/state-$label"/*
  GRACEKEEPER_PORT=$SIDECAR GRACEKEEPER_BIND_ADDRESS=127.0.0.1 GRACEKEEPER_STATE_DIR=$tmp/state-$label \
    GRACEKEEPER_DRAIN_DELAY=0s GRACEKEEPER_GRACE_PERIOD=60s GRACEKEEPER_APP_PORTS=$APP \
    ip netns exec "$pod" "$JAVA17" "${flags[@]}" -jar "$jar" > "$tmp/sidecar-$label.log" 2>&1 &
  sidecar=$!; pids+=("$sidecar")
  await "/healthz" 20 http /healthz

  : > "$tmp/drain-$label"
  local invalid=0
  for i in $(seq "$SAMPLES"); do
    [ "$i" = 1 ] || http /poststart > /dev/null
    # 1000-1200 ms requests: on a loaded node the idle wait must still begin while they are in flight.
    inpod timeout 30 "$JAVA17" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$tmp/classes" DrainClock "$APP" "$SIDECAR" \
      3 1000 >> "$tmp/drain-$label" 2>> "$tmp/drain-errors-$label" || invalid=$((invalid + 1))
  done
  [ "$invalid" -lt $((SAMPLES / 10 + 1)) ] || { cat "$tmp/drain-errors-$label" >&2; die "$label: $invalid invalid samples"; }
  {
    for _ in $(seq "$HOOKS"); do
      printf 'url = "http://127.0.0.1:%s/poststart"\noutput = /dev/null\n' "$SIDECAR"
      printf 'url = "http://127.0.0.1:%s/shutdown"\noutput = /dev/null\n' "$SIDECAR"
    done
  } > "$tmp/hooks.cfg"
  inpod timeout 120 curl -s -K "$tmp/hooks.cfg" -H 'Connection: close' --max-time 10 \
    -w '%{url_effective} %{http_code} %{time_total}\n' > "$tmp/hooks-$label" || die "$label: hook calls failed"

  http /poststart > /dev/null
  coproc LOAD { exec ip netns exec "$pod" "$JAVA17" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$tmp/classes" AppLoad "$APP" 16 16 100; }
  load=$LOAD_PID; pids+=("$load")
  read -r -t 20 line <&"${LOAD[0]}" && [ "$line" = ready ] || die "$label: AppLoad not ready"
  http /shutdown > "$tmp/shutdown-$label" &
  pids+=($!)
  await "idle wait" 10 status_has '"step":{"name":"idle-wait"'
  echo "idle_cpu $(cpu_pct "$sidecar")" > "$out"
  echo close >&"${LOAD[1]}"
  await "drained" 20 status_has '"phase":"drained"'
  echo "drained_cpu $(cpu_pct "$sidecar")" >> "$out"
  wait "$load" 2>/dev/null || true

  echo "drain_invalid $invalid" >> "$out"
  echo "drain_median $(pctl 0.5 < "$tmp/drain-$label")" >> "$out"
  echo "drain_p99 $(pctl 0.99 < "$tmp/drain-$label")" >> "$out"
  awk '$1 ~ /\/shutdown$/ {print $3 * 1000}' "$tmp/hooks-$label" > "$tmp/hook-ms-$label"
  echo "hook_median $(pctl 0.5 < "$tmp/hook-ms-$label")" >> "$out"
  echo "hook_p99 $(pctl 0.99 < "$tmp/hook-ms-$label")" >> "$out"
  if [ -n "${KEEPLOG:-}" ]; then
    cp "$tmp/sidecar-$label.log" "$KEEPLOG-$label.log"
    cp "$tmp/hook-ms-$label" "$KEEPLOG-$label.hook-ms"
  fi
  kill -KILL "$sidecar" "$app" 2>/dev/null || true
  wait "$sidecar" "$app" 2>/dev/null || true
  echo "drain-cost: $label: $(tr '\n' ' ' < "$out")" >&2
}

# CROWD connections in their own namespace, in pairs of processes of at most 9000 connections each
# (one end per process: a container may cap open files at 20000 even for root).
crowd_pids=()
start_crowd() { # N
  local left=$1 n k=0 port
  while [ "$left" -gt 0 ]; do
    n=$((left < 9000 ? left : 9000)); left=$((left - n)); k=$((k + 1))
    ip netns exec "$crowd" "$JAVA17" -Xmx64m -XX:+UseSerialGC -cp "$tmp/classes" Crowd accept "$n" \
      > "$tmp/crowd-a-$k" 2>&1 &
    pids+=($!); crowd_pids+=($!)
    await "crowd listener" 20 grep -q '^port ' "$tmp/crowd-a-$k"
    port=$(awk '/^port / {print $2}' "$tmp/crowd-a-$k")
    ip netns exec "$crowd" "$JAVA17" -Xmx64m -XX:+UseSerialGC -cp "$tmp/classes" Crowd connect "$port" "$n" \
      > "$tmp/crowd-c-$k" 2>&1 &
    pids+=($!); crowd_pids+=($!)
    await "crowd of $n" 120 grep -q '^done ' "$tmp/crowd-a-$k"
  done
  echo "drain-cost: $1 established connections in namespace $crowd:" \
    "$(ip netns exec "$crowd" grep -h 'TCP' /proc/net/sockstat /proc/net/sockstat6 | tr '\n' ' ')" >&2
}
stop_crowd() {
  kill -KILL "${crowd_pids[@]}" 2>/dev/null || true
  wait "${crowd_pids[@]}" 2>/dev/null || true
  crowd_pids=()
}

echo "drain-cost: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg);" \
  "SAMPLES=$SAMPLES HOOKS=$HOOKS WINDOW_S=$WINDOW_S CROWD=$CROWD EHASH=${EHASH:-shared}; JDK 17 with ${flags[*]}"
labels=()
for c in 0 "$CROWD"; do
  if [ "$c" != 0 ]; then start_crowd "$c"; fi
  n=0
  for j in $JARS; do
    n=$((n + 1))
    case_run "$j" "jar$n-crowd$c"
    labels+=("jar$n-crowd$c")
  done
  if [ "$c" != 0 ]; then stop_crowd; fi
done

echo
n=0
for j in $JARS; do n=$((n + 1)); echo "jar$n: $j"; done
printf '| measure |'; for l in "${labels[@]}"; do printf ' %s |' "$l"; done; echo
printf '|---|'; for _ in "${labels[@]}"; do printf -- '---:|'; done; echo
while IFS='|' read -r key what; do
  printf '| %s |' "$what"
  for l in "${labels[@]}"; do printf ' %s |' "$(awk -v k="$key" '$1 == k {print $2}' "$tmp/result-$l")"; done
  echo
done <<ROWS
idle_cpu|CPU of the idle wait, % of one core ($WINDOW_S s, 16 idle + 16 busy connections)
drained_cpu|CPU while drained (restart watch), % of one core ($WINDOW_S s)
drain_median|drain detection median, ms ($SAMPLES samples)
drain_p99|drain detection p99, ms
drain_invalid|invalid detection samples
hook_median|\`/shutdown\` median, nothing to drain, ms ($HOOKS generations)
hook_p99|\`/shutdown\` p99, nothing to drain, ms
ROWS
