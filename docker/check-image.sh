#!/usr/bin/env bash
# Runs the built image the way a pod spec runs it and checks what a pod relies on. docker/test-image.sh
# calls it after the build; as root, with podman, curl, iproute2 and util-linux:
#
#   IMAGE=localhost/gracekeeper:dev docker/check-image.sh
#
# Every run: read-only root and /tmp (readOnlyRootFilesystem: true; podman's --read-only alone would
# add a writable /tmp), UID 65532, all capabilities dropped, no-new-privileges, the state dir a tmpfs
# (an emptyDir of medium Memory), 128 MiB of memory. The network is a namespace made here (a pod's),
# never podman's bridge; the PID namespace is one made here too, shared with an "app" (a sleep as
# UID 65532), as with shareProcessNamespace: true, so that the signal drain crosses containers.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-localhost/gracekeeper:dev}
OUT=${OUT:-target/test-image}
BOUND=60   # seconds, for every wait below
TOKEN=image-check-token-5d1f0e9a
say() { echo "test-image: $*"; }
die() { echo "test-image: FAIL: $*" >&2; [ ! -s "$OUT/sidecar.log" ] || tail -n 40 "$OUT/sidecar.log" >&2; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
mkdir -p "$OUT" && rm -f "$OUT/sidecar.log" "$OUT/native-unavailable.log"

ns=gkimage$$ name=gkimage$$ mnt= pidns=
cleanup() {
  podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
  [ -z "$pidns" ] || kill -KILL "$pidns" 2>/dev/null || true
  [ -z "$mnt" ] || podman image umount "$IMAGE" >/dev/null 2>&1 || true
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT
# The kubelet's terminationMessagePath, where the sidecar writes its result at exit.
: > "$OUT/termination-log" && chmod 666 "$OUT/termination-log"
pod=(-v "$PWD/$OUT/termination-log:/dev/termination-log" --read-only --read-only-tmpfs=false --user 65532:65532 --cap-drop=all --security-opt no-new-privileges
  --tmpfs /var/run/gracekeeper:rw,size=1m,mode=1777 --memory 128m
  -e GRACEKEEPER_HOOK_TOKEN=$TOKEN -e POD_NAME=gkimage -e POD_NAMESPACE=check -e POD_UID=$$)

# What is in the image: the entrypoint, and no script that needs an interpreter the image lacks.
mnt=$(podman image mount "$IMAGE")
# One argument a line, as java reads the file; not split by the shell, which would glob a flag's '*'.
mapfile -t args < <(grep -v '^-Djffi.boot.library.path=' "$mnt/opt/gracekeeper/lib/gracekeeper.args")
[ -x "$mnt/opt/gracekeeper/jre/bin/java" ] || die "no /opt/gracekeeper/jre/bin/java in $IMAGE"
scripts=$(find "$mnt/opt/gracekeeper" -type f -perm /111 -exec sh -c '[ "$(head -c2 "$1")" = "#!" ] && echo "${1#'"$mnt"'}"' _ {} \;)
[ -z "$scripts" ] || die "scripts in a shell-less image: $scripts"
[ ! -e "$mnt/bin/sh" ] || say "note: the base image has /bin/sh (the real distroless one has none)"
podman image umount "$IMAGE" >/dev/null; mnt=

# The pod: a network namespace, and a PID namespace whose PID 1 is a pause (a sleep there ignores
# SIGTERM) with the app in it, UID 65532 as the sidecar (a signal needs the same UID).
ip netns add "$ns" && ip -n "$ns" link set lo up
unshare --pid --fork --kill-child sleep infinity & pidns=$!
disown
for _ in $(seq 100); do pause=$(pgrep -P "$pidns" || true); [ -n "$pause" ] && break; sleep 0.02; done
[ -n "$pause" ] || die "no PID namespace: unshare --pid failed"
nsenter --target "$pause" --pid -- setpriv --reuid 65532 --regid 65532 --clear-groups sleep 3600 &
in_pod() { ip netns exec "$ns" "$@"; }
call() { in_pod curl -s --max-time "$BOUND" -H "X-Gracekeeper-Token: $TOKEN" -w ' %{http_code}' "http://127.0.0.1:8686$1"; }
expect() { local got; got=$(call "$2") || true; [ "${got##* }" = "$1" ] || die "$2 answered '${got}', expected $1"; echo "${got% *}"; }

# 1. The sidecar as a pod's container; -XX:AOTMode=on: the JVM refuses to start without its AOT cache.
t0=$(now_ms)
timeout "$BOUND" podman run -d --name "$name" --network "ns:/run/netns/$ns" --pid "ns:/proc/$pause/ns/pid" "${pod[@]}" \
  -e GRACEKEEPER_DRAIN_DELAY=1s -e GRACEKEEPER_APP_DRAIN_SIGNAL=SIGTERM -e 'GRACEKEEPER_APP_PROCESS=^sleep 3600$' \
  -e JAVA_TOOL_OPTIONS=-XX:AOTMode=on "$IMAGE" >/dev/null
run_ms=$(($(now_ms) - t0))
in_pod timeout "$BOUND" sh -c 'until curl -sf -o /dev/null http://127.0.0.1:8686/healthz; do sleep 0.01; done' \
  || { podman logs "$name" > "$OUT/sidecar.log" 2>&1; die "no 200 on /healthz within $BOUND s"; }
first200=$(($(now_ms) - t0))
readonly=$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}} {{.Config.User}}' "$name")
[ "$readonly" = "true 65532:65532" ] || die "not read-only as UID 65532: $readonly"
say "started read-only as 65532 ($IMAGE): /healthz 200 after ${first200} ms from podman run"
expect 200 /poststart >/dev/null
expect 200 /readyz >/dev/null
pid=$(podman inspect --format '{{.State.Pid}}' "$name")
rss=$(awk '/^VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
shutdown=$(expect 200 /shutdown)
case "$shutdown" in *'"outcome":"drained"'*'SIGTERM sent to pid'*) ;; *) die "/shutdown did not drain by signal: $shutdown" ;; esac
expect 503 /readyz >/dev/null
say "postStart 200, /shutdown drained: the app in the shared PID namespace got SIGTERM"
t1=$(now_ms)
timeout "$BOUND" podman stop -t 30 "$name" >/dev/null
stop_ms=$(($(now_ms) - t1))
code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
podman logs "$name" > "$OUT/sidecar.log" 2>&1
[ "$code" = 0 ] || die "podman stop: exit $code, expected 0"
! grep -E '^WARNING|\[warning\]\[aot\]|\[error\]' "$OUT/sidecar.log" || die "the JVM warned (above)"
grep -q 'Picked up JAVA_TOOL_OPTIONS: -XX:AOTMode=on' "$OUT/sidecar.log" || die "-XX:AOTMode=on was not applied"
serving=$(sed -n 's/.*, \([0-9]*\) ms after main() began.*/\1/p' "$OUT/sidecar.log")
say "podman stop: exit 0 in ${stop_ms} ms; AOT cache accepted (-XX:AOTMode=on)"
grep -q 'drained' "$OUT/termination-log" || die "no result in the termination message: $(cat "$OUT/termination-log")"
podman rm "$name" >/dev/null

