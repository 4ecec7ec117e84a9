#!/usr/bin/env bash
# Local stand-ins for the Dockerfile's two base images, for machines that cannot pull them; made only
# from Debian packages (mmdebstrap, the machine's own apt mirror), a Temurin 25 JDK on the host and
# Maven from Maven Central. Each is tagged with the exact name the Dockerfile uses, so that podman
# never tries to pull it, and labelled dev.gracekeeper.stand-in so that no one mistakes it for the
# real image (`podman image inspect --format '{{index .Labels "dev.gracekeeper.stand-in"}}' NAME`).
#
#   docker/stand-ins.sh build   NAME     # NAME: the build stage's image (Maven + JDK 25 + binutils)
#   docker/stand-ins.sh runtime NAME     # NAME: the final stage's base (glibc, nonroot 65532, no shell)
#
# Env: JDK25 (/usr/lib/jvm/temurin-25-jdk-amd64), MAVEN_VERSION (3.9.11). Needs root, podman, mmdebstrap.
set -euo pipefail

JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
MAVEN_VERSION=${MAVEN_VERSION:-3.9.11}
LABEL=dev.gracekeeper.stand-in
die() { echo "stand-ins: $*" >&2; exit 1; }
step() { echo "stand-ins: $*" >&2; }

[ $# -eq 2 ] || die "usage: $0 build|runtime IMAGE_NAME"
kind=$1 name=$2

# The machine's own Debian suite and mirror (deb822 .sources or one-line sources.list), never a guess.
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$suite" ] || die "no VERSION_CODENAME in /etc/os-release: this needs a Debian release"
mirror=$(sed -n 's/^URIs:[[:space:]]*\(http[^[:space:]]*\/debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\(http[^[:space:]]*\/debian\)\/*[[:space:]].*/\2/p' \
  /etc/apt/sources.list 2>/dev/null | head -n1)
[ -n "$mirror" ] || die "no Debian mirror (a URI ending in /debian) in /etc/apt/sources.list or sources.list.d/*.sources"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$SECONDS

case "$kind" in
runtime)
  # distroless's base-nossl: glibc, libgcc, CA-free, tzdata, /etc/passwd with nonroot 65532, no shell.
  # The extract variant unpacks packages without running their scripts, and skips --customize-hook.
  mmdebstrap --quiet --variant=extract --include=libc6,libgcc-s1,base-files,netbase,tzdata \
    --extract-hook='printf "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n" > "$1/etc/passwd"' \
    --extract-hook='printf "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n" > "$1/etc/group"' \
    --extract-hook='mkdir -p "$1/tmp" "$1/home/nonroot" && chmod 1777 "$1/tmp" && chown 65532:65532 "$1/home/nonroot"' \
    "$suite" "$work/rootfs.tar" "deb $mirror $suite main"
  changes=(--change USER=65532 --change WORKDIR=/home/nonroot)
  what="glibc, nonroot 65532 and no shell from Debian $suite, like $name"
  ;;
build)
  [ -x "$JDK25/bin/jlink" ] || die "no JDK at JDK25=$JDK25 (Temurin 25: the build stage needs jlink and the AOT cache)"
  # Maven from Maven Central through the host's own Maven and its settings.
  mvn -B -q dependency:copy -Dartifact="org.apache.maven:apache-maven:$MAVEN_VERSION:tar.gz:bin" \
    -DoutputDirectory="$work" > "$work/mvn.log" 2>&1 \
    || { cat "$work/mvn.log" >&2; die "could not fetch Maven $MAVEN_VERSION from Maven Central with the host's mvn"; }
  mkdir "$work/maven" && tar -xzf "$work/apache-maven-$MAVEN_VERSION-bin.tar.gz" -C "$work/maven" --strip-components=1
  # binutils: jlink --strip-debug runs objcopy. The JDK's cacerts is a symlink on Debian hosts: copy -L.
  mmdebstrap --quiet --variant=minbase --include=ca-certificates,binutils \
    --customize-hook="mkdir -p \"\$1/opt/java\" && cp -a '$JDK25' \"\$1/opt/java/openjdk\"" \
    --customize-hook="rm -f \"\$1/opt/java/openjdk/lib/security/cacerts\" && cp -L '$JDK25/lib/security/cacerts' \"\$1/opt/java/openjdk/lib/security/cacerts\"" \
    --customize-hook="cp -a '$work/maven' \"\$1/usr/share/maven\" && ln -s /usr/share/maven/bin/mvn \"\$1/usr/bin/mvn\"" \
    "$suite" "$work/rootfs.tar" "deb $mirror $suite main"
  changes=(--change ENV=JAVA_HOME=/opt/java/openjdk --change ENV=MAVEN_HOME=/usr/share/maven
    --change ENV=PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
  what="Debian $suite minbase, $("$JDK25/bin/java" -version 2>&1 | head -n1 | tr -d '"'), Maven $MAVEN_VERSION, binutils, like $name"
  ;;
*) die "unknown kind $kind: build or runtime" ;;
esac

podman import --quiet "${changes[@]}" --change "LABEL $LABEL=\"stand-in, not the real image: $what\"" \
  "$work/rootfs.tar" "$name" >/dev/null
step "$name: stand-in made in $((SECONDS - start)) s, $(podman image inspect --format '{{.Size}}' "$name" | awk '{printf "%.1f MB", $1/1e6}') ($what)"
