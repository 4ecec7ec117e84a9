#!/usr/bin/env bash
# Builds the floor of bench/footprint.sh: bench/floor/Floor.java as a jar, and with JDK 25 the same
# treatment docker/build-runtime.sh gives the sidecar (a jlink'd JRE of the modules it needs, an AOT
# cache from a training run with the image's flags, an argument file and a launcher), so that the
# runtime column is compared with a floor built the same way.
#
#   bench/floor/build.sh JAVAC OUT_DIR          # OUT_DIR/floor.jar only
#   bench/floor/build.sh JAVAC OUT_DIR JDK25    # and OUT_DIR/runtime/{jre,lib,bin/floor}
#
# The image's flags come from docker/build-runtime.sh --print-flags (JVM_FLAGS overrides them there).
set -euo pipefail
cd "$(dirname "$0")/../.."
die() { echo "floor: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: $0 JAVAC OUT_DIR [JDK25]"
javac=$1 jdk=${3:-}
mkdir -p "$2"
out=$(cd "$2" && pwd)

rm -rf "$out/classes" "$out/floor.jar"
timeout 120 "$javac" --release 17 -nowarn -d "$out/classes" bench/floor/Floor.java
(cd "$out/classes" && "$(dirname "$javac")/jar" cf "$out/floor.jar" Floor.class)
[ -n "$jdk" ] || exit 0

rt=$out/runtime
rm -rf "$rt"
mkdir -p "$rt/lib" "$rt/bin"
cp "$out/floor.jar" "$rt/lib/floor.jar"
mapfile -t flags < <(docker/build-runtime.sh --print-flags)
"$jdk/bin/jlink" --add-modules java.base,jdk.httpserver --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --output "$rt/jre"

# The training run: start, the two paths the benchmark calls, SIGTERM; the JVM writes the cache at exit.
port= pid=
trap 'kill -KILL ${pid:-} 2>/dev/null || true' EXIT
for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 30000))
  GRACEKEEPER_PORT=$port GRACEKEEPER_BIND_ADDRESS=127.0.0.1 "$rt/jre/bin/java" "${flags[@]}" \
    -XX:AOTCacheOutput="$rt/lib/floor.aot" -cp "$rt/lib/floor.jar" Floor > "$out/training.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do
    grep -q listening "$out/training.log" && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
  done
  grep -q listening "$out/training.log" && break
  wait $pid || true
  pid=
done
[ -n "$pid" ] || { cat "$out/training.log" >&2; die "training: the floor did not listen"; }
for path in /healthz /readyz /readyz; do
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
  read -r _ status _ <&3
  cat <&3 > /dev/null
  exec 3<&-
  [ "$status" = 200 ] || die "training: $path answered $status"
done
kill -TERM $pid
wait $pid || true
pid=
[ -s "$rt/lib/floor.aot" ] || { cat "$out/training.log" >&2; die "training: no AOT cache written"; }
{
  printf '%s\n' "${flags[@]}"
  printf '%s\n' "-XX:AOTCache=$rt/lib/floor.aot" -cp "$rt/lib/floor.jar" Floor
} > "$rt/lib/floor.args"
cat > "$rt/bin/floor" <<LAUNCHER
#!/bin/sh
# Written by bench/floor/build.sh, as docker/build-runtime.sh writes the sidecar's launcher.
: "\${MALLOC_ARENA_MAX:=2}"
export MALLOC_ARENA_MAX
exec "$rt/jre/bin/java" "@$rt/lib/floor.args" "\$@"
LAUNCHER
chmod 755 "$rt/bin/floor"
echo "floor: runtime in $rt ($(du -sh "$rt" | cut -f1), AOT cache $(du -sh "$rt/lib/floor.aot" | cut -f1))" >&2
