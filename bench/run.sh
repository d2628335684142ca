#!/bin/sh
# Runs one bench harness from the packaged module:
#   bench/run.sh XdsFleet --n 1000       (a harness of dev.meshroll.bench, with its options)
#   bench/run.sh jmh [JMH options]       (the JMH benchmarks)
# Build first: mvn -q -pl bench -am package -DskipTests
# Run from the repository's root: outputs go to bench/target/bench-results.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
jar=$(ls "$here"/target/bench-*.jar 2>/dev/null | head -n 1)
if [ -z "$jar" ] || [ ! -d "$here/target/lib" ]; then
  echo "bench is not built: mvn -q -pl bench -am package -DskipTests" >&2
  exit 1
fi
harness=$1
shift
case "$harness" in
  jmh) main=org.openjdk.jmh.Main ;;
  *) main=dev.meshroll.bench.$harness ;;
esac
exec java ${BENCH_JAVA_OPTS:--Xms1g -Xmx4g -XX:+UseG1GC} \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$jar:$here/target/lib/*" "$main" "$@"
