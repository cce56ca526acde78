# Starts the servers a sample needs on free loopback ports, with their data in one temporary directory, and stops
# them when the script that sources this file exits. For the samples' run.sh scripts:
#
#   source scripts/servers/servers.sh      # creates $SERVERS_DIR, stops everything on exit
#   start_redis                            # sets REDIS_PORT
#   start_postgres                         # sets POSTGRES_PORT (user postgres, no password, database postgres)
#   start_kafka                            # sets KAFKA_PORT, ZOOKEEPER_PORT, KAFKA_CLIENT (the URI query 0.9 needs)
#   kafka_create_topic lines 4             # a topic with 4 partitions
#   kafka_produce lines < file.txt         # one message per line
#
# scripts/servers/install.sh installs the Debian packages (redis-server, postgresql, Java) and fetches Kafka.
# Bash only; every server runs in the foreground of a background job, and its PID is kept to stop it.

SERVERS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/compiled-servers.XXXXXX")
_server_pids=()

stop_servers() {
  local pid
  for pid in "${_server_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${_server_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  _server_pids=()
  rm -rf "$SERVERS_DIR"
}
trap stop_servers EXIT

# A loopback port nothing listens on: a random one that refuses a connection, below the range the kernel hands out for
# outgoing connections and port-0 listeners (32768-60999 by default), so that a connection another test opens meanwhile
# cannot take it before the server binds it (a JVM takes seconds to get there).
free_port() {
  local port low=32768 range
  if read -r range _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null && [ "$range" -gt 12000 ]; then
    low=$range
  fi
  while true; do
    port=$((10000 + RANDOM % (low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# Waits up to $2 seconds for the command $1 (a string) to succeed; fails naming $3's log.
_wait_for() {
  local command=$1 seconds=$2 log=$3 i
  for ((i = 0; i < seconds * 10; i++)); do
    if eval "$command" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "servers.sh: '$command' did not succeed within $seconds s; the server's log ($log):" >&2
  tail -n 20 "$log" >&2
  return 1
}

start_redis() {
  REDIS_PORT=$(free_port)
  mkdir -p "$SERVERS_DIR/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$SERVERS_DIR/redis" --daemonize no --save '' \
    --appendonly no >"$SERVERS_DIR/redis.log" 2>&1 &
  _server_pids+=($!)
  _wait_for "redis-cli -p $REDIS_PORT ping | grep -q PONG" 15 "$SERVERS_DIR/redis.log"
  echo "redis-server on 127.0.0.1:$REDIS_PORT" >&2
}

start_postgres() {
  POSTGRES_PORT=$(free_port)
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ]; then
    echo "servers.sh: PostgreSQL is not installed; run scripts/servers/install.sh" >&2
    return 1
  fi
  local data="$SERVERS_DIR/postgres" as_postgres=()
  mkdir -p "$data"
  # PostgreSQL refuses to run as root: as root, run it as the postgres user the Debian package creates.
  if [ "$(id -u)" -eq 0 ]; then
    chmod 755 "$SERVERS_DIR"
    chown postgres:postgres "$data"
    chmod 700 "$data"
    as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups)
  fi
  "${as_postgres[@]}" "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-sync >"$SERVERS_DIR/initdb.log" 2>&1 \
    || { cat "$SERVERS_DIR/initdb.log" >&2; return 1; }
  "${as_postgres[@]}" "$bin/postgres" -D "$data" -p "$POSTGRES_PORT" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories="$data" -c max_prepared_transactions=10 -c wal_level=logical \
    -c max_replication_slots=4 -c max_wal_senders=4 >"$SERVERS_DIR/postgres.log" 2>&1 &
  _server_pids+=($!)
  _wait_for "pg_isready -q -h 127.0.0.1 -p $POSTGRES_PORT" 30 "$SERVERS_DIR/postgres.log"
  echo "PostgreSQL on 127.0.0.1:$POSTGRES_PORT (user postgres, database postgres)" >&2
}

_kafka_libs() {
  local home=${COMPILED_KAFKA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/compiled/kafka-0.9.0.1}
  if [ ! -f "$home/libs/kafka_2.11-0.9.0.1.jar" ]; then
    echo "servers.sh: Kafka is not in $home; run scripts/servers/install.sh" >&2
    return 1
  fi
  echo "$home/libs/*"
}

start_kafka() {
  local libs
  libs=$(_kafka_libs) || return 1
  ZOOKEEPER_PORT=$(free_port)
  KAFKA_PORT=$(free_port)
  # Kafka 0.9 predates the request that asks a broker for its API versions: every client must say so.
  KAFKA_CLIENT="api.version.request=false&broker.version.fallback=0.9.0.1"
  local dir="$SERVERS_DIR/kafka"
  mkdir -p "$dir"
  printf '%s\n' "log4j.rootLogger=INFO, file" "log4j.appender.file=org.apache.log4j.FileAppender" \
    "log4j.appender.file.File=$dir/zookeeper.log" "log4j.appender.file.layout=org.apache.log4j.PatternLayout" \
    "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n" >"$dir/zookeeper-log4j.properties"
  sed "s|zookeeper.log|broker.log|" "$dir/zookeeper-log4j.properties" >"$dir/broker-log4j.properties"
  printf '%s\n' "dataDir=$dir/zookeeper" "clientPort=$ZOOKEEPER_PORT" "clientPortAddress=127.0.0.1" \
    "maxClientCnxns=0" >"$dir/zookeeper.properties"
  printf '%s\n' "broker.id=0" "listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT" \
    "advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT" "log.dirs=$dir/logs" \
    "zookeeper.connect=127.0.0.1:$ZOOKEEPER_PORT" "auto.create.topics.enable=true" "num.partitions=1" \
    "offsets.topic.replication.factor=1" "offsets.topic.num.partitions=4" "group.max.session.timeout.ms=300000" \
    "controlled.shutdown.enable=false" >"$dir/server.properties"
  touch "$dir/zookeeper.log" "$dir/broker.log"
  java -Xmx128m -XX:+UseSerialGC -Dlog4j.configuration="file:$dir/zookeeper-log4j.properties" -cp "$libs" \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zookeeper.properties" >/dev/null 2>&1 &
  _server_pids+=($!)
  _wait_for "[ \"\$( (exec 3<>/dev/tcp/127.0.0.1/$ZOOKEEPER_PORT; printf ruok >&3; timeout 2 cat <&3) 2>/dev/null)\" = imok ]" 30 "$dir/zookeeper.log"
  java -Xmx384m -XX:+UseSerialGC -Dlog4j.configuration="file:$dir/broker-log4j.properties" -cp "$libs" \
    kafka.Kafka "$dir/server.properties" >/dev/null 2>&1 &
  _server_pids+=($!)
  _wait_for "grep -q 'started (kafka.server.KafkaServer)' '$dir/broker.log'" 60 "$dir/broker.log"
  echo "Kafka 0.9.0.1 on 127.0.0.1:$KAFKA_PORT (ZooKeeper on 127.0.0.1:$ZOOKEEPER_PORT)" >&2
}

# kafka_create_topic NAME PARTITIONS
kafka_create_topic() {
  local libs
  libs=$(_kafka_libs) || return 1
  java -Xmx128m -XX:TieredStopAtLevel=1 -Dlog4j.configuration="file:$SERVERS_DIR/kafka/zookeeper-log4j.properties" \
    -cp "$libs" kafka.admin.TopicCommand --zookeeper "127.0.0.1:$ZOOKEEPER_PORT" --create --topic "$1" \
    --partitions "$2" --replication-factor 1 >"$SERVERS_DIR/kafka/topic-$1.log" 2>&1 \
    || { cat "$SERVERS_DIR/kafka/topic-$1.log" >&2; return 1; }
}

# kafka_produce TOPIC < lines: one message per line of standard input (Kafka's own console producer).
kafka_produce() {
  local libs
  libs=$(_kafka_libs) || return 1
  java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j.configuration="file:$SERVERS_DIR/kafka/zookeeper-log4j.properties" \
    -cp "$libs" kafka.tools.ConsoleProducer --broker-list "127.0.0.1:$KAFKA_PORT" --topic "$1" \
    --request-required-acks 1 >"$SERVERS_DIR/kafka/produce-$1.log" 2>&1 \
    || { cat "$SERVERS_DIR/kafka/produce-$1.log" >&2; return 1; }
}
