#!/usr/bin/env bash
# Builds gracekeeper's runtime from the shaded jar, with JDK 25 ($JAVA_HOME):
#
#   docker/build-runtime.sh target/gracekeeper.jar OUT_DIR
#   docker/build-runtime.sh --print-flags          # the JVM flags it would use, one a line
#
#   OUT_DIR/jre/                  a JRE trimmed by jlink to the modules the jar uses
#   OUT_DIR/lib/gracekeeper.jar   the jar
#   OUT_DIR/lib/gracekeeper.aot   an AOT cache (a CDS archive of the JDK's and the jar's classes, with
#                                 profiles) from a training run of the jar on this JRE
#   OUT_DIR/lib/native/           jffi's native library, so nothing is extracted into a temp dir at run time
#   OUT_DIR/lib/gracekeeper.args  the JVM flags, the cache and the jar: the one list of them (a java @argfile)
#   OUT_DIR/bin/gracekeeper       a launcher for runs outside the image: exec java @gracekeeper.args
#
# Build OUT_DIR where it will run (the Dockerfile uses /opt/gracekeeper in both stages): the argument file
# holds absolute paths, and the AOT cache is used only with the same jar path, size and mtime.
# docker/README.md says why each step and each flag is there, with the measurements.
set -euo pipefail

JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
die() { echo "build-runtime: $*" >&2; exit 1; }
step() { echo "build-runtime: $*" >&2; }

# The JVM flags: here and nowhere else. Each one's measured effect is in docker/README.md.
# JVM_FLAGS (space-separated, no quotes: a quote would reach the JVM as part of the flag) replaces them,
# to measure an alternative; the image uses these.
default_flags=(
  -XX:+UnlockDiagnosticVMOptions
  -XX:ArchiveRelocationMode=0
  -XX:+UseSerialGC
  -Xms8m
  -Xmx32m
  -XX:TieredStopAtLevel=1
  -XX:-UsePerfData
  -XX:TrimNativeHeapInterval=5000
  -XX:CompileCommand=quiet
  '-XX:CompileCommand=exclude,io.undertow.server.protocol.http.HttpRequestParser*::handleHeader'
  --sun-misc-unsafe-memory-access=allow
)
# Split on spaces, never globbed (a flag holds a '*').
if [ -n "${JVM_FLAGS:-}" ]; then read -r -a flags <<< "$JVM_FLAGS"; else flags=("${default_flags[@]}"); fi
# --print-flags: the flags alone, one a line, for the benchmarks that run another JDK with them.
if [ "${1:-}" = --print-flags ]; then printf '%s\n' "${flags[@]}"; exit 0; fi

