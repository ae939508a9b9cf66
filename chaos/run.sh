#!/usr/bin/env bash
# Runs the fault harness (or, with --soak 10m, its soak mode) and keeps its output under
# chaos/target/results/. Builds the shaded jar first unless CHAOS_SKIP_BUILD=1.
# Usage: chaos/run.sh [--rate 150] [--schedule baseline:20s,kill:20s,...] [--soak 10m]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${CHAOS_SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -o -q -DskipTests -Dspotless.check.skip=true -pl chaos -am package
fi
name=run
for a in "$@"; do [[ "$a" == --soak ]] && name=soak; done
mkdir -p chaos/target/results
java -Xms512m -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${CHAOS_JAVA_OPTS:-} \
  -jar chaos/target/chaos.jar "$@" \
  2> >(tee "chaos/target/results/$name.log" >&2) | tee "chaos/target/results/$name.md"
