#!/usr/bin/env bash
# Installs the Debian packages of the servers the tests start (each test starts its own server on a free
# loopback port with temporary data, and stops it). Quick when everything is installed: it only asks dpkg.
# Runs unattended (CI=true, no stdin) as root, or through sudo when not root.
#
# To add a server, add its Debian package to the list below, with the test file that starts it.
set -euo pipefail

packages=(
  redis-server          # tests/Shared/Servers/RedisServer.cs
  postgresql            # tests/Shared/Servers/PostgresServer.cs
  default-jre-headless  # Java for Kafka and ZooKeeper (tests/Shared/Servers/KafkaServer.cs)
  curl                  # fetches the Kafka distribution (scripts/servers/kafka-fetch.sh)
)

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "scripts/servers/install.sh: this system has no apt-get; install these servers with its package manager" \
       "and put them on PATH: ${packages[*]}" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  installed "$package" || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exec "$(dirname "${BASH_SOURCE[0]}")/kafka-fetch.sh"
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "scripts/servers/install.sh: the tests need ${missing[*]}, which is not installed, and installing it needs" \
       "root; run 'sudo apt-get install -y ${missing[*]}' once, then run the tests again" >&2
  exit 1
fi

echo "Installing ${missing[*]} (the tests start these servers on loopback ports)"
export DEBIAN_FRONTEND=noninteractive
# Once per run: the package lists may be missing (a fresh container) or stale.
"${as_root[@]}" apt-get update -qq </dev/null
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null

for package in "${missing[@]}"; do
  if ! installed "$package"; then
    echo "scripts/servers/install.sh: apt-get did not install $package; install it by hand and run the tests again" >&2
    exit 1
  fi
done

# Kafka is not a Debian package: its distribution is fetched into a cache directory once.
exec "$(dirname "${BASH_SOURCE[0]}")/kafka-fetch.sh"
