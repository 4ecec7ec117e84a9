#!/usr/bin/env bash
# Builds docker/Dockerfile, unchanged, with Debian's podman and runs the image the way a pod spec
# runs it. As root, from anywhere in the repository:
#
#   docker/test-image.sh              # build, then the checks (docker/check-image.sh)
#   docker/test-image.sh --clean      # first remove what earlier runs cached: as on a fresh machine
#   docker/test-image.sh --build-only # build (or find up to date) and stop
#
# On a machine without them it installs podman, runc and mmdebstrap (apt), and writes the podman
# settings this needs into /etc/containers/containers.conf.d/ only where no containers.conf sets them.
# A base image that cannot be pulled is replaced by a local stand-in (docker/stand-ins.sh), tagged
# with the Dockerfile's name and labelled dev.gracekeeper.stand-in.
#
# Cached between runs on one machine: the base images or their stand-ins, the build stage (tagged
# BUILD_CACHE) and Maven's repository (the Dockerfile's RUN --mount=type=cache). Never podman's
# default bridge network: the build uses the host's network (Maven needs Maven Central), the
# checks a network namespace of their own.
#
# Env: IMAGE (localhost/gracekeeper:dev), BUILD_CACHE (localhost/gracekeeper-build:cache),
# PULL_TIMEOUT (60 s per base image; 0: never pull, use stand-ins), BUILD_TIMEOUT (600 s for each
# stand-in and each build step), OUT (target/test-image: logs).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-localhost/gracekeeper:dev}
BUILD_CACHE=${BUILD_CACHE:-localhost/gracekeeper-build:cache}
PULL_TIMEOUT=${PULL_TIMEOUT:-60}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-600}
OUT=${OUT:-target/test-image}
STAND_IN_LABEL=dev.gracekeeper.stand-in
DROP_IN=/etc/containers/containers.conf.d/50-gracekeeper-test-image.conf
say() { echo "test-image: $*"; }
die() { echo "test-image: FAIL: $*" >&2; exit 1; }

mode=${1:-test}
case "$mode" in test|--clean|--build-only) ;; *) die "unknown option $mode: --clean or --build-only" ;; esac
[ "$(id -u)" = 0 ] || die "run as root: podman here runs rootful (network namespaces, runc, cgroupfs)"
mkdir -p "$OUT"
start=$SECONDS

# 1. Tools. util-linux (unshare, nsenter, setpriv), iproute2 and curl are for the checks.
need=()
for tool in podman:podman runc:runc mmdebstrap:mmdebstrap curl:curl ip:iproute2 nsenter:util-linux; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
say "$(podman --version), $(runc --version | head -n1)"

