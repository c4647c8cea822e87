#!/usr/bin/env bash
# Runs a command with PostgreSQL 15 and Redis 7 (Debian's packages) started for it on loopback: each in a fresh data
# folder, on its own port, in its own process group, stopped by its own process id when the command ends (however it
# ends). The command finds them in OVSS_TEST_POSTGRES (an Npgsql connection string to the maintenance database of a
# superuser) and OVSS_TEST_REDIS (host:port). No Docker. Run it inside tools/in-media-netns.sh, as ./test.sh does, so
# the ports are the namespace's own; outside one, pass other ports in OVSS_TEST_POSTGRES_PORT / OVSS_TEST_REDIS_PORT.
# Usage: tools/with-test-servers.sh COMMAND [ARG...]
set -euo pipefail

pg_bin=/usr/lib/postgresql/15/bin
pg_port=${OVSS_TEST_POSTGRES_PORT:-55432}
redis_port=${OVSS_TEST_REDIS_PORT:-56379}
for tool in "$pg_bin/initdb" "$pg_bin/postgres" "$pg_bin/pg_isready" /usr/bin/redis-server /usr/bin/redis-cli; do
  [ -x "$tool" ] || { echo "with-test-servers: $tool is missing (./test.sh installs postgresql and redis-server)" >&2; exit 1; }
done

root=$(mktemp -d /tmp/ovss-servers.XXXXXX)
chmod 755 "$root"
pg_pid=""
redis_pid=""
stop() {
  # SIGINT is PostgreSQL's "fast shutdown"; then the whole group, in case something lingers.
  [ -n "$pg_pid" ] && kill -INT "$pg_pid" 2>/dev/null && { timeout 10 tail --pid="$pg_pid" -f /dev/null || kill -KILL -- "-$pg_pid" 2>/dev/null; } || true
  [ -n "$redis_pid" ] && kill -TERM "$redis_pid" 2>/dev/null && { timeout 10 tail --pid="$redis_pid" -f /dev/null || kill -KILL -- "-$redis_pid" 2>/dev/null; } || true
  rm -rf "$root"
}
trap stop EXIT
trap 'exit 130' INT TERM

# PostgreSQL refuses to run as root: as root, its files belong to Debian's postgres user and it runs as that user
# (setpriv execs, so the process id is the server's own).
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --); fi
mkdir -p "$root/pg"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$root/pg"
"${as_pg[@]}" "$pg_bin/initdb" -D "$root/pg" -U ovss --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$root/initdb.log" 2>&1 \
  || { cat "$root/initdb.log" >&2; exit 1; }
# A throwaway server for tests: durability off (each test's database is new), loopback only, no Unix socket.
setsid "${as_pg[@]}" "$pg_bin/postgres" -D "$root/pg" -p "$pg_port" -c listen_addresses=127.0.0.1 -c unix_socket_directories= \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 >"$root/pg.log" 2>&1 &
pg_pid=$!

mkdir -p "$root/redis"
setsid /usr/bin/redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$root/redis" --save '' --appendonly no \
  --daemonize no --logfile "$root/redis.log" &
redis_pid=$!

# Wait for both to answer (a start-up, not a test: poll, at most 30 s).
for _ in $(seq 1 300); do
  "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" && break
  kill -0 "$pg_pid" 2>/dev/null || { cat "$root/pg.log" >&2; exit 1; }
  sleep 0.1
done
"$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" || { echo "with-test-servers: PostgreSQL did not start" >&2; cat "$root/pg.log" >&2; exit 1; }
for _ in $(seq 1 300); do
  [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = PONG ] && break
  kill -0 "$redis_pid" 2>/dev/null || { cat "$root/redis.log" >&2; exit 1; }
  sleep 0.1
done
[ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = PONG ] || { echo "with-test-servers: Redis did not start" >&2; exit 1; }

export OVSS_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=ovss;Database=postgres"
export OVSS_TEST_REDIS="127.0.0.1:$redis_port"
"$@"