[ $# -eq 2 ] || die "usage: $0 JAR OUT_DIR"
[ -f "$1" ] || die "no jar at $1 (mvn -B -DskipTests package)"
[ -x "$JAVA_HOME/bin/jlink" ] || die "no JDK at JAVA_HOME=$JAVA_HOME"
feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release")
[ "${feature:-0}" -ge 25 ] || die "JDK 25 or later needed for the one-step AOT cache; $JAVA_HOME is ${feature:-unknown}"
# jlink --strip-debug strips the JRE's native libraries with objcopy, found on PATH.
command -v objcopy >/dev/null 2>&1 || die "no objcopy on PATH: jlink --strip-debug runs it to strip the JRE's native libraries (Debian, Ubuntu: apt-get install binutils)"
mkdir -p "$2"
out=$(cd "$2" && pwd)
case "$out" in *[[:space:]\"\'\\#]*) die "OUT_DIR must not hold spaces, quotes, # or backslashes (an argument file lists it): $out" ;; esac

jar=$out/lib/gracekeeper.jar
aot=$out/lib/gracekeeper.aot
native=$out/lib/native
args=$out/lib/gracekeeper.args

flags+=("-Djffi.boot.library.path=$native")

rm -rf "$out/jre" "$out/lib" "$out/bin"
mkdir -p "$out/lib" "$out/bin" "$native"
cp "$1" "$jar"

# 1. Modules: what the jar's classes refer to. The training run below proves the list is enough.
modules=$("$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 "$jar")
case ",$modules," in *,jdk.unsupported,*) ;; *) die "jdeps missed jdk.unsupported (sun.misc.Signal traps SIGTERM): $modules" ;; esac
#    java.management stays: the idle wait charges its /proc walks the thread's CPU time through
#    ThreadMXBean. Main refuses the platform MBean server that XNIO's MBean registrations would create.
step "modules: $modules"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --output "$out/jre"

# 2. jffi's native library, taken out of the jar now. At run time jffi looks in jffi.boot.library.path
#    (<dir>/<arch>-Linux/ first) before extracting itself into java.io.tmpdir or the working directory,
#    which fails on a read-only or noexec /tmp; jnr-posix would then lose kill().
libs=$("$JAVA_HOME/bin/jar" tf "$jar" | grep -E '^jni/(x86_64|aarch64)-Linux/libjffi-[0-9.]+\.so$' || true)
[ -n "$libs" ] || die "no jni/<arch>-Linux/libjffi-*.so in $jar"
# shellcheck disable=SC2086
(cd "$native" && "$JAVA_HOME/bin/jar" xf "$jar" $libs && mv jni/* . && rmdir jni)
arch=$(sed -n 's/^OS_ARCH="\(.*\)"/\1/p' "$JAVA_HOME/release")
[ "$arch" = amd64 ] && arch=x86_64
ls "$native/$arch-Linux/"libjffi-*.so >/dev/null 2>&1 || die "no jffi library for this JRE's arch $arch in $jar"

# No separate CDS archive of the JRE (-Xshare:dump): the AOT cache holds the JDK's classes too, and a JVM
# that refuses the cache runs with no archive at all rather than fall back to jre/lib/server/classes.jsa,
# so that file would be 14 MB never read.

# 3. The AOT cache (JEP 514/515), trained on exactly what starts in every pod: the real jar on this JRE with
#    the same flags, on loopback with a temp state dir, configured with the app's port and no drain action.
#    The JVM writes the cache at exit. With AOT class linking the JVM loads every class of the cache at
#    startup, so a cache trained with a drain action would load OkHttp, Kotlin and jnr-ffi into every pod;
#    a pod that configures one loads those classes from the jar, in the background, when it starts.
#    A second sidecar, not recorded, stands in for the app (its port is the app port) and proves that this
#    JRE holds what the drain actions need: an HTTP drain, a ready URL, and a signal drain that really kills
#    a `sleep` found by pidfile.
train=$(mktemp -d)
sidecar= proof= app=
trap 'kill -KILL ${sidecar:-} ${proof:-} ${app:-} 2>/dev/null || true; rm -rf "$train"' EXIT
http() { # METHOD PATH: prints the status code; bash's /dev/tcp, since curl is not in every build image
  local status
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$1" "$2" >&3
  read -r _ status _ <&3 || status=
  cat <&3 >/dev/null
  exec 3<&-
  echo "$status"
}
expect() { # STATUS METHOD PATH (on $port; $log is shown on failure)
  local got
  got=$(http "$2" "$3") || got=none
  [ "$got" = "$1" ] || { cat "$log" >&2; die "training: $2 $3 answered $got, expected $1"; }
}
launch() { # LOG STATE_DIR [NAME=VALUE ...] -- [JVM option ...]: a sidecar on a free port (@PORT@ in a
  local attempt code envs=() deadline      # value), up: its port and pid into port and sidecar
  log=$1 state=$2; shift 2
  while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 30000))
    env GRACEKEEPER_BIND_ADDRESS=127.0.0.1 GRACEKEEPER_PORT=$port GRACEKEEPER_STATE_DIR=$state \
      GRACEKEEPER_DRAIN_DELAY=0s GRACEKEEPER_TERMINATION_MESSAGE_PATH=$state/termination-log "${envs[@]//@PORT@/$port}" \
      "$out/jre/bin/java" "${flags[@]}" "$@" -jar "$jar" > "$log" 2>&1 &
    sidecar=$!
    deadline=$((SECONDS + 30))
    until [ "$(http GET /healthz 2>/dev/null)" = 200 ]; do
      kill -0 $sidecar 2>/dev/null || break
      [ $SECONDS -lt $deadline ] || { cat "$log" >&2; die "training: no /healthz within 30s"; }
      sleep 0.05
    done
    kill -0 $sidecar 2>/dev/null && return 0
    wait $sidecar && code=0 || code=$?
    [ $code = 3 ] || { cat "$log" >&2; die "training: the sidecar exited with $code"; }
    step "port $port taken, another (attempt $attempt)"
    sidecar=
  done
  die "training: no free port after 5 attempts"
}
stop() { # PID LOG: SIGTERM, exit 0, no JVM warning
  local code
  kill -TERM "$1"
  wait "$1" && code=0 || code=$?
  [ $code = 0 ] || { cat "$2" >&2; die "training: exit $code after SIGTERM"; }
  # The cache leaves out what it cannot hold (classes of the old verifier, proxies, JFR events), each named
  # in an [aot] warning; a launcher WARNING (restricted or terminally deprecated methods) fails the build.
  if grep -E '^WARNING|\[error\]' "$2" >&2; then die "training: the JVM warned or failed (above)"; fi
}
sleep 600 & app=$!
echo $app > "$train/app.pid"
mkdir -p "$train/proof" "$train/cache"
launch "$train/proof.log" "$train/proof" GRACEKEEPER_APP_DRAIN_SIGNAL=SIGTERM \
  GRACEKEEPER_APP_PROCESS=pidfile:$train/app.pid GRACEKEEPER_APP_DRAIN_METHOD=GET \
  GRACEKEEPER_APP_DRAIN_URL=http://127.0.0.1:@PORT@/healthz GRACEKEEPER_APP_READY_URL=http://127.0.0.1:@PORT@/healthz --
proof=$sidecar proof_port=$port
launch "$train/log" "$train/cache" GRACEKEEPER_APP_PORTS=$proof_port -- -XX:AOTCacheOutput="$aot"
expect 200 GET /readyz
expect 200 GET /status
expect 200 GET /metrics
expect 200 POST /poststart
expect 200 GET /readyz
expect 200 GET /shutdown
expect 503 GET /readyz
expect 200 GET /shutdown
grep -q 'drained in' "$log" || { cat "$log" >&2; die "training: the shutdown did not drain"; }
training=$sidecar training_log=$log

# The proof next: it must be gone before the trained sidecar's SIGTERM, which waits for its app to go.
port=$proof_port log=$train/proof.log
expect 200 POST /poststart
expect 200 GET /shutdown
grep -q 'SIGTERM sent to pid' "$log" || { cat "$log" >&2; die "proof: the signal drain did not run"; }
grep -q 'GET http://127.0.0.1:[0-9]*/healthz -> 200' "$log" || { cat "$log" >&2; die "proof: the HTTP drain did not run"; }
grep -q 'drained in' "$log" || { cat "$log" >&2; die "proof: the shutdown did not drain"; }
stop $proof "$log"
proof=
step "proof: an HTTP drain, a ready URL and a signal drain ran on this JRE"

stop $training "$training_log"
sidecar=
[ -s "$aot" ] || { cat "$training_log" >&2; die "training: no AOT cache written"; }
step "training: $(grep -c 'Skipping' "$training_log" || true) classes left out of the AOT cache (see -Xlog:aot)"

# 4. The argument file (one argument a line) and the launcher.
{
  printf '%s\n' "${flags[@]}"
  printf '%s\n' "-XX:AOTCache=$aot" -jar "$jar"
} > "$args"
cat > "$out/bin/gracekeeper" <<EOF
#!/bin/sh
# Written by docker/build-runtime.sh. The JVM flags are in $args, which the image's ENTRYPOINT
# passes to java the same way; exec makes the JVM this process, so it receives SIGTERM itself.
# glibc's malloc arenas: 2, as the image's ENV sets (docker/README.md has the measurement).
: "\${MALLOC_ARENA_MAX:=2}"
export MALLOC_ARENA_MAX
exec "$out/jre/bin/java" "@$args" "\$@"
EOF
chmod 755 "$out/bin/gracekeeper"
step "runtime in $out: $(du -sh "$out" | cut -f1) (jre $(du -sh "$out/jre" | cut -f1), AOT cache $(du -sh "$aot" | cut -f1))"
