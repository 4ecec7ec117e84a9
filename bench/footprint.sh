#!/usr/bin/env bash
# Footprint and speed of the sidecar (issue 6's target table), three configurations side by side in
# one run, interleaved run by run so that a busy moment of the machine hits all three alike:
#
#   baseline  JDK 17, `java -jar target/gracekeeper.jar`, default flags. There is no eager-init
#             switch (the sidecar always loads its optional parts lazily), so this is plain defaults.
#   jdk17     JDK 17, the image's JVM flags (`docker/build-runtime.sh --print-flags`), less those the
#             JDK 17 launcher rejects, which the output names
#   runtime   the image's runtime, `target/runtime/bin/gracekeeper` (JDK 25 jlink'd JRE, AOT cache,
#             the same flags), built by docker/build-runtime.sh when missing or out of date
#
#   bench/footprint.sh                    # RUNS=5: about 1.5 min, prints a markdown table
#   QUICK=1 bench/footprint.sh            # one pass, HOOKS=30: about 20 s
#   CONFIGS=runtime RUNS=10 bench/footprint.sh
#
# Env: RUNS (5; QUICK=1 makes it 1), CALLS (10000), HOOKS (100 generations; QUICK 30), CONFIGS
# ("baseline jdk17 runtime"), JAVA17 (/usr/lib/jvm/java-17-openjdk-amd64/bin/java, else `java`),
# JDK25 (/usr/lib/jvm/temurin-25-jdk-amd64), STATE_ROOT (where the state dirs go: /dev/shm, a tmpfs
# like the examples' `emptyDir: {medium: Memory}`; set a disk directory to include real fsyncs),
# JAR (target/gracekeeper.jar), RUNTIME (target/runtime: built there from JAR when out of date),
# TSV (also write "row config median min max" lines there: bench/footprint-guard.sh reads them),
# KEEP=1 (keep the temp dir with every log).
# Against the floor (blocks marked "floor" below): FLOOR (1; 0 leaves the floor out), PODS (sidecars side by side
# for the per-extra-pod row: 6; QUICK 0 leaves it out), CLASSES (1: the classes loaded per drain setup; QUICK 0).
#
# Each run of a configuration starts the test app (src/test/java/dev/gracekeeper/it/TestApp.java:
# HTTP/1.1 keep-alive, /slow?ms=N) and a sidecar with GRACEKEEPER_DRAIN_DELAY=0s and
# GRACEKEEPER_APP_PORTS set to the app's port, and takes the rows in this order:
#   startup      exec -> first 200 on /healthz, polled every 1 ms through bash's /dev/tcp (no fork)
#   rss0         VmRSS right after that
#   readyz cold  `wrk -c1 -t1 --latency`, CALLS /readyz on one keep-alive connection right after
#                startup (warm-up included): its p99; rss1 is VmRSS right after it
#   readyz       the same again, warm: its p99
#   drain        bench/DrainClock.java: 3 connections to the app with 400/500/600 ms requests in
#                flight, then /shutdown; each client closes its connection once answered: from the last
#                close() to /shutdown's answer, both stamped in one process. It is the process's first
#                shutdown, so that code runs cold, as in a pod.
#   hook         HOOKS generations in the same process, /poststart then /shutdown, each call a fresh
#                connection as the kubelet's: p99 of curl's time_total of /shutdown, with nothing to
#                drain (no connection to the app, delay 0s)
#   hook cold    a second sidecar, idle for 1 s after startup: its first /shutdown, nothing to drain
#   sigterm      the app is killed, then SIGTERM to the first sidecar, whose shutdown is done: from
#                kill to the process gone, polled every 1 ms
# Each cell is the median over runs, with min-max. Needs bash >= 5, curl, wrk, a JDK 17 (javac for the
# two small Java programs) and target/gracekeeper.jar. Loopback only; every process it starts is killed
# on exit; every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
(( BASH_VERSINFO[0] >= 5 )) || { echo "footprint: needs bash >= 5 (EPOCHREALTIME)" >&2; exit 2; }

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then RUNS=${RUNS:-1}; HOOKS=${HOOKS:-30}; fi
RUNS=${RUNS:-5}
HOOKS=${HOOKS:-100}
CALLS=${CALLS:-10000}
CONFIGS=${CONFIGS:-baseline jdk17 runtime}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ -z "${JAVA17:-}" ]; then
  JAVA17=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
  [ -x "$JAVA17" ] || JAVA17=$(command -v java)
fi
STATE_ROOT=${STATE_ROOT:-/dev/shm}
TSV=${TSV:-}
JAR=${JAR:-target/gracekeeper.jar}
RUNTIME=${RUNTIME:-target/runtime}
START_BOUND_S=20
EXIT_BOUND_S=10
CALLS_BOUND_S=60

