#!/usr/bin/env bash
# What the benchmark scripts share: a throwaway PostgreSQL with one database, the service's settings for it, Release
# builds of the service and the load-test tool, and a cleanup that stops the service and the servers.
#
#   source bench/common.sh
#   apes_bench_start DBNAME     # PostgreSQL on $APES_PG_PORT with database DBNAME; exports the service's settings;
#                               # builds; sets $api_dll and the ${load[@]} command
#   service_pid=…               # the service, stopped (with the servers) on exit
set -euo pipefail

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results=bench/results
mkdir -p "$results"
source scripts/postgres.sh
source scripts/rabbitmq.sh
service_pid=""

apes_bench_stop_service() {
  if [[ -n "$service_pid" ]]; then kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; fi
  service_pid=""
}

apes_bench_cleanup() {
  apes_bench_stop_service
  apes_pg_stop
  apes_rmq_stop
}

apes_bench_start() {
  local database=$1
  trap apes_bench_cleanup EXIT
  apes_pg_start
  "$(apes_pg_bindir)/psql" -h 127.0.0.1 -p "$APES_PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE $database" >/dev/null
  export Database__Provider=Postgres
  export ConnectionStrings__Apes="Host=127.0.0.1;Port=$APES_PG_PORT;Username=postgres;Database=$database"
  export Auth__JwtSigningKey="benchmark-signing-key-0123456789abcdef-0123"
  export Logging__LogLevel__Default=Warning
  dotnet build -c Release src/ApesTogether.Api -v q -nologo >/dev/null
  dotnet build -c Release tools/ApesTogether.LoadTest -v q -nologo >/dev/null
  api_dll="$PWD/src/ApesTogether.Api/bin/Release/net10.0/ApesTogether.Api.dll"
  load=(dotnet "$PWD/tools/ApesTogether.LoadTest/bin/Release/net10.0/ApesTogether.LoadTest.dll")
}

# psql against the benchmark's database: apes_bench_psql DBNAME SQL
apes_bench_psql() {
  "$(apes_pg_bindir)/psql" -h 127.0.0.1 -p "$APES_PG_PORT" -U postgres -d "$1" -tAc "$2"
}
