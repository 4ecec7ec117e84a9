#!/usr/bin/env bash
# Cost of the official Prometheus Java client for gracekeeper's ~10 series, against the
# hand-written text exposition it uses: time from main() to the first rendered scrape, and the
# number of classes loaded. Fetches the client from Maven Central into ~/.m2 on first use.
#   bench/prometheus-client-cost/run.sh [runs]
set -euo pipefail
cd "$(dirname "$0")"
V=${PROMETHEUS_VERSION:-1.3.6}
RUNS=${1:-5}
for a in prometheus-metrics-core prometheus-metrics-exposition-textformats; do
  mvn -q -B dependency:get -Dartifact=io.prometheus:$a:$V >/dev/null
done
CP=$(find ~/.m2/repository/io/prometheus -name "*-$V.jar" ! -name '*exposition-formats-*' | tr '\n' ':')
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
javac -nowarn -cp "$CP" -d "$out" PrometheusClient.java HandWritten.java
for _ in $(seq "$RUNS"); do
  echo "client:       $(java -XX:+UseSerialGC -cp "$out:$CP" PrometheusClient)"
  echo "hand-written: $(java -XX:+UseSerialGC -cp "$out" HandWritten)"
done
echo "classes loaded, client:       $(java -Xlog:class+load -cp "$out:$CP" PrometheusClient | grep -c 'source:')"
echo "classes loaded, hand-written: $(java -Xlog:class+load -cp "$out" HandWritten | grep -c 'source:')"