# 2. podman's settings, each written only where no containers.conf sets it already.
#    nofile: podman's default (1048576) is above this sandbox's hard limit, so setrlimit fails; nproc:
#    podman lowers its own to 32768, and a container cannot be given more. crun fails on hybrid cgroups.
confs=(/etc/containers/containers.conf /etc/containers/containers.conf.d/*.conf)
is_set() { grep -qsE "^[[:space:]]*$1[[:space:]]*=" "${confs[@]}"; }
where_set() { grep -lsE '^[[:space:]]*(default_ulimits|runtime|cgroup_manager|events_logger)[[:space:]]*=' "${confs[@]}" | paste -sd' '; }
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
nproc=$(ulimit -Hu); { [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
containers=() engine=()
is_set default_ulimits || containers+=("default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]")
is_set runtime || engine+=('runtime = "runc"')
is_set cgroup_manager || engine+=('cgroup_manager = "cgroupfs"')
is_set events_logger || engine+=('events_logger = "file"')
if [ ${#containers[@]} -gt 0 ] || [ ${#engine[@]} -gt 0 ]; then
  mkdir -p "$(dirname "$DROP_IN")"
  { echo "# Written by gracekeeper's docker/test-image.sh: settings no other containers.conf had."
    [ ${#containers[@]} -eq 0 ] || printf '[containers]\n'; printf '%s\n' "${containers[@]}"
    [ ${#engine[@]} -eq 0 ] || printf '[engine]\n'; printf '%s\n' "${engine[@]}"
  } > "$DROP_IN"
  say "wrote $DROP_IN, as no containers.conf set them:"; sed 's/^/    /' "$DROP_IN"
else
  say "podman settings: already set in $(where_set), left as they are"
fi

# 3. --clean: forget everything earlier runs cached (never a real base image, only stand-ins).
stand_in() { podman image inspect --format "{{index .Labels \"$STAND_IN_LABEL\"}}" "$1" 2>/dev/null | grep -v '^<no value>$' || true; }
bases=$(sed -n 's/^ARG \(BUILD\|BASE\)_IMAGE=//p' docker/Dockerfile)
[ "$(echo "$bases" | wc -w)" = 2 ] || die "docker/Dockerfile: expected ARG BUILD_IMAGE=... and ARG BASE_IMAGE=..., found: $bases"
if [ "$mode" = --clean ]; then
  for base in $bases; do [ -z "$(stand_in "$base")" ] || podman rmi -f "$base" >/dev/null; done
  podman rmi -f "$IMAGE" "$BUILD_CACHE" >/dev/null 2>&1 || true
  podman image prune -f >/dev/null
  rm -rf /var/tmp/buildah-cache/root/.m2   # the Dockerfile's RUN --mount=type=cache,target=/root/.m2
  say "--clean: removed the image, the build stage, Maven's cache mount and the stand-in base images"
fi

# 4. The base images: cached, pulled, or made.
for base in $bases; do
  kind=runtime; [ "$base" = "$(sed -n 's/^ARG BUILD_IMAGE=//p' docker/Dockerfile)" ] && kind=build
  if podman image exists "$base"; then
    label=$(stand_in "$base")
    say "base $base: cached${label:+, a $label}"
  elif [ "$PULL_TIMEOUT" -gt 0 ] && timeout "$PULL_TIMEOUT" podman pull -q "$base" > "$OUT/pull.log" 2>&1; then
    say "base $base: pulled"
  else
    say "base $base: cannot be pulled ($(tail -n1 "$OUT/pull.log" 2>/dev/null || echo 'PULL_TIMEOUT=0')); making a local stand-in"
    timeout "$BUILD_TIMEOUT" bash docker/stand-ins.sh "$kind" "$base" 2>&1 | sed 's/^/    /'
    [ "${PIPESTATUS[0]}" = 0 ] || die "docker/stand-ins.sh $kind $base failed or passed BUILD_TIMEOUT=$BUILD_TIMEOUT s (above)"
  fi
done

# 5. The build: the build stage first, tagged, so that its layers stay cached until the sources change.
build_start=$SECONDS
for target in build final; do
  tag=$IMAGE args=()
  [ $target = build ] && tag=$BUILD_CACHE args=(--target build)
  if ! timeout "$BUILD_TIMEOUT" podman build --network host "${args[@]}" -f docker/Dockerfile -t "$tag" . \
      > "$OUT/build-$target.log" 2>&1; then
    tail -n 60 "$OUT/build-$target.log" >&2
    die "podman build ($target stage) failed or passed BUILD_TIMEOUT=$BUILD_TIMEOUT s; the whole log: $OUT/build-$target.log"
  fi
done
podman image prune -f >/dev/null   # the build stages that an earlier build left untagged
size=$(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f", $1/1e6}')
say "built $IMAGE in $((SECONDS - build_start)) s: $size MB ($OUT/build-final.log)"
[ "$mode" = --build-only ] && exit 0

# 6. The checks, as a pod runs the image.
IMAGE=$IMAGE OUT=$OUT bash docker/check-image.sh
say "PASS in $((SECONDS - start)) s"
