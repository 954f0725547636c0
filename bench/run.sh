#!/usr/bin/env bash
# The guide's load test and our throughput runs, end to end on one machine (everything on 127.0.0.1):
#   bench/run.sh [--users 1000]     (the number of seeded users; default 1,000)
# Starts a throwaway PostgreSQL on 127.0.0.1:$APES_PG_PORT (55495), creates a database, seeds it, starts the service in
# Release on the single-box configuration (PostgreSQL, every role) on 127.0.0.1:5090, waits for /health/ready, then runs
#   (a) the guide's scenario: 1,000 users, spawn rate 10/s, 1–5 s think time, 210 s (Locust's accounting: from the first spawn).
#       Every user logs in on start, and a login is a PBKDF2 hash (100,000 iterations, ≈ 0.1 s of one core) that the service
#       runs on at most half the cores: ≈ 8–10 logins/s on 2 cores. So users arrive at 10/s (spawning takes 100 s, the
#       logins finish by ≈ 2 minutes) and the run lasts long enough for all 1,000 to be in and trading for over a minute.
#   (b) the same mix without think time at 256 and at 1,000 connections, 30 s each, measured once every user has logged in
# and writes bench/results/{a-guide-1000u,b-nothink-256c,b-nothink-1000c}{.json,.md,_stats.csv}. Stops everything at the end.
# Settings of the service can be overridden from the environment (e.g. Database__Pool__MaxSize=64 bench/run.sh); the
# summary prints the machine's load average before each run, since anything else running on the box depresses the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
users=1000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --users) users="$2"; shift 2 ;;
    *) echo "usage: bench/run.sh [--users N]" >&2; exit 2 ;;
  esac
done
export APES_PG_PORT="${APES_PG_PORT:-55495}"
port=5090
source bench/common.sh
apes_bench_start apes_bench

echo "== seed: $users users, a year of history"
(cd src/ApesTogether.Api && dotnet "$api_dll" seed --users "$users" --days 365 --seed 42) | tee "$results/seed.log"

echo "== service on http://127.0.0.1:$port (Release, PostgreSQL, all roles)"
(cd src/ApesTogether.Api && ASPNETCORE_URLS="http://127.0.0.1:$port" exec dotnet "$api_dll") >"$results/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 60); do
  curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
  kill -0 "$service_pid" 2>/dev/null || { cat "$results/service.log" >&2; exit 1; }
  sleep 1
done
curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null

run() {
  local name=$1; shift
  echo "== $name: $*"
  echo "load before $name: $(uptime)" | tee "$results/$name.uptime"
  set +e
  "${load[@]}" --host "http://127.0.0.1:$port" --accounts "$users" --out "$results/$name" "$@" | tee "$results/$name.log"
  set -e
}
run a-guide-1000u --users 1000 --spawn-rate 10 --duration 210 --think-min 1 --think-max 5
run b-nothink-256c --users 256 --spawn-rate 256 --duration 30 --no-think --steady
run b-nothink-1000c --users 1000 --spawn-rate 1000 --duration 30 --no-think --steady

echo
echo "== summary (nproc $(nproc); service, PostgreSQL and load generator on the same machine)"
grep -h "^seeded" "$results/seed.log"
for name in a-guide-1000u b-nothink-256c b-nothink-1000c; do
  printf '%-16s %s\n' "$name" "$(grep -E '^ +Aggregated' "$results/$name.log" | awk '{printf "%s requests, %s failures, %s req/s, p50 %s ms, p95 %s ms, p99 %s ms", $2, $3, $4, $8, $9, $10}')"
  printf '%-16s %s\n' "" "$(grep -E '^POST +/api/v1/auth/login' "$results/$name.log" | awk '{printf "logins: %s (%s failed), p50 %s ms, p95 %s ms", $3, $4, $9, $10}'); $(grep -h '^verdict' "$results/$name.log")"
  printf '%-16s %s\n' "" "$(sed 's/.*load average/load average/' "$results/$name.uptime")"
done