die() { echo "footprint: $*" >&2; exit 1; }
[ -f "$JAR" ] || die "no $JAR: mvn -B -q -DskipTests package"
for tool in curl wrk; do command -v $tool >/dev/null || die "needs $tool"; done
javac=$(dirname "$(readlink -f "$JAVA17")")/javac
[ -x "$javac" ] || die "needs a JDK (javac) next to $JAVA17"
[ -d "$STATE_ROOT" ] && [ -w "$STATE_ROOT" ] || STATE_ROOT=${TMPDIR:-/tmp}

tmp=$(mktemp -d)
state=$(mktemp -d "$STATE_ROOT/footprint-state.XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$state"
  if [ "${KEEP:-0}" = 1 ]; then echo "footprint: logs kept in $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/values"
mkfifo "$tmp/nap"
exec {nap}<>"$tmp/nap"                           # nothing is ever written: read -t on it sleeps, no fork

us() { local t=$EPOCHREALTIME; REPLY=${t/./}; }  # now in microseconds, into REPLY
nap() { read -rt "$1" -u "$nap" _ || true; }
record() { echo "$3" >> "$tmp/values/$1.$2"; }  # CONFIG ROW VALUE
ms() { echo $((($2 - $1) / 1000)); }           # FROM_US TO_US

# GET PATH on 127.0.0.1:PORT over a fresh connection, via /dev/tcp: the status into REPLY, "" if refused.
get() { # PORT PATH
  local fd _v status _r
  REPLY=
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&"$fd"
  read -rt 5 _v status _r <&"$fd" || true
  exec {fd}<&-
  REPLY=$status
}

free_port() {
  local p
  for _ in $(seq 50); do
    p=$((12000 + RANDOM % 8000))
    get "$p" /; [ -z "$REPLY" ] && { echo "$p"; return; }
  done
  die "no free port found in 12000-19999"
}

# Waits until PID is gone or a zombie, at most SECONDS; then reaps it: its exit code into REPLY.
await_exit() { # PID SECONDS
  local pid=$1 end stat
  us; end=$((REPLY + $2 * 1000000))
  while { read -r stat < "/proc/$pid/stat"; } 2>/dev/null; do
    stat=${stat##*) }; [ "${stat:0:1}" = Z ] && break
    us; [ "$REPLY" -lt "$end" ] || return 1
    nap 0.001
  done
  wait "$pid" && REPLY=0 || REPLY=$?
}

rss_mib() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

p99() { sort -g | awk '{a[NR] = $1} END {i = int(NR * 0.99); if (i < NR * 0.99) i++; print a[i]}'; }

# --- what runs --------------------------------------------------------------------------------------
echo "footprint: compiling bench/DrainClock.java and the test app" >&2
timeout 120 "$javac" -nowarn -d "$tmp/classes" bench/DrainClock.java src/test/java/dev/gracekeeper/it/TestApp.java

mapfile -t image_flags < <(docker/build-runtime.sh --print-flags)
jdk17_flags=()
dropped=()
for f in "${image_flags[@]}"; do
  # With the flags kept so far: a diagnostic flag needs -XX:+UnlockDiagnosticVMOptions before it.
  if timeout 20 "$JAVA17" "${jdk17_flags[@]}" "$f" -version >/dev/null 2>&1; then jdk17_flags+=("$f"); else dropped+=("$f"); fi
done

configs=()
for c in $CONFIGS; do
  case $c in
    baseline|jdk17) configs+=("$c") ;;
    runtime)
      if [ ! -x "$JDK25/bin/jlink" ]; then
        echo "footprint: no JDK 25 at $JDK25 (set JDK25=): the runtime configuration is left out" >&2
        continue
      fi
      # Rebuilt when the jar or the flags changed since it was built.
      built_flags=$(sed '/^-Djffi.boot.library.path=/,$d' "$RUNTIME/lib/gracekeeper.args" 2>/dev/null || true)
      if ! cmp -s "$JAR" "$RUNTIME/lib/gracekeeper.jar" || [ "$built_flags" != "$(printf '%s\n' "${image_flags[@]}")" ]; then
        echo "footprint: building $RUNTIME with docker/build-runtime.sh (about 15 s)" >&2
        JAVA_HOME=$JDK25 timeout 300 docker/build-runtime.sh "$JAR" "$RUNTIME" > "$tmp/build-runtime.log" 2>&1 \
          || { cat "$tmp/build-runtime.log" >&2; die "docker/build-runtime.sh failed"; }
      fi
      configs+=(runtime) ;;
    *) die "unknown configuration $c (baseline, jdk17, runtime)" ;;
  esac
