#!/usr/bin/env bash
# The footprint regression guard: one quick pass of bench/footprint.sh, each row's median against
# the figure documented in bench/footprint-baseline.txt. A row fails only when it is above twice its
# figure (or above the row's floor, for figures so small that timer noise alone could double them),
# and then only if two more quick passes of that configuration confirm it: a gross regression
# persists, noise does not.
#
#   bench/footprint-guard.sh             # about 25 s, plus 15 s to build target/runtime if needed
#
# Exits 0 when every row is within its limit, 1 on a confirmed regression (both tables are printed),
# 2 when a prerequisite is missing (wrk, JDK 25: the message says which). Env as bench/footprint.sh
# (JAVA17, JDK25, STATE_ROOT); BASELINE (bench/footprint-baseline.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
BASELINE=${BASELINE:-bench/footprint-baseline.txt}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
command -v wrk >/dev/null || { echo "footprint-guard: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -x "$JDK25/bin/jlink" ] || { echo "footprint-guard: no JDK 25 at $JDK25 (JDK25=...): the image runtime cannot be built" >&2; exit 2; }
export JDK25

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The baseline: "row config figure floor" lines; the limit is max(2 x figure, floor).
limits=$tmp/limits
awk '!/^#/ && NF >= 4 {l = 2 * $3; if ($4 > l) l = $4; print $1, $2, $3, l}' "$BASELINE" > "$limits"
[ -s "$limits" ] || { echo "footprint-guard: no figures in $BASELINE" >&2; exit 2; }
configs=$(awk '{print $2}' "$limits" | sort -u | tr '\n' ' ')

pass() { # N CONFIGS: one quick pass; "row config median" into $tmp/pass-N
  QUICK=1 CONFIGS="$2" TSV="$tmp/pass-$1.tsv" bench/footprint.sh
  cut -f1-3 "$tmp/pass-$1.tsv" | tr '\t' ' ' > "$tmp/pass-$1"
}
over() { # MEASURED_FILE: the "row config" pairs above their limit
  awk 'NR == FNR {limit[$1 " " $2] = $4; next} ($1 " " $2) in limit && $3 > limit[$1 " " $2] {print $1, $2}' \
    "$limits" "$1"
}

# Up to three passes; a row counts with its lowest value so far: a regression shows in every pass,
# noise seldom in three in a row. After the first, only the configurations over a limit run again.
pass 1 "$configs"
cp "$tmp/pass-1" "$tmp/measured"
for n in 2 3; do
  [ -n "$(over "$tmp/measured")" ] || break
  again=$(over "$tmp/measured" | awk '{print $2}' | sort -u | tr '\n' ' ')
  echo "footprint-guard: over the limit so far: $(over "$tmp/measured" | tr '\n' ';' | sed 's/;$//'); pass $n with $again"
  pass "$n" "$again"
  awk 'NR == FNR {next_[$1 " " $2] = $3; next}
       {k = $1 " " $2; v = $3; if (k in next_ && next_[k] < v) v = next_[k]; print $1, $2, v}' \
    "$tmp/pass-$n" "$tmp/measured" > "$tmp/lowest"
  mv "$tmp/lowest" "$tmp/measured"
done

echo
echo "| row | configuration | documented | limit | measured | |"
echo "|---|---|---:|---:|---:|---|"
failed=0
while read -r row config figure limit; do
  measured=$(awk -v k="$row $config" '($1 " " $2) == k {print $3}' "$tmp/measured")
  if [ -z "$measured" ]; then verdict="not measured"; failed=1
  elif awk -v m="$measured" -v l="$limit" 'BEGIN {exit !(m > l)}'; then verdict="REGRESSION"; failed=1
  else verdict=ok; fi
  echo "| $row | $config | $figure | $limit | ${measured:--} | $verdict |"
done < "$limits"
if [ $failed = 1 ]; then
  echo "footprint-guard: a row is above twice its documented figure in three passes (table above);" \
    "bench/README.md says how to find the cause; update $BASELINE only with a full run's figures" >&2
  exit 1
fi
echo "footprint-guard: every row within twice its documented figure ($BASELINE)"
