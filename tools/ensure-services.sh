#!/usr/bin/env bash
# Starts the machine's PostgreSQL, Redis and NATS (JetStream) when they are not answering.
# Scale-mode tests use them; the embedded default needs none of them.
set -uo pipefail
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! up 5432 && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if ! up 6379 && command -v redis-server >/dev/null; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /tmp || true
fi
if ! up 4222 && command -v nats-server >/dev/null; then
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec "$(command -v nats-server)" -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log || true
fi
for port in 5432 6379 4222; do
  for _ in $(seq 1 50); do up "$port" && break; sleep 0.2; done
  up "$port" && echo "port $port: up" || echo "port $port: DOWN (scale-mode tests will fail)"
done
