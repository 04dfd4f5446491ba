#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis instances the e2e tests use are running.
# Idempotent: starts a service only when it is installed but stopped, and stays
# quiet (one summary line) when everything is already up.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
WAIT_SECONDS=30

log() { echo "services: $*" >&2; }

missing() {
  log "$1 is not installed."
  log "install it with: apt-get update && apt-get install -y $2"
  exit 1
}

# Polls a check command once per second so a slow cold start does not fail CI,
# but a broken service still fails within WAIT_SECONDS.
wait_for() {
  local name=$1
  shift
  local i
  for ((i = 0; i < WAIT_SECONDS; i++)); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 1
  done
  log "$name did not become ready within ${WAIT_SECONDS}s"
  return 1
}

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }
redis_up() { [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

ensure_postgres() {
  command -v pg_isready >/dev/null 2>&1 || missing "PostgreSQL (pg_isready)" postgresql
  if pg_up; then
    return 0
  fi
  command -v pg_ctlcluster >/dev/null 2>&1 || missing "PostgreSQL server (pg_ctlcluster)" postgresql
  local version
  # The cluster version directory is named after the major version (e.g. 15);
  # take the newest if several are installed.
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] || missing "a PostgreSQL cluster (/etc/postgresql is empty)" postgresql
  log "starting PostgreSQL $version"
  # --skip-systemctl-redirect: containers and CI runners usually have no systemd.
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for PostgreSQL pg_up
}

ensure_redis() {
  command -v redis-cli >/dev/null 2>&1 || missing "Redis client (redis-cli)" redis-server
  if redis_up; then
    return 0
  fi
  command -v redis-server >/dev/null 2>&1 || missing "Redis server (redis-server)" redis-server
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  # No persistence: test data is disposable and fsyncs only slow the suite down.
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis redis_up
}

ensure_postgres
ensure_redis
echo "services: postgresql ok, redis ok"
