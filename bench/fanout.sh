#!/usr/bin/env bash
# The fan-out benchmark: one trade by a creator with N subscribers, each with a device; the time from the trade's commit
# to the last push accepted by a fake FCM, once with the in-process transport and once through RabbitMQ.
#   bench/fanout.sh [--subscribers 10000]
# Everything runs on 127.0.0.1: a throwaway PostgreSQL ($APES_PG_PORT, 55497) and RabbitMQ ($APES_RMQ_PORT, 55682),
# the service in Release with every role on :5092, and the load-test tool's fake FCM (OAuth token endpoint and HTTP v1
# send) on :5093, whose generated service-account JSON the service loads. The service's clock is moved into a trading
# session (Clock__StartAt) so that the trade executes whatever the real hour. Reports: bench/results/fanout-*.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
subscribers=10000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --subscribers) subscribers="$2"; shift 2 ;;
    *) echo "usage: bench/fanout.sh [--subscribers N]" >&2; exit 2 ;;
  esac
done
export APES_PG_PORT="${APES_PG_PORT:-55497}" APES_RMQ_PORT="${APES_RMQ_PORT:-55682}"
port=5092
fcm_port=5093
work=$(mktemp -d /tmp/apes-fanout.XXXXXX)
source bench/common.sh
apes_bench_start apes_fanout
apes_rmq_start
tool_pid=""
cleanup() {
  if [[ -n "$tool_pid" ]]; then kill "$tool_pid" 2>/dev/null || true; fi
  apes_bench_cleanup
  rm -rf "$work"
}
trap cleanup EXIT

# Tuesday 1 December 2026, 10:00 New York: the seed's "now".
echo "== seed: $subscribers users, all subscribed to stockguru, with one or two devices each"
(cd src/ApesTogether.Api && Clock__StartAt=2026-12-01T15:00:00Z dotnet "$api_dll" seed --users "$subscribers" --days 30 --seed 42 \
  --fanout-subscribers "$subscribers") | tee "$results/fanout-seed.log"

# Pushes to expect: every device of every subscriber of stockguru with access at the trade (all seeded users: with
# --fanout-subscribers equal to --users the seed gives none of them settings that would hold or mute the alert).
expected=$(apes_bench_psql apes_fanout "
  SELECT count(*) FROM device_tokens d
  JOIN subscriptions s ON s.subscriber_user_id = d.user_id
  JOIN users c ON c.id = s.creator_user_id AND c.username = 'stockguru'
  WHERE s.status IN ('active', 'canceled') AND s.current_period_end > TIMESTAMP '2026-12-01 17:00:00'
    AND NOT EXISTS (SELECT 1 FROM notification_settings n WHERE n.user_id = d.user_id)")
echo "== $subscribers subscribers of stockguru with $expected devices"

# One run: the tool starts the fake FCM and writes its service account, the service starts against it, the tool trades
# and waits for every push.
measure() {
  local name=$1 start_at=$2; shift 2
  rm -f "$work/sa.json"
  echo "== $name"
  "${load[@]}" fanout --host "http://127.0.0.1:$port" --fcm-port "$fcm_port" --service-account "$work/sa.json" \
    --expect "$expected" --label "$name" --out "$results/$name" > >(tee "$results/$name.log") 2>&1 &
  tool_pid=$!
  for _ in $(seq 100); do [[ -s "$work/sa.json" ]] && break; sleep 0.1; done
  [[ -s "$work/sa.json" ]] || { echo "the fake FCM did not start" >&2; exit 1; }
  (cd src/ApesTogether.Api && ASPNETCORE_URLS="http://127.0.0.1:$port" Clock__StartAt="$start_at" \
    Notifications__Sender=Fcm Notifications__Fcm__ServiceAccountFile="$work/sa.json" Notifications__Fcm__BaseUrl="http://127.0.0.1:$fcm_port/" \
    Notifications__BatchWindow=00:00:00 Notifications__MaxPerMinute=1000000 exec env "$@" dotnet "$api_dll") >"$results/$name-service.log" 2>&1 &
  service_pid=$!
  local code=0
  wait "$tool_pid" || code=$?
  tool_pid=""
  apes_bench_stop_service
  [[ $code -eq 0 ]] || { echo "$name failed (exit $code); service log: $results/$name-service.log" >&2; exit "$code"; }
}
measure fanout-inprocess 2026-12-01T15:30:00Z Messaging__Transport=InProcess
measure fanout-rabbitmq 2026-12-01T16:30:00Z Messaging__Transport=RabbitMq ConnectionStrings__RabbitMq="$APES_TEST_RABBITMQ" \
  Messaging__RabbitMq__Prefix=fanout

echo
echo "== summary (nproc $(nproc); service, PostgreSQL, RabbitMQ and the fake FCM on the same machine)"
for name in fanout-inprocess fanout-rabbitmq; do
  printf '%-18s %s\n' "$name" "$(grep -E 'commit → last push|pushes expected' "$results/$name.md" | tr -s ' |' ' ' | tr '\n' ';')"
done