done
[ ${#configs[@]} -gt 0 ] || die "no configuration to run"

# --- floor: the JDK's own HTTP server (bench/floor/Floor.java) with each configuration's JVM and flags; for
# the runtime, a jlink'd JRE with an AOT cache as docker/build-runtime.sh makes the sidecar's (bench/floor/build.sh).
FLOOR=${FLOOR:-1}
if [ "$QUICK" = 1 ]; then PODS=${PODS:-0}; CLASSES=${CLASSES:-0}; fi
PODS=${PODS:-6}
CLASSES=${CLASSES:-1}
floor_dir=target/floor
if [ "$FLOOR" = 1 ]; then
  floor_jdk=
  case " ${configs[*]} " in *" runtime "*) floor_jdk=$JDK25 ;; esac
  floor_stamp="$(cat bench/floor/Floor.java bench/floor/build.sh; printf '%s\n' "${image_flags[@]}" "$floor_jdk")"
  if [ "$floor_stamp" != "$(cat "$floor_dir/stamp" 2>/dev/null)" ] || { [ -n "$floor_jdk" ] && [ ! -x "$floor_dir/runtime/bin/floor" ]; }; then
    echo "footprint: building the floor with bench/floor/build.sh" >&2
    timeout 300 bench/floor/build.sh "$javac" "$floor_dir" $floor_jdk > "$tmp/floor-build.log" 2>&1 \
      || { cat "$tmp/floor-build.log" >&2; die "bench/floor/build.sh failed"; }
    printf '%s' "$floor_stamp" > "$floor_dir/stamp"
  fi
fi
floor_command() { # CONFIG: the floor's command with that configuration's JVM and flags, into cmd
  case $1 in
    baseline) cmd=("$JAVA17" -cp "$floor_dir/floor.jar" Floor) ;;
    jdk17) cmd=("$JAVA17" "${jdk17_flags[@]}" -cp "$floor_dir/floor.jar" Floor) ;;
    runtime) cmd=("$floor_dir/runtime/bin/floor") ;;
  esac
}

command_of() { # CONFIG: the command into the array cmd
  case $1 in
    baseline) cmd=("$JAVA17" -jar "$JAR") ;;
    jdk17) cmd=("$JAVA17" "${jdk17_flags[@]}" -jar "$JAR") ;;
    runtime) cmd=("$RUNTIME/bin/gracekeeper") ;;
    floor-*) floor_command "${1#floor-}" ;;
  esac
}

start_app() { # into app (pid) and app_port
  app_port=$(free_port)
  "$JAVA17" -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$tmp/classes" dev.gracekeeper.it.TestApp \
    "$app_port" 0 > "$tmp/app.log" 2>&1 &
  app=$!; pids+=("$app")
  local end; us; end=$((REPLY + START_BOUND_S * 1000000))
  until grep -q listening "$tmp/app.log"; do
    kill -0 "$app" 2>/dev/null || { cat "$tmp/app.log" >&2; die "the test app exited"; }
    us; [ "$REPLY" -lt "$end" ] || die "the test app did not listen within $START_BOUND_S s"
    nap 0.01
  done
}

# Starts a sidecar of CONFIG for the app, waits for /healthz 200: pid into sidecar, port into port,
# exec and healthy times (us) into started and healthy. Retries on a port taken meanwhile (exit 3).
with_env=()                                      # (env NAME=VALUE ...) before a sidecar's command, or nothing
start_sidecar() { # CONFIG LOG
  local attempt code cmd dir
  command_of "$1"
  for attempt in 1 2 3; do
    port=$(free_port)
    dir=$(mktemp -d "$state/sidecar.XXXXXX")     # a fresh marker for each sidecar
    us; started=$REPLY
    GRACEKEEPER_PORT=$port GRACEKEEPER_BIND_ADDRESS=127.0.0.1 GRACEKEEPER_STATE_DIR=$dir \
      GRACEKEEPER_DRAIN_DELAY=0s GRACEKEEPER_APP_PORTS=$app_port "${with_env[@]}" "${cmd[@]}" > "$2" 2>&1 &
    sidecar=$!; pids+=("$sidecar")
    healthy=
    while kill -0 "$sidecar" 2>/dev/null; do
      get "$port" /healthz
      if [ "$REPLY" = 200 ]; then us; healthy=$REPLY; return; fi
      us; [ $((REPLY - started)) -lt $((START_BOUND_S * 1000000)) ] || { cat "$2" >&2; die "$1: no /healthz within $START_BOUND_S s"; }
      nap 0.001
    done
    wait "$sidecar" && code=0 || code=$?
    [ "$code" = 3 ] || { cat "$2" >&2; die "$1: the sidecar exited with $code at startup"; }
    echo "footprint: port $port taken, another (attempt $attempt)" >&2
  done
  die "$1: no free port after 3 attempts"
}