# 2. jffi's library path removed from the JVM's arguments: exit 7 at startup, not a sidecar whose drain
#    signal cannot be sent (jffi cannot unpack itself onto the read-only /tmp).
timeout "$BOUND" podman run --name "$name" --network none "${pod[@]}" -e GRACEKEEPER_APP_DRAIN_SIGNAL=SIGQUIT \
  -e GRACEKEEPER_APP_PROCESS=nginx --entrypoint /opt/gracekeeper/jre/bin/java "$IMAGE" "${args[@]}" \
  > "$OUT/native-unavailable.log" 2>&1 && code=0 || code=$?
[ "$code" = 7 ] || { cat "$OUT/native-unavailable.log" >&2; die "without jffi.boot.library.path: exit $code, expected 7"; }
grep -q 'GRACEKEEPER_APP_DRAIN_SIGNAL needs native POSIX calls (exit 7)' "$OUT/native-unavailable.log" \
  || die "exit 7 without its message ($OUT/native-unavailable.log)"
say "without jffi.boot.library.path: exit 7, naming the cause and the fix"

say "figures: image $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}');" \
  "podman run -> first 200 ${first200} ms (podman run returned after ${run_ms} ms); main() -> serving ${serving:-?} ms; RSS ${rss} MiB after a postStart;" \
  "podman stop ${stop_ms} ms"
