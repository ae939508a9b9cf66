#!/usr/bin/env bash
# Runs one load study from the shaded benchmarks jar and keeps its output under benchmarks/target/results/.
# Usage: benchmarks/run-study.sh OverheadStudy|LoadBalancingStudy|HedgingStudy|ScaleStudy [-Dname=value ...]
# Build the jar first: ./mvnw -q -DskipTests -pl benchmarks -am package
set -euo pipefail
cd "$(dirname "$0")"
study="$1"; shift
mkdir -p target/results
java -Xms1g -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$@" \
  -cp target/benchmarks.jar "dev.weft.benchmarks.load.$study" \
  2> >(tee "target/results/$study.log" >&2) | tee "target/results/$study.json"