# wrk runs for its whole -d even after the script stops its thread, so the script leaves a file once
# CALLS responses have come, and wrk is interrupted then (on SIGINT it reports and exits).
cat > "$tmp/stop.lua" <<LUA
local n = 0
function response(status, headers, body)
  n = n + 1
  if n == $CALLS then wrk.thread:stop(); io.open("$tmp/wrk.done", "w"):close() end
end
LUA
readyz_calls() { # PORT CONFIG: CALLS /readyz on one keep-alive connection; their p99 in ms into REPLY
  local w end out
  rm -f "$tmp/wrk.done"
  wrk -c1 -t1 -d${CALLS_BOUND_S}s --timeout 2s --latency -s "$tmp/stop.lua" "http://127.0.0.1:$1/readyz" \
    > "$tmp/wrk.out" 2>&1 &
  w=$!; pids+=("$w")
  us; end=$((REPLY + CALLS_BOUND_S * 1000000))
  until [ -e "$tmp/wrk.done" ]; do
    kill -0 "$w" 2>/dev/null || break
    us; [ "$REPLY" -lt "$end" ] || break
    nap 0.005
  done
  kill -INT "$w" 2>/dev/null || true
  wait "$w" || true
  out=$(< "$tmp/wrk.out")
  grep -qE "^ +$CALLS requests in" <<< "$out" || { echo "$out" >&2; die "$2: wrk did not complete $CALLS requests"; }
  ! grep -q 'Non-2xx' <<< "$out" || { echo "$out" >&2; die "$2: /readyz answered non-2xx"; }
  REPLY=$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else print v * 1000}' <<< "$out")
}

hook_calls() { # PORT OUT [GENERATIONS]: /poststart + /shutdown each generation (or /shutdown once)
  local n=${3:-0}
  {
    for _ in $(seq "$n"); do
      printf 'url = "http://127.0.0.1:%s/poststart"\noutput = /dev/null\n' "$1"
      printf 'url = "http://127.0.0.1:%s/shutdown"\noutput = /dev/null\n' "$1"
    done
    [ "$n" -gt 0 ] || printf 'url = "http://127.0.0.1:%s/shutdown"\noutput = /dev/null\n' "$1"
  } > "$tmp/hooks.cfg"
  timeout $((120 + 3 * n)) curl -s -K "$tmp/hooks.cfg" -H 'Connection: close' --max-time 10 \
    -w '%{url_effective} %{http_code} %{time_total}\n' > "$2" || die "curl failed on the hooks ($2)"
  if awk '$2 != 200 {bad = 1} END {exit !bad}' "$2"; then grep -v ' 200 ' "$2" >&2; die "a hook call failed ($2)"; fi
  REPLY=$(awk '$1 ~ /\/shutdown$/ {print $3 * 1000}' "$2" | p99)
}

