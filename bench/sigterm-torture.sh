#!/usr/bin/env bash
# SIGTERM torture for the real jar: start it again and again under allocation pressure and send it
# SIGTERM at a random moment, either during JVM startup or while it serves a request flood.
#
#   bench/sigterm-torture.sh [RUNS]                      # default 200 runs with `java`
#   RUNS=100 JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/sigterm-torture.sh
#   EXTRA_JVM_FLAGS="-XX:+UnlockDiagnosticVMOptions -XX:+VerifyAfterGC" bench/sigterm-torture.sh 50
#
# Env: RUNS (200), JAR (target/gracekeeper.jar, relative to the repo root), JAVA (java),
#   JVM_FLAGS ("-Xmx16m -XX:+UseSerialGC": the pressure), EXTRA_JVM_FLAGS (appended), LOADERS (2
#   keep-alive curl loops on /status and /metrics), STARTUP_PCT (25: share of runs signalled
#   0-400 ms after exec; the rest 0-300 ms after /healthz answered 200), BASE_PORT (20000; run n
#   uses the first free port from BASE_PORT + n), SEED (replays the same random choices), OUT (where
#   results.tsv and the logs of failed runs are kept; default a fresh dir under $TMPDIR),
#   KEEP_ALL=1 (keep every run's logs), VERBOSE=1 (one line per run).
#
# Per run: exit code, SIGTERM -> exit ms, crash (hs_err file, fatal-error banner, or death by
# SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGABRT), hang (not gone 10 s after SIGTERM: a thread dump via SIGQUIT and
# jstack is kept, then SIGKILL). A SIGTERM that lands before the trap is installed makes the JVM
# exit 143 by its default handling: counted as "signal before trap", not a failure (so is the JVM's own
# rare "Error occurred during initialization of VM" exit 1 when the signal lands inside its init); a 143 after
# the trap was installed (the log already has config lines, or /healthz had answered) is one.
# Exits 1 if any run crashed, hung or exited with an unexpected code. Needs bash >= 5, a JDK,
# curl and coreutils. Loopback (127.0.0.1) only; every process it starts is killed on exit.
set -euo pipefail

case "${1:-}" in
  -h|--help) while IFS= read -r l; do [[ $l == '#!'* ]] && continue; [[ $l == '#'* ]] || break
               l=${l#\#}; echo "${l# }"; done < "$0"; exit 0 ;;
  '') ;;
  *[!0-9]*) echo "usage: $0 [RUNS]  (see --help)" >&2; exit 2 ;;
  *) RUNS=$1 ;;
esac
(( BASH_VERSINFO[0] >= 5 )) || { echo "needs bash >= 5 (EPOCHREALTIME)" >&2; exit 2; }

