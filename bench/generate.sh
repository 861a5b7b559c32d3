#!/bin/bash
# Create or refill one benchmark database with bench/generate.sql.
#
#   bash bench/generate.sh DATABASE [--tenants N] [--days N]
#        [--items-per-tenant N] [--heavy-tenants N] [--heavy-factor N]
#
# Connects with the usual libpq variables (PGHOST, PGPORT, PGUSER, ...),
# creates DATABASE when it is missing and prints the row counts and sizes.
set -euo pipefail

if [ $# -lt 1 ]; then
	echo "usage: $0 DATABASE [--tenants N] [--days N] [--items-per-tenant N] [--heavy-tenants N] [--heavy-factor N]" >&2
	exit 2
fi
database=$1
shift

tenants=2000
days=60
items_per_tenant=750
heavy_tenants=0
heavy_factor=100
while [ $# -gt 0 ]; do
	case "$1" in
		--tenants) tenants=$2 ;;
		--days) days=$2 ;;
		--items-per-tenant) items_per_tenant=$2 ;;
		--heavy-tenants) heavy_tenants=$2 ;;
		--heavy-factor) heavy_factor=$2 ;;
		*) echo "generate.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift 2
done
for value in "$tenants" "$days" "$items_per_tenant" "$heavy_tenants" "$heavy_factor"; do
	case "$value" in
		''|*[!0-9]*) echo "generate.sh: option values must be non-negative integers, got '$value'" >&2; exit 2 ;;
	esac
done

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [ "$(psql -XAtq -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$database'")" = 0 ]; then
	psql -Xq -d postgres -c "CREATE DATABASE \"$database\""
fi

start=$(date +%s.%N)
psql -Xq -d "$database" -v ON_ERROR_STOP=1 \
	-v tenants="$tenants" -v days="$days" -v items_per_tenant="$items_per_tenant" \
	-v heavy_tenants="$heavy_tenants" -v heavy_factor="$heavy_factor" \
	-f "$bench_dir/generate.sql"
end=$(date +%s.%N)

psql -XAtq -d "$database" -F ' ' -c "
SELECT format('%s: %s tenants, %s runs (%s inventory_sync), %s items, %s in %s s',
  current_database(),
  (SELECT count(*) FROM public.tenants),
  (SELECT count(*) FROM public.operation_runs),
  (SELECT count(*) FROM public.operation_runs WHERE type = 'inventory_sync'),
  (SELECT count(*) FROM public.inventory_items),
  pg_size_pretty(pg_database_size(current_database())),
  round(($end - $start)::numeric, 1))"