# One run of one configuration: every row.
run_one() { # CONFIG RUN
  local c=$1 run=$2 log=$tmp/sidecar-$1-$2.log first startup r0 r1 cold warm drain hook hook_cold term gone code
  start_app
  nap 0.2                                        # the app's JVM settles before a start is timed
  start_sidecar "$c" "$log"
  first=$sidecar
  startup=$(ms "$started" "$healthy")
  r0=$(rss_mib "$first")
  readyz_calls "$port" "$c"; cold=$REPLY
  r1=$(rss_mib "$first")
  readyz_calls "$port" "$c"; warm=$REPLY

  drain=$(timeout 30 "$JAVA17" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$tmp/classes" DrainClock "$app_port" "$port") \
    || { cat "$log" >&2; die "$c: the drain measurement failed"; }
  hook_calls "$port" "$tmp/hooks-$c-$run.out" "$HOOKS"; hook=$REPLY
  local first_port=$port

  start_sidecar "$c" "$tmp/sidecar-$c-$run-cold.log"
  nap 1
  hook_calls "$port" "$tmp/hook-cold-$c-$run.out"; hook_cold=$REPLY
  kill -KILL "$sidecar"; wait "$sidecar" 2>/dev/null || true

  kill -KILL "$app"; wait "$app" 2>/dev/null || true
  us; term=$REPLY
  kill -TERM "$first"
  await_exit "$first" "$EXIT_BOUND_S" || { cat "$log" >&2; die "$c: still running $EXIT_BOUND_S s after SIGTERM"; }
  code=$REPLY
  us; gone=$REPLY
  [ "$code" = 0 ] || { cat "$log" >&2; die "$c: exit $code after SIGTERM"; }
  grep -q 'already done the shutdown' "$log" || { cat "$log" >&2; die "$c: SIGTERM did not find the shutdown done"; }

  record "$c" startup "$startup"
  record "$c" rss0 "$r0"
  record "$c" rss1 "$r1"
  record "$c" readyz_cold "$cold"
  record "$c" readyz "$warm"
  record "$c" hook "$hook"
  record "$c" hook_cold "$hook_cold"
  record "$c" drain "$drain"
  record "$c" sigterm "$(ms "$term" "$gone")"
  printf 'run %s %-8s port %s: startup %s ms, RSS %s / %s MiB, /readyz p99 %s cold %s warm ms, drain %s ms,' \
    "$run" "$c" "$first_port" "$startup" "$r0" "$r1" "$cold" "$warm" "$drain"
  printf ' /shutdown p99 %s ms, first %s ms, SIGTERM %s ms\n' "$hook" "$hook_cold" "$(ms "$term" "$gone")"
}

# --- floor: one run of the floor beside each run of a configuration -----------------------------------
# The rows it shares with the sidecar: startup, rss0, rss1, readyz_cold, readyz; recorded as "floor-CONFIG".
run_floor() { # CONFIG RUN
  local c=floor-$1 startup r0 r1 cold warm
  start_sidecar "$c" "$tmp/$c-$2.log"
  startup=$(ms "$started" "$healthy")
  r0=$(rss_mib "$sidecar")
  readyz_calls "$port" "$c"; cold=$REPLY
  r1=$(rss_mib "$sidecar")
  readyz_calls "$port" "$c"; warm=$REPLY
  kill -KILL "$sidecar"; wait "$sidecar" 2>/dev/null || true
  record "$c" startup "$startup"
  record "$c" rss0 "$r0"
  record "$c" rss1 "$r1"
  record "$c" readyz_cold "$cold"
  record "$c" readyz "$warm"
  printf 'run %s %-14s port %s: startup %s ms, RSS %s / %s MiB, /readyz p99 %s cold %s warm ms\n' \
    "$2" "$c" "$port" "$startup" "$r0" "$r1" "$cold" "$warm"
}

# --- per extra pod: PODS of one configuration side by side, each after CALLS /readyz ----------------------
# What one more pod costs a node: the mean Pss (shared file pages, such as the JRE and the AOT cache, split
# between the processes that map them) and Anonymous (private: heap, metaspace, stacks, malloc) over the
# PODS processes, from /proc/PID/smaps_rollup, and their mean Rss; read POD_SETTLE seconds (11) after the last
# calls, the steady state of a pod between probes (the JIT's arenas are freed within 5 s of its last
# compilation, and -XX:TrimNativeHeapInterval=5000 gives them back within 5 s more). Rows pod_pss, pod_anon,
# pod_rss.
POD_SETTLE=${POD_SETTLE:-11}
per_pod() { # CONFIG (a sidecar configuration or floor-CONFIG)
  local c=$1 i p a b r pss=0 anon=0 rss=0 ps=()
  start_app
  for i in $(seq "$PODS"); do
    start_sidecar "$c" "$tmp/pod-$c-$i.log"
    readyz_calls "$port" "$c"
    ps+=("$sidecar")
  done
  nap "$POD_SETTLE"
  for p in "${ps[@]}"; do
    read -r a b r < <(awk '/^Pss:/ {p = $2} /^Anonymous:/ {a = $2} /^Rss:/ {r = $2} END {print p, a, r}' \
      "/proc/$p/smaps_rollup")
    pss=$((pss + a)); anon=$((anon + b)); rss=$((rss + r))
  done
  record "$c" pod_rss "$(awk -v k="$rss" -v n="$PODS" 'BEGIN {printf "%.1f", k / n / 1024}')"
  for p in "${ps[@]}"; do kill -KILL "$p"; wait "$p" 2>/dev/null || true; done
  kill -KILL "$app"; wait "$app" 2>/dev/null || true
  record "$c" pod_pss "$(awk -v k="$pss" -v n="$PODS" 'BEGIN {printf "%.1f", k / n / 1024}')"
  record "$c" pod_anon "$(awk -v k="$anon" -v n="$PODS" 'BEGIN {printf "%.1f", k / n / 1024}')"
  echo "per pod, $PODS of $c side by side: Rss $(< "$tmp/values/$c.pod_rss"), Pss $(< "$tmp/values/$c.pod_pss")," \
    "Anonymous $(< "$tmp/values/$c.pod_anon") MiB"
}

# --- classes loaded per drain setup ----------------------------------------------------------------------
# -Xlog:class+load (through JAVA_TOOL_OPTIONS, which every configuration's JVM reads) of a sidecar that
# started, answered CALLS /readyz and ran one /shutdown with its drain: none, an HTTP drain (the test app's
# /drain), a signal drain (SIGTERM to a `sleep` found by pidfile). With them its VmRSS after the calls and
# after the shutdown, and its peak (VmHWM). Counted: all classes, and those of OkHttp (okhttp3.,
# okio.), Kotlin (kotlin.), jnr-ffi/jnr-posix/jffi (jnr., com.kenai.) and JMX (javax.management.,
# java.lang.management., sun.management., com.sun.jmx.); into $tmp/classes.
class_counts() { # CONFIG
  local c=$1 setup log sleeper rss after peak
  for setup in none http signal; do
    start_app
    sleep 600 & sleeper=$!; pids+=("$sleeper"); echo "$sleeper" > "$tmp/sleeper.pid"
    log=$tmp/classes-$c-$setup.txt
    with_env=(env "JAVA_TOOL_OPTIONS=-Xlog:class+load:file=$log")
    case $setup in
      http) with_env+=("GRACEKEEPER_APP_DRAIN_URL=http://127.0.0.1:$app_port/drain") ;;
      signal) with_env+=(GRACEKEEPER_APP_DRAIN_SIGNAL=SIGTERM "GRACEKEEPER_APP_PROCESS=pidfile:$tmp/sleeper.pid") ;;
    esac
    start_sidecar "$c" "$tmp/classes-$c-$setup.log"
    with_env=()
    readyz_calls "$port" "$c $setup"
    rss=$(rss_mib "$sidecar")
    timeout 30 curl -s -o /dev/null --max-time 25 "http://127.0.0.1:$port/shutdown" || die "$c $setup: /shutdown failed"
    after=$(rss_mib "$sidecar")
    peak=$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$sidecar/status")
    kill -KILL "$sidecar" "$sleeper" "$app" 2>/dev/null; wait "$sidecar" "$sleeper" "$app" 2>/dev/null || true
    awk -v c="$c" -v s="$setup" -v mem="$rss $after $peak" '$1 ~ /class,load/ {n++; k = $2
        if (k ~ /^(okhttp3|okio)\./) o++; else if (k ~ /^kotlin\./) t++
        else if (k ~ /^(jnr\.ffi|jnr\.x86asm|jnr\.a64asm|com\.kenai)\./) j++; else if (k ~ /^jnr\./) p++
        else if (k ~ /^(javax\.management|java\.lang\.management|sun\.management|com\.sun\.jmx)\./) m++ }
      END {printf "%s %s %d %d %d %d %d %d %s\n", c, s, n, o, t, j, p, m, mem}' "$log" >> "$tmp/class-counts"
  done
}

