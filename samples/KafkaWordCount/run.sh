#!/usr/bin/env bash
# Runs KafkaWordCount against a Kafka and a Redis of its own: installs what is missing (scripts/servers/install.sh),
# starts Kafka 0.9 (with its ZooKeeper) and redis-server on free loopback ports with their data in a temporary
# directory, produces the word count's bundled book to the topic `lines` (4 partitions), one message per line, runs
# the job with a checkpoint until every line is counted, prints the hash's largest totals, and stops everything.
# Extra arguments go to the job (e.g. --batch-interval 500ms).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
"$root/scripts/servers/install.sh"
dotnet build "$root/samples/KafkaWordCount" -c Release -nologo -v quiet >/dev/null
source "$root/scripts/servers/servers.sh"
start_kafka
start_redis
kafka_create_topic lines 4
kafka_produce lines <"$root/samples/WordCount/input/genesis-kjv.txt"
echo "Produced $(wc -l <"$root/samples/WordCount/input/genesis-kjv.txt") lines to topic 'lines'" >&2

source_uri="kafka://127.0.0.1:$KAFKA_PORT/lines?group=kafka-word-count&start=earliest&$KAFKA_CLIENT&session.timeout.ms=10000"
sink_uri="redis://127.0.0.1:$REDIS_PORT/word-counts?type=hash"
"$root/samples/KafkaWordCount/bin/Release/net10.0/KafkaWordCount" --source "$source_uri" --sink "$sink_uri" \
  --checkpoint "$SERVERS_DIR/checkpoint" "$@" &
job=$!
_server_pids=("$job" "${_server_pids[@]}")   # stopped first on exit (SIGTERM: it commits the batch in flight)

# The topic holds the whole book and nothing more comes: wait until the totals stop changing for three seconds.
last="" same=0
while [ "$same" -lt 3 ]; do
  sleep 1
  kill -0 "$job" 2>/dev/null || { echo "KafkaWordCount ended early; see its log above" >&2; exit 1; }
  now=$(redis-cli -p "$REDIS_PORT" HGET word-counts the)
  if [ -n "$now" ] && [ "$now" = "$last" ]; then same=$((same + 1)); else same=0; fi
  last=$now
done

kill -TERM "$job"
wait "$job" || true
echo "redis-cli HLEN word-counts: $(redis-cli -p "$REDIS_PORT" HLEN word-counts) words; the ten largest totals:"
redis-cli -p "$REDIS_PORT" HGETALL word-counts | paste - - | sort -k2,2nr -k1,1 | awk "NR <= 10"
