#!/usr/bin/env bash
# A throwaway RabbitMQ broker on loopback for the tests and benchmarks: its own node name, ports, data directory and
# Erlang cookie, removed on stop. Installs the server from Debian packages when it is missing.
#
#   source scripts/rabbitmq.sh
#   apes_rmq_start       # exports APES_TEST_RABBITMQ (an AMQP URI)
#   apes_rmq_stop
set -euo pipefail

APES_RMQ_PORT="${APES_RMQ_PORT:-55672}"

apes_rmq_install() {
  if [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then return 0; fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "RabbitMQ is not installed and this is not root: run 'sudo apt-get install rabbitmq-server'." >&2
    return 1
  fi
  echo "Installing RabbitMQ from Debian packages..."
  export DEBIAN_FRONTEND=noninteractive
  # The package would start its own broker where an init system runs; ours is started by hand below.
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null
  [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]
}

# The environment every rabbitmq command of ours needs: node, ports, directories and cookie (via HOME).
apes_rmq_env() {
  local dir=$1
  echo "HOME=$dir RABBITMQ_NODENAME=apes$APES_RMQ_PORT@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1" \
    "RABBITMQ_NODE_PORT=$APES_RMQ_PORT RABBITMQ_DIST_PORT=$((APES_RMQ_PORT + 1)) ERL_EPMD_PORT=$((APES_RMQ_PORT + 2))" \
    "ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log" \
    "RABBITMQ_CONFIG_FILE=$dir/rabbitmq RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins" \
    "RABBITMQ_PID_FILE=$dir/rabbitmq.pid RABBITMQ_LOGS=$dir/log/rabbit.log"
}

apes_rmq_start() {
  apes_rmq_install
  local attempt
  for attempt in 1 2 3; do
    if apes_rmq_try_start; then
      export APES_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$APES_RMQ_PORT/"
      echo "RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null) on 127.0.0.1:$APES_RMQ_PORT ($APES_RMQ_DIR)"
      return 0
    fi
    echo "RabbitMQ did not start (attempt $attempt of 3):" >&2
    tail -n 30 "$APES_RMQ_DIR/server.out" >&2 2>/dev/null || true
    apes_rmq_stop
  done
  return 1
}

# One start: our own epmd first and waited for (left to the node, its start sometimes races the node's registration:
# "register/listen error: econnrefused"), then the node, then wait until it takes AMQP connections.
apes_rmq_try_start() {
  APES_RMQ_DIR=$(mktemp -d /tmp/apes-rmq.XXXXXX)
  mkdir -p "$APES_RMQ_DIR/mnesia" "$APES_RMQ_DIR/log"
  echo "[]." > "$APES_RMQ_DIR/enabled_plugins"
  cat > "$APES_RMQ_DIR/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$APES_RMQ_PORT
disk_free_limit.absolute = 50MB
log.console = false
log.file.level = warning
EOF
  local as=()
  if [[ $(id -u) -eq 0 ]] && id rabbitmq >/dev/null 2>&1; then
    chown -R rabbitmq "$APES_RMQ_DIR"
    as=(runuser -u rabbitmq --)
  fi
  export APES_RMQ_DIR
  # shellcheck disable=SC2046
  env $(apes_rmq_env "$APES_RMQ_DIR") "${as[@]}" epmd -daemon -address 127.0.0.1 >/dev/null 2>&1 || true
  local epmd=0
  for _ in $(seq 1 50); do
    # shellcheck disable=SC2046
    if env $(apes_rmq_env "$APES_RMQ_DIR") epmd -names >/dev/null 2>&1; then epmd=1; break; fi
    sleep 0.1
  done
  [[ $epmd -eq 1 ]] || return 1
  # shellcheck disable=SC2046
  ( cd "$APES_RMQ_DIR" && exec env $(apes_rmq_env "$APES_RMQ_DIR") setsid "${as[@]}" /usr/lib/rabbitmq/bin/rabbitmq-server \
      >"$APES_RMQ_DIR/server.out" 2>&1 ) &
  # setsid runs in place (a background job is no group leader): this pid leads the node's session.
  APES_RMQ_PID=$!
  export APES_RMQ_PID
  for _ in $(seq 1 120); do
    # shellcheck disable=SC2046
    if env $(apes_rmq_env "$APES_RMQ_DIR") "${as[@]}" /usr/lib/rabbitmq/bin/rabbitmq-diagnostics -q check_port_connectivity \
        >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$APES_RMQ_PID" 2>/dev/null || return 1
    sleep 1
  done
  return 1
}

apes_rmq_stop() {
  [[ -n "${APES_RMQ_DIR:-}" && -d "$APES_RMQ_DIR" ]] || return 0
  local as=()
  [[ $(id -u) -eq 0 ]] && id rabbitmq >/dev/null 2>&1 && as=(runuser -u rabbitmq --)
  # shellcheck disable=SC2046
  env $(apes_rmq_env "$APES_RMQ_DIR") "${as[@]}" /usr/lib/rabbitmq/bin/rabbitmqctl -q stop >/dev/null 2>&1 || true
  # A node that never came up does not answer rabbitmqctl: end its whole session.
  if [[ -n "${APES_RMQ_PID:-}" ]]; then
    for _ in $(seq 1 50); do kill -0 "$APES_RMQ_PID" 2>/dev/null || break; sleep 0.1; done
    pkill -KILL -s "$APES_RMQ_PID" >/dev/null 2>&1 || true
    wait "$APES_RMQ_PID" 2>/dev/null || true
    unset APES_RMQ_PID
  fi
  # Our epmd outlives the node; it listens on our private port only.
  # shellcheck disable=SC2046
  env $(apes_rmq_env "$APES_RMQ_DIR") epmd -kill >/dev/null 2>&1 || true
  rm -rf "$APES_RMQ_DIR"
  unset APES_RMQ_DIR
}
