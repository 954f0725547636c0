#!/usr/bin/env bash
# Runs every test: the unit tests, then the API tests twice, on the embedded SQLite default and on a real
# PostgreSQL, both times with a real RabbitMQ broker for the event-transport tests. PostgreSQL and RabbitMQ are installed
# from Debian packages when missing and started on loopback by this script; if either cannot start, the run fails.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

source scripts/postgres.sh
source scripts/rabbitmq.sh
trap 'apes_pg_stop; apes_rmq_stop' EXIT

log=$(mktemp)
run() {
  local label=$1; shift
  echo "== $label"
  set +e
  "$@" 2>&1 | tee -a "$log"
  local code=${PIPESTATUS[0]}
  set -e
  return "$code"
}

status=0
apes_rmq_start
dotnet build ApesTogether.slnx -c Release -warnaserror
run "unit tests" dotnet test tests/ApesTogether.Tests -c Release --no-build || status=1
APES_TEST_DB=Sqlite run "API tests on SQLite" dotnet test tests/ApesTogether.IntegrationTests -c Release --no-build || status=1
apes_pg_start
APES_TEST_DB=Postgres run "API tests on PostgreSQL" dotnet test tests/ApesTogether.IntegrationTests -c Release --no-build || status=1

# One closing line for every runner: the totals of the three passes.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
runs=$(grep -cE '(Passed|Failed)! +- ' "$log" || true)
rm -f "$log"
if [[ "$runs" -ne 3 ]]; then
  echo "expected 3 test runs, saw $runs" >&2
  status=1
fi
echo "$passed passed, $failed failed"
exit $status
