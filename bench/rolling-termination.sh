#!/usr/bin/env bash
# Rolling termination under load, three ways in one run: (a) no coordination, (b) a preStop sleep
# long enough to be safe, (c) gracekeeper. Prints a markdown table and writes an SVG timeline of
# one gracekeeper run to target/bench/timeline.svg.
#
# Needs root and the pod bed's packages: apt-get install nginx-light haproxy wrk catatonit iproute2
# Usage: bench/rolling-termination.sh [runs]   (default 1; each run takes about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1}
mvn -B -q -DskipTests package test-compile
cp=$(mvn -B -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)
exec java -cp "target/test-classes:target/classes:$cp" -Dgracekeeper.jar=target/gracekeeper.jar \
  dev.gracekeeper.e2e.RollingBench "$runs" target/bench
