#!/usr/bin/env bash
# Times a full leaderboard rebuild on a throwaway PostgreSQL: `bench/leaderboard.sh [--users N] [--days N]`.
# Starts a server on 127.0.0.1:$APES_PG_PORT (55498), creates a database, migrates, generates the data and rebuilds
# every period in Release, then stops and removes the server.
set -euo pipefail
cd "$(dirname "$0")/.."
export APES_PG_PORT="${APES_PG_PORT:-55498}"
source scripts/postgres.sh
apes_pg_start
trap apes_pg_stop EXIT
psql_bin="$(apes_pg_bindir)/psql"
"$psql_bin" -h 127.0.0.1 -p "$APES_PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE apes_bench" >/dev/null
export Database__Provider=Postgres
export ConnectionStrings__Apes="Host=127.0.0.1;Port=$APES_PG_PORT;Username=postgres;Database=apes_bench"
export Auth__JwtSigningKey="benchmark-signing-key-0123456789abcdef-0123"
export Roles=api
export Logging__LogLevel__Default=Warning
dotnet build -c Release src/ApesTogether.Api -v q -nologo >/dev/null
dotnet run -c Release --no-build --no-launch-profile --project src/ApesTogether.Api -- migrate
dotnet run -c Release --no-build --no-launch-profile --project src/ApesTogether.Api -- benchmark-leaderboard "$@"