# --- the runs ---------------------------------------------------------------------------------------
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "footprint: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(load); RUNS=$RUNS CALLS=$CALLS HOOKS=$HOOKS"
echo "footprint: JDK 17: $("$JAVA17" -version 2>&1 | head -1); state dirs in $STATE_ROOT ($(stat -f -c %T "$STATE_ROOT"))"
echo "footprint: image flags: ${image_flags[*]}"
[ ${#dropped[@]} -eq 0 ] || echo "footprint: not accepted by JDK 17, so left out of its image-flags run: ${dropped[*]}"
# One untimed start of each configuration first, so that no run pays for files not yet in the page cache.
start_app
for c in "${configs[@]}"; do
  start_sidecar "$c" "$tmp/warm-up-$c.log"
  kill -KILL "$sidecar"; wait "$sidecar" 2>/dev/null || true
  [ "$FLOOR" = 0 ] || { start_sidecar "floor-$c" "$tmp/warm-up-floor-$c.log"; kill -KILL "$sidecar"; wait "$sidecar" 2>/dev/null || true; }
done
kill -KILL "$app"; wait "$app" 2>/dev/null || true
for run in $(seq "$RUNS"); do
  for c in "${configs[@]}"; do
    run_one "$c" "$run"
    [ "$FLOOR" = 0 ] || run_floor "$c" "$run"
  done
done
if [ "$PODS" -gt 0 ]; then
  for c in "${configs[@]}"; do per_pod "$c"; [ "$FLOOR" = 0 ] || per_pod "floor-$c"; done
fi
if [ "$CLASSES" = 1 ]; then for c in "${configs[@]}"; do class_counts "$c"; done; fi
# --- CPU of the periodic looks ------------------------------------------------------------------------
# Per run and configuration, a fresh sidecar and test app: bench/AppLoad.java holds 16 idle keep-alive
# and 16 busy connections (/slow?ms=100 back to back) on the app port; /shutdown starts the idle wait,
# which they hold (no drain action); the sidecar's utime+stime from /proc/PID/stat over CPU_WINDOW_S
# is "cpu_idle". Then the load closes, the shutdown ends, and the same window in drained, where only
# the restart watch looks, is "cpu_drained". QUICK=1 leaves these rows out unless CPU_WINDOW_S is set.
CPU_WINDOW_S=${CPU_WINDOW_S:-$([ "$QUICK" = 1 ] && echo 0 || echo 10)}
cpu_ticks() { local s; read -r s < "/proc/$1/stat"; s=${s##*) }; set -- $s; REPLY=$((${12} + ${13})); }
cpu_window() { # PID: % of one core over CPU_WINDOW_S, into REPLY
  local c0 t0
  cpu_ticks "$1"; c0=$REPLY; us; t0=$REPLY
  nap "$CPU_WINDOW_S"
  cpu_ticks "$1"; local c1=$REPLY; us
  REPLY=$(awk -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v t=$((REPLY - t0)) 'BEGIN {printf "%.2f", c / hz / (t / 1e6) * 100}')
}
status_has() { curl -s --max-time 5 "http://127.0.0.1:$1/status" | grep -q "$2"; }
await_status() { # PORT PATTERN WHAT
  local end; us; end=$((REPLY + 20 * 1000000))
  until status_has "$1" "$2"; do us; [ "$REPLY" -lt "$end" ] || die "no $3 within 20 s"; nap 0.05; done
}
cpu_one() { # CONFIG RUN
  local c=$1 load shut idle drained line
  [ -f "$tmp/classes/AppLoad.class" ] || timeout 120 "$javac" -nowarn -d "$tmp/classes" bench/AppLoad.java
  start_app
  start_sidecar "$c" "$tmp/sidecar-cpu-$c-$2.log"
  coproc LOAD { exec "$JAVA17" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$tmp/classes" AppLoad "$app_port" 16 16 100; }
  load=$LOAD_PID; pids+=("$load")
  read -r -t 20 line <&"${LOAD[0]}" && [ "$line" = ready ] || die "$c: bench/AppLoad.java did not get its connections"
  curl -s --max-time 60 "http://127.0.0.1:$port/shutdown" > /dev/null &
  shut=$!; pids+=("$shut")
  await_status "$port" '"step":{"name":"idle-wait"' "idle wait"
  cpu_window "$sidecar"; idle=$REPLY
  echo close >&"${LOAD[1]}"
  wait "$load" 2>/dev/null || true
  await_status "$port" '"phase":"drained"' "end of the drain"
  cpu_window "$sidecar"; drained=$REPLY
  wait "$shut" 2>/dev/null || true
  kill -KILL "$sidecar" "$app" 2>/dev/null || true
  wait "$sidecar" "$app" 2>/dev/null || true
  record "$c" cpu_idle "$idle"
  record "$c" cpu_drained "$drained"
  printf 'run %s %-8s CPU, %% of one core over %s s: idle wait %s, drained %s\n' "$2" "$c" "$CPU_WINDOW_S" "$idle" "$drained"
}
if [ "$CPU_WINDOW_S" != 0 ]; then
  for run in $(seq "$RUNS"); do
    for c in "${configs[@]}"; do cpu_one "$c" "$run"; done
  done
fi
echo "footprint: load average after: $(load)"

# --- the table --------------------------------------------------------------------------------------
cell() { # CONFIG ROW
  local f=$tmp/values/$1.$2 med lo hi
  [ -f "$f" ] || { printf -- '-'; return; }
  read -r med lo hi < <(sort -g "$f" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)], a[1], a[NR]}')
  [ -z "$TSV" ] || printf '%s\t%s\t%s\t%s\t%s\n' "$2" "$1" "$med" "$lo" "$hi" >> "$TSV"
  read -r med lo hi < <(awk -v m="$med" -v l="$lo" -v h="$hi" 'function f(v) {
    return v == int(v) || v >= 100 ? sprintf("%.0f", v) : v >= 10 ? sprintf("%.1f", v) : sprintf("%.2f", v) }
    BEGIN {print f(m), f(l), f(h)}')
  if [ "$RUNS" = 1 ]; then printf '%s' "$med"; else printf '%s (%s–%s)' "$med" "$lo" "$hi"; fi
}
[ -z "$TSV" ] || : > "$TSV"
declare -A title=(
  [baseline]="JDK 17 \`java -jar\`, default flags"
  [jdk17]="JDK 17, image flags"
  [runtime]="image runtime (JDK 25 jlink + AOT)"
)
echo
printf '| measure | target |'; for c in "${configs[@]}"; do printf ' %s |' "${title[$c]}"; done; echo
printf '|---|---|'; for _ in "${configs[@]}"; do printf -- '---:|'; done; echo
# row|what it measures|issue 6's target (in parentheses: the row has no target of its own)
while IFS='|' read -r row what goal; do
  printf '| %s | %s |' "$what" "$goal"
  for c in "${configs[@]}"; do printf ' %s |' "$(cell "$c" "$row")"; done
  echo
done <<ROWS
startup|exec → \`/healthz\` 200, ms|≤ 150 runtime, ≤ 400 \`java -jar\`
rss0|RSS after startup, MiB|≤ 48 image flags
rss1|RSS after $CALLS keep-alive \`/readyz\`, MiB|≤ 48 image flags
readyz|\`/readyz\` p99, one keep-alive client, warm, ms|≤ 1
readyz_cold|\`/readyz\` p99 of the first $CALLS after startup, ms|(≤ 1)
hook|hook overhead: \`/shutdown\` p99 over $HOOKS generations, nothing to drain, delay 0s, ms|≤ 5
hook_cold|hook overhead: first \`/shutdown\` of a sidecar, nothing to drain, ms|(≤ 5)
drain|drain detection: last app connection closed → \`/shutdown\` answered, ms|≤ 25
cpu_idle|CPU of the idle wait, % of one core (16 idle + 16 busy connections, ${CPU_WINDOW_S} s)|≤ 1
cpu_drained|CPU while drained (restart watch), % of one core|≤ 1
sigterm|SIGTERM → exit, already drained, ms|≤ 100
ROWS
[ "$RUNS" = 1 ] || echo "Each cell: median (min–max) of $RUNS runs."

# --- floor: the sidecar against the floor, and the classes per drain setup ------------------------------
median() { [ -f "$1" ] && sort -g "$1" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
if [ "$FLOOR" = 1 ]; then
  echo
  printf '| against the floor (same JVM and flags): sidecar / floor = ratio |'
  for c in "${configs[@]}"; do printf ' %s |' "${title[$c]}"; done; echo
  printf '|---|'; for _ in "${configs[@]}"; do printf -- '---:|'; done; echo
  while IFS='|' read -r row what; do
    [ -f "$tmp/values/${configs[0]}.$row" ] || continue
    printf '| %s |' "$what"
    for c in "${configs[@]}"; do
      g=$(median "$tmp/values/$c.$row") f=$(median "$tmp/values/floor-$c.$row")
      [ -z "$TSV" ] || printf '%s\t%s\t%s\t%s\t%s\n' "$row" "floor-$c" "$f" "$f" "$f" >> "$TSV"
      awk -v g="$g" -v f="$f" 'BEGIN {if (f == "" || g == "") printf " - |"; else printf " %s / %s = %.2f × |", g, f, g / f}'
    done
    echo
  done <<ROWS
startup|exec → \`/healthz\` 200, ms
rss0|RSS after startup, MiB
rss1|RSS after $CALLS keep-alive \`/readyz\`, MiB
readyz|\`/readyz\` p99, warm, ms
pod_rss|per pod, steady: RSS, mean of $PODS side by side, $POD_SETTLE s after their calls, MiB
pod_pss|per extra pod: Pss, mean of $PODS side by side, MiB
pod_anon|per extra pod: Anonymous (RssAnon), mean of $PODS side by side, MiB
ROWS
  echo "Each figure: the median of $RUNS runs (per extra pod: one set of $PODS), the floor's from the same interleaved runs."
fi
if [ -s "$tmp/class-counts" ]; then
  echo
  echo "| classes loaded after startup, $CALLS /readyz and one /shutdown | drain | all | OkHttp | Kotlin | jnr-ffi, jffi | jnr-posix | JMX | RSS after the calls, MiB | after the shutdown | peak |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  while read -r c setup n o t j p m rss after peak; do
    echo "| ${title[$c]} | $setup | $n | $o | $t | $j | $p | $m | $rss | $after | $peak |"
    [ -z "$TSV" ] || printf 'classes_%s\t%s\t%s\t%s\t%s\n' "$setup" "$c" "$n" "$n" "$n" >> "$TSV"
    [ -z "$TSV" ] || printf 'rss_%s\t%s\t%s\t%s\t%s\n' "$setup" "$c" "$rss" "$rss" "$rss" >> "$TSV"
  done < "$tmp/class-counts"
fi