repo=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-200}
JAVA=${JAVA:-java}
JAR=${JAR:-target/gracekeeper.jar}
JVM_FLAGS=${JVM_FLAGS:--Xmx16m -XX:+UseSerialGC}
EXTRA_JVM_FLAGS=${EXTRA_JVM_FLAGS:-}
LOADERS=${LOADERS:-2}
STARTUP_PCT=${STARTUP_PCT:-25}
BASE_PORT=${BASE_PORT:-20000}
KEEP_ALL=${KEEP_ALL:-0}
VERBOSE=${VERBOSE:-0}
SEED=${SEED:-$(( ${EPOCHREALTIME/./} % 32768 ))}
HANG_MS=10000          # SIGTERM -> exit longer than this is a hang
READY_MS=20000         # exec -> /healthz 200 longer than this: signalled anyway, run fails
URLS_PER_CURL=100      # requests per curl process, on one keep-alive connection
LOAD_MAX_S=60          # a loader never outlives this, even if nobody kills it
[[ $JAR = /* ]] || JAR=$repo/$JAR
[ -f "$JAR" ] || { echo "missing $JAR: build it first (mvn -B -q -DskipTests package)" >&2; exit 2; }
command -v "$JAVA" >/dev/null || { echo "no java at '$JAVA'" >&2; exit 2; }
command -v curl >/dev/null || { echo "needs curl" >&2; exit 2; }
javabin=$(dirname "$(readlink -f "$(command -v "$JAVA")")")
JSTACK=$javabin/jstack; [ -x "$JSTACK" ] || JSTACK=$(command -v jstack || echo "")
JHSDB=$javabin/jhsdb;   [ -x "$JHSDB" ] || JHSDB=""
if [ -z "${OUT:-}" ]; then OUT=$(mktemp -d "${TMPDIR:-/tmp}/gk-torture.XXXXXX"); else mkdir -p "$OUT"; fi
OUT=$(cd "$OUT" && pwd)
RANDOM=$SEED

now() { local t=${EPOCHREALTIME/./}; NOW=$(( t / 1000 )); }   # NOW = wall clock ms, no fork
fifo=$OUT/.nap; rm -f "$fifo"; mkfifo "$fifo"; exec {napfd}<>"$fifo"; rm -f "$fifo"
nap() { read -r -t "$1" -u "$napfd" _ || true; }                  # sleep without a fork

# Every process started here runs in its own process group (set -m around `&`), so it can be
# killed with all its children, and a Ctrl-C on the terminal reaches only this script.
jpid=""; loaders=()
kill_loaders() {
  local g; for g in "${loaders[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
  for g in "${loaders[@]}"; do { wait "$g"; } 2>/dev/null || true; done
  loaders=()
}
cleanup() {
  [ -n "$jpid" ] && kill -KILL -- "-$jpid" 2>/dev/null
  kill_loaders
  exec {napfd}>&- 2>/dev/null || true
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM HUP

port_free() {  # nothing accepts on 127.0.0.1:$1 (a refused connect is immediate on loopback)
  ! timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

loader() {  # $1 port, $2 file of responses (one http code a line; 000 = transport error)
  local cfg=$OUT/.urls-$1 end i; now; end=$(( NOW + LOAD_MAX_S * 1000 ))
  for (( i = 0; i < URLS_PER_CURL; i += 2 )); do
    printf 'url = "http://127.0.0.1:%s/status"\noutput = "/dev/null"\n' "$1"
    printf 'url = "http://127.0.0.1:%s/metrics"\noutput = "/dev/null"\n' "$1"
  done > "$cfg.$BASHPID"
  for (( i = 0; i < 10000; i++ )); do
    now; (( NOW < end )) || break
    curl -s --fail-early --connect-timeout 1 --max-time 1 -w '%{http_code}\n' -K "$cfg.$BASHPID" >> "$2" 2>/dev/null \
      || nap 0.02   # refused (not listening yet, or gone)
  done
  rm -f "$cfg.$BASHPID"
}

count_lines() {  # $1 file, $2 glob: lines matching
  local n=0 line; [ -f "$1" ] || { echo 0; return; }
  while IFS= read -r line || [ -n "$line" ]; do [[ $line == $2 ]] && n=$(( n + 1 )); done < "$1"
  echo "$n"
}

jvm_flags=() extra_flags=()
read -r -a jvm_flags <<< "$JVM_FLAGS"
read -r -a extra_flags <<< "$EXTRA_JVM_FLAGS"
echo "gracekeeper SIGTERM torture: $RUNS runs, seed $SEED, out $OUT"
echo "java: $JAVA ($("$JAVA" -version 2>&1 | head -1))"
echo "jvm flags: ${JVM_FLAGS} ${EXTRA_JVM_FLAGS}; load: $LOADERS keep-alive curl loops on /status + /metrics"
printf 'run\tmoment\tdelay_ms\tport\texit\tterm_to_exit_ms\tcrash\thang\tgcs\tresponses\terror_lines\tverdict\n' \
  > "$OUT/results.tsv"

port=$BASE_PORT
for (( run = 1; run <= RUNS; run++ )); do
  dir=$OUT/run-$run; mkdir -p "$dir/state"
  port=$(( BASE_PORT + run % 10000 )); tries=0
  until port_free "$port"; do
    port=$(( port + 1 )); tries=$(( tries + 1 ))
    (( tries < 100 )) || { echo "no free port near $BASE_PORT" >&2; exit 2; }
  done
  if (( RANDOM % 100 < STARTUP_PCT )); then moment=startup; delay=$(( RANDOM % 401 ))
  else moment=serving; delay=$(( RANDOM % 301 )); fi

  now; t_exec=$NOW
  set -m
  (
    cd "$dir"; ulimit -c 0
    while IFS= read -r v; do [[ $v == GRACEKEEPER_* || $v == POD_* ]] && unset "$v"; done < <(compgen -e)
    export GRACEKEEPER_STATE_DIR=$dir/state GRACEKEEPER_BIND_ADDRESS=127.0.0.1 \
      GRACEKEEPER_PORT=$port GRACEKEEPER_DRAIN_DELAY=0s
    exec "$JAVA" "${jvm_flags[@]}" "${extra_flags[@]}" -XX:ErrorFile="$dir/hs_err_%p.log" \
      -Xlog:gc:file="$dir/gc.log" -jar "$JAR"
  ) > "$dir/log" 2>&1 &
  jpid=$!
  for (( l = 1; l <= LOADERS; l++ )); do loader "$port" "$dir/load.$l" & loaders+=($!); done
  set +m

  early=no
  if [ "$moment" = startup ]; then
    now; rem=$(( t_exec + delay - NOW ))                               # the delay counts from exec
    (( rem <= 0 )) || { printf -v s '%d.%03d' $(( rem / 1000 )) $(( rem % 1000 )); nap "$s"; }
    now; while (( NOW < t_exec + delay )); do nap 0.001; now; done
  else
    until curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" 2>/dev/null; do
      kill -0 "$jpid" 2>/dev/null || break
      now; (( NOW - t_exec < READY_MS )) || { early=not-ready; break; }
      nap 0.01
    done
    printf -v s '%d.%03d' $(( delay / 1000 )) $(( delay % 1000 )); nap "$s"
  fi
  kill -0 "$jpid" 2>/dev/null || early=exited-before-signal

  hang=no; now; sent=$NOW
  kill -TERM "$jpid" 2>/dev/null || true
  while kill -0 "$jpid" 2>/dev/null; do
    now
    if (( NOW - sent > HANG_MS )); then
      hang=yes
      kill -QUIT "$jpid" 2>/dev/null || true; nap 1                   # thread dump into the log
      [ -n "$JSTACK" ] && { timeout 15 "$JSTACK" -l "$jpid" > "$dir/jstack.txt" 2>&1 || true; }
      if [ -n "$JHSDB" ] && kill -0 "$jpid" 2>/dev/null; then
        timeout 30 "$JHSDB" jstack --pid "$jpid" > "$dir/jhsdb-jstack.txt" 2>&1 || true
      fi
      kill -KILL "$jpid" 2>/dev/null || true
      break
    fi
    nap 0.002
  done
  now; took=$(( NOW - sent ))
  code=0; { wait "$jpid"; } 2>/dev/null || code=$?    # (no "Killed" job notice from bash)
  jpid=""
  kill_loaders

  [ "$early" = exited-before-signal ] && took=-1
  crash=no
  compgen -G "$dir/hs_err_*.log" > /dev/null && crash=yes
  [ "$(count_lines "$dir/log" '*A fatal error has been detected*')" -gt 0 ] && crash=yes
  case $code in 132|134|135|136|139) crash=yes ;; esac              # SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGSEGV
  gcs=$(count_lines "$dir/gc.log" '*Pause*')
  responses=0; for (( l = 1; l <= LOADERS; l++ )); do
    responses=$(( responses + $(count_lines "$dir/load.$l" '200') )); done
  errs=$(count_lines "$dir/log" '* ERROR *')
  errs=$(( errs + $(count_lines "$dir/log" '*Exception*') + $(count_lines "$dir/log" '*OutOfMemoryError*') ))
  trapped=$(count_lines "$dir/log" '* main - config GRACEKEEPER_*')   # logged after the trap is set

  if [ "$crash" = yes ]; then verdict=FAIL:crash
  elif [ "$hang" = yes ]; then verdict=FAIL:hang
  elif [ "$early" != no ]; then verdict=FAIL:$early
  elif [ "$code" = 0 ]; then
    verdict=ok
    [ "$(count_lines "$dir/log" '*exiting (exit 0)*')" -gt 0 ] || verdict=ok-but-no-exit-line
  elif [ "$code" = 143 ] && [ "$moment" = startup ] && [ "$trapped" = 0 ]; then verdict=before-trap
  elif [ "$code" = 1 ] && [ "$moment" = startup ] && [ "$trapped" = 0 ] \
       && [ "$(count_lines "$dir/log" 'Error occurred during initialization of VM')" -gt 0 ]; then
    # The JVM's own race: a SIGTERM during its initialisation (System.initPhase2) can make it fail
    # with "InternalError: Bad level" instead of exiting 143. No gracekeeper code has run yet.
    verdict=before-trap-vm-init
  elif [ "$code" = 143 ]; then verdict=FAIL:143-after-trap-installed
  else verdict=FAIL:exit-$code
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$moment" "$delay" "$port" "$code" \
    "$took" "$crash" "$hang" "$gcs" "$responses" "$errs" "$verdict" >> "$OUT/results.tsv"
  line="run $run: $moment +${delay}ms port $port exit $code in ${took}ms, $gcs GCs, $responses responses: $verdict"
  if [[ $verdict == FAIL* || $verdict == ok-but* || $errs -gt 0 ]]; then
    echo "$line; kept $dir" >&2
  else
    [ "$VERBOSE" = 1 ] && echo "$line"
    [ "$KEEP_ALL" = 1 ] || rm -rf "$dir"
  fi
  (( run % 25 == 0 )) && echo "... $run/$RUNS runs"
done

# ---- summary (bash + sort only) ----
declare -A codes=() verdicts=()
n=0 su=0 sv=0 crashes=0 hangs=0 fails=0 gsum=0 rsum=0 noisy=0
t_all=() t_ok=() t_sv=() t_su=()
{
  read -r _
  while IFS=$'\t' read -r r m d p c t cr h g resp e v; do
    n=$(( n + 1 )); codes[$c]=$(( ${codes[$c]:-0} + 1 )); verdicts[$v]=$(( ${verdicts[$v]:-0} + 1 ))
    if [ "$m" = startup ]; then su=$(( su + 1 )); else sv=$(( sv + 1 )); fi
    [ "$cr" = yes ] && crashes=$(( crashes + 1 )); [ "$h" = yes ] && hangs=$(( hangs + 1 ))
    [[ $v == FAIL* ]] && fails=$(( fails + 1 )); (( e > 0 )) && noisy=$(( noisy + 1 ))
    gsum=$(( gsum + g )); rsum=$(( rsum + resp ))
    if [ "$h" = no ] && (( t >= 0 )); then
      t_all+=("$t"); [ "$c" = 0 ] && t_ok+=("$t")
      if [ "$m" = startup ]; then t_su+=("$t"); else t_sv+=("$t"); fi
    fi
  done
} < "$OUT/results.tsv"
pct() {  # $1 percentile, rest: values -> nearest-rank
  local p=$1; shift; (( $# )) || { echo -; return; }
  local s; mapfile -t s < <(printf '%s\n' "$@" | sort -n)
  local k=$(( (p * ${#s[@]} + 99) / 100 )); (( k < 1 )) && k=1
  echo "${s[k-1]}"
}
row() { printf '  %-26s %5s %6s %6s %6s\n' "$1" "$2" "$3" "$4" "$5"; }
prow() { local name=$1; shift; row "$name" "$#" "$(pct 50 "$@")" "$(pct 99 "$@")" "$(pct 100 "$@")"; }
hist=""; for c in $(printf '%s\n' "${!codes[@]}" | sort -n); do hist+=" $c x${codes[$c]}"; done
vh=""; for v in $(printf '%s\n' "${!verdicts[@]}" | sort); do vh+=" $v x${verdicts[$v]}"; done
echo
echo "==== SIGTERM torture summary ($("$JAVA" -version 2>&1 | head -1); ${JVM_FLAGS} ${EXTRA_JVM_FLAGS}) ===="
printf '  %-26s %s\n' "runs" "$n (signalled during startup: $su, while serving under load: $sv)"
printf '  %-26s %s\n' "exit codes" "${hist# }"
printf '  %-26s %s\n' "verdicts" "${vh# }"
printf '  %-26s %s\n' "signal before trap (143)" "${verdicts[before-trap]:-0}"
printf '  %-26s %s\n' "signal in JVM init (exit 1)" "${verdicts[before-trap-vm-init]:-0}"
printf '  %-26s %s\n' "crashes" "$crashes"
printf '  %-26s %s\n' "hangs (>${HANG_MS} ms)" "$hangs"
printf '  %-26s %s\n' "failures (any kind)" "$fails"
printf '  %-26s %s\n' "logs with ERROR/exception" "$noisy (not failures by themselves; those logs are kept)"
printf '  %-26s %s\n' "load" "$(( n ? rsum / n : 0 )) responses/run on average, $(( n ? gsum / n : 0 )) GCs/run on average"
row "SIGTERM -> exit (ms)" n p50 p99 max
prow "all runs that exited" "${t_all[@]}"
prow "exit 0" "${t_ok[@]}"
prow "signalled while serving" "${t_sv[@]}"
prow "signalled during startup" "${t_su[@]}"
echo "  per-run results: $OUT/results.tsv"
(( fails == 0 )) || { echo "FAILED: $fails run(s); their logs are kept under $OUT" >&2; exit 1; }
echo "PASSED"
