#!/bin/bash
# Benchmark coverage_truth against the plain-SQL reference implementation
# (test/oracle/oracle.sql) and against the index reads that any correct
# result requires.
#
#   bash bench/run.sh [--scale small|default] [--output DIR] [--no-profile]
#                     [--wait-load MINUTES]
#
# Run as root on Debian bookworm. It builds and installs the extension
# (test/setup.sh), starts a throwaway cluster with pg_virtualenv -t, and for
# each dataset generates the data (bench/generate.sh), times the per-tenant
# pair, the fleet functions and the fleet call's peak backend memory, then
# drops the dataset. On the first dataset it also profiles the per-tenant
# pair with perf. It prints the figures as Markdown tables and leaves the raw
# CSV files, the profile and the report in the output directory.
#
# --wait-load waits, up to that many minutes, for the 1-minute load average
# to fall below 1 before each dataset is measured. The load at the start of
# every measurement is recorded either way.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench_dir/.." && pwd)"

# Server settings of the benchmark cluster. shared_buffers is larger than the
# largest default dataset (3.4 GB), so every read is a buffer hit. autovacuum
# is off because the generator vacuums and analyzes, so no background work
# runs during a measurement. jit is off because compiling a plan adds a
# variable cost to a single call. fsync, full_page_writes and wal_level only
# speed up loading.
server_settings=(
	shared_buffers=6GB
	work_mem=16MB
	maintenance_work_mem=1GB
	effective_cache_size=12GB
	huge_pages=off
	jit=off
	autovacuum=off
	fsync=off
	full_page_writes=off
	wal_level=minimal
	max_wal_senders=0
	max_wal_size=16GB
	checkpoint_timeout=1h
)

usage() {
	echo "usage: $0 [--scale small|default] [--output DIR] [--no-profile] [--wait-load MINUTES]" >&2
	exit 2
}

scale=default
output=""
profile=yes
wait_load=0
inside=no
while [ $# -gt 0 ]; do
	case "$1" in
		--scale) [ $# -ge 2 ] || usage; scale=$2; shift ;;
		--output) [ $# -ge 2 ] || usage; output=$2; shift ;;
		--no-profile) profile=no ;;
		--wait-load) [ $# -ge 2 ] || usage; wait_load=$2; shift ;;
		--inside-cluster) inside=yes ;;
		*) usage ;;
	esac
	shift
done
case "$scale" in small|default) ;; *) usage ;; esac

##############################################################################
# Outside the cluster: build, install, start pg_virtualenv
##############################################################################

if [ "$inside" = no ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "run.sh: run as root (it installs packages and reads /proc of the server's backends)" >&2
		exit 1
	fi
	bash "$root/test/setup.sh"
	if ! command -v perf >/dev/null && [ "$profile" = yes ]; then
		echo "run.sh: installing linux-perf for the profile" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null 2>&1 \
			|| echo "run.sh: linux-perf could not be installed; the profile is skipped" >&2
	fi
	if [ ! -f "$root/test/oracle/oracle.sql" ]; then
		echo "run.sh: test/oracle/oracle.sql is missing; the plain-SQL reference is required" >&2
		exit 1
	fi
	if [ -z "$output" ]; then
		output=$(mktemp -d /tmp/coverage_truth_bench.XXXXXX)
	fi
	mkdir -p "$output"
	chmod 755 "$output"
	output="$(cd "$output" && pwd)"

	# A private Unix socket directory avoids a port conflict with another
	# cluster that listens only on a socket in /var/run/postgresql, which the
	# free-port search of pg_createcluster does not see. -t keeps the cluster
	# in a temporary directory, so concurrent runs do not collide.
	socket_dir=$(mktemp -d -t coverage_truth_bench_socket.XXXXXX)
	chown postgres:postgres "$socket_dir"
	trap 'rm -rf "$socket_dir"' EXIT
	virtualenv_options=(-t -v 15 -c "--socketdir=$socket_dir")
	for setting in "${server_settings[@]}"; do
		virtualenv_options+=(-o "$setting")
	done
	export PATH="/usr/lib/postgresql/15/bin:$PATH"
	echo "run.sh: scale $scale, output in $output" >&2
	pg_virtualenv "${virtualenv_options[@]}" \
		bash "$bench_dir/run.sh" --inside-cluster --scale "$scale" --output "$output" \
		$([ "$profile" = no ] && echo --no-profile) --wait-load "$wait_load"
	exit $?
fi

##############################################################################
# Inside the cluster
##############################################################################

log() {
	echo "[$(date +%H:%M:%S)] $*" >&2
}

psql_db() {
	local database=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -d "$database" "$@"
}

load_average() {
	cut -d ' ' -f 1 /proc/loadavg
}

# Restart the cluster with GLIBC_TUNABLES set to $1 in the server's
# environment, or without it when $1 is empty. pg_virtualenv -t keeps the
# cluster's configuration under PG_CLUSTER_CONF_ROOT.
restart_cluster() {
	local environment_file="$PG_CLUSTER_CONF_ROOT/15/regress/environment"
	sed -i '/^GLIBC_TUNABLES/d' "$environment_file"
	if [ -n "$1" ]; then
		echo "GLIBC_TUNABLES = '$1'" >> "$environment_file"
	fi
	pg_ctlcluster 15 regress restart
}

wait_for_low_load() {
	local deadline=$(( $(date +%s) + wait_load * 60 ))
	while [ "$(date +%s)" -lt "$deadline" ] && awk -v load="$(load_average)" 'BEGIN { exit !(load >= 1) }'; do
		log "load average $(load_average), waiting for it to fall below 1"
		sleep 30
	done
}

# Datasets: name, tenants, days, items per tenant, heavy tenants, tenants
# timed per tenant, timing passes per tenant (the first is a warm-up).
if [ "$scale" = default ]; then
	datasets=(
		"base 2000 60 750 0 1000 3"
		"tenants_x4 8000 60 750 0 1000 3"
		"runs_x10 2000 600 750 0 1000 3"
		"skewed 2000 60 750 10 10 21"
	)
	fleet_passes=3
	profile_seconds=20
else
	datasets=(
		"base 200 60 750 0 200 3"
		"tenants_x4 800 60 750 0 200 3"
		"runs_x10 200 600 750 0 200 3"
		"skewed 200 60 750 2 2 21"
	)
	fleet_passes=3
	profile_seconds=8
fi

# The per-type row variants of the fleet are timed on the first dataset only,
# because the oracle's fleet_coverage is the slowest call of the run.
fleet_variants_all="ARRAY['extension_summary','extension_summary_ids','loop_summary','oracle_summary','floor','extension_rows','loop_rows','oracle_rows']"
fleet_variants_summary="ARRAY['extension_summary','extension_summary_ids','loop_summary','oracle_summary','floor']"
memory_variants=(extension_summary extension_summary_ids extension_rows oracle_summary)

per_tenant_csv=$output/per_tenant.csv
fleet_csv=$output/fleet.csv
memory_csv=$output/memory.csv
datasets_csv=$output/datasets.csv
mismatch_csv=$output/mismatches.csv
: > "$per_tenant_csv"
: > "$fleet_csv"
: > "$memory_csv"
: > "$datasets_csv"
: > "$mismatch_csv"

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "scale: $scale"
	echo "nproc: $(nproc)"
	echo "memory: $(awk '$1 == "MemTotal:" { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "cpu: $(awk -F': ' '$1 ~ /^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "kernel: $(uname -r)"
	echo "server: $(psql -XAtq -d postgres -c 'SELECT version()')"
	echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD -- src sql 2>/dev/null || echo ' with local changes in src or sql')"
	echo "library md5: $(md5sum "$(pg_config --pkglibdir)/coverage_truth.so" | cut -d ' ' -f 1)"
	echo "settings:"
	psql -XAtq -d postgres -F ' = ' -c "SELECT name, current_setting(name) FROM pg_settings
		WHERE name IN ('shared_buffers', 'work_mem', 'maintenance_work_mem', 'effective_cache_size',
		               'jit', 'autovacuum', 'fsync', 'synchronous_commit', 'full_page_writes', 'huge_pages',
		               'max_parallel_workers_per_gather', 'random_page_cost', 'wal_level')
		ORDER BY name" | sed 's/^/  /'
} > "$output/machine.txt"
cat "$output/machine.txt" >&2

first_dataset=yes
for spec in "${datasets[@]}"; do
	read -r name tenants days items heavy sample passes <<< "$spec"
	database=bench_$name

	log "$name: generating $tenants tenants, $days days, $items items per tenant, $heavy heavy"
	generated=$(bash "$bench_dir/generate.sh" "$database" --tenants "$tenants" --days "$days" \
		--items-per-tenant "$items" --heavy-tenants "$heavy" --heavy-factor 100)
	log "$generated"
	psql_db "$database" -c 'CREATE EXTENSION coverage_truth' -c 'CREATE EXTENSION pageinspect'
	psql_db "$database" -f "$root/test/oracle/oracle.sql" >/dev/null
	psql_db "$database" -f "$bench_dir/measure.sql" >/dev/null

	if [ "$heavy" -gt 0 ]; then
		tenant_filter="heavy"
	else
		tenant_filter="NOT heavy"
	fi
	tenant_array="(SELECT array_agg(s.tenant_id ORDER BY s.position) FROM (SELECT b.tenant_id, b.position FROM public.bench_tenants AS b WHERE $tenant_filter ORDER BY b.position LIMIT $sample) AS s)"

	log "$name: comparing results with the reference"
	psql_db "$database" -c "\\copy (SELECT '$name', m.* FROM bench.count_mismatches(ARRAY(SELECT b.tenant_id FROM public.bench_tenants AS b ORDER BY b.position LIMIT 200) || $tenant_array) AS m) TO pstdout WITH (FORMAT csv)" >> "$mismatch_csv"

	wait_for_low_load
	load_before=$(load_average)
	log "$name: per-tenant timing, $sample tenants, $passes passes (load $load_before)"
	psql_db "$database" -c "\\copy (SELECT '$name', t.* FROM bench.time_tenants($tenant_array, ARRAY['extension','oracle','floor'], 10, $passes) AS t) TO pstdout WITH (FORMAT csv)" >> "$per_tenant_csv"

	log "$name: fleet timing, $fleet_passes passes"
	if [ "$first_dataset" = yes ]; then
		fleet_variants=$fleet_variants_all
	else
		fleet_variants=$fleet_variants_summary
	fi
	psql_db "$database" -c "\\copy (SELECT '$name', f.* FROM bench.time_fleet_rounds($fleet_variants, $fleet_passes) AS f) TO pstdout WITH (FORMAT csv)" >> "$fleet_csv"

	if [ "$first_dataset" = yes ] && [ "$profile" = yes ] && command -v perf >/dev/null; then
		log "$name: profiling the per-tenant pair for $profile_seconds s"
		PGAPPNAME=bench_profile psql_db "$database" -At \
			-c "SELECT bench.spin_pairs($tenant_array, $profile_seconds + 4)" > "$output/profile_calls.txt" &
		spinner=$!
		sleep 2
		backend=$(psql -XAtq -d "$database" -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'bench_profile' AND state = 'active'")
		perf record -q -e cpu-clock -F 999 --call-graph dwarf,16384 -p "$backend" \
			-o "$output/perf.data" -- sleep "$profile_seconds" 2>/dev/null
		wait "$spinner"
		perf report -i "$output/perf.data" --stdio --no-children --sort dso,symbol \
			--percent-limit 0.4 -g none 2>/dev/null > "$output/profile_self.txt"
		perf report -i "$output/perf.data" --stdio --children --sort symbol \
			--percent-limit 2 -g none 2>/dev/null > "$output/profile_children.txt"
		perf report -i "$output/perf.data" --stdio --no-children --sort dso \
			-g none 2>/dev/null > "$output/profile_dso.txt"
		log "$name: $(cat "$output/profile_calls.txt") pairs called while profiling"
	fi

	# glibc keeps freed memory for reuse, so a call could grow into memory an
	# earlier statement freed without raising the resident set. With a fixed
	# mmap threshold of 8 kB every memory context block is mapped on its own
	# and unmapped when freed, so the resident set follows live memory. The
	# timings above run without this setting.
	restart_cluster glibc.malloc.mmap_threshold=8192
	log "$name: peak backend memory of the fleet calls"
	for variant in "${memory_variants[@]}"; do
		BENCH_DATASET=$name BENCH_VARIANT=$variant BENCH_MEMORY_CSV=$memory_csv \
		BENCH_PROBE="$bench_dir/memory_probe.sh" psql_db "$database" -v variant="$variant" >/dev/null <<-'EOF'
			SELECT pg_backend_pid() AS backend_pid \gset
			\setenv BENCH_BACKEND_PID :backend_pid
			-- Load the library, prepare the plans and map the shared pages
			-- first, so the measured call adds only its own memory.
			SELECT count(*) FROM coverage_truth.fleet_coverage_summary(ARRAY[1]::bigint[]);
			SELECT count(*) FROM coverage_truth.fleet_coverage(ARRAY[1]::bigint[]);
			SELECT count(*) FROM coverage_oracle.fleet_coverage_summary(ARRAY[1]::bigint[]);
			SELECT bench.touch_source_pages();
			\! "$BENCH_PROBE" before
			SELECT * FROM bench.time_fleet(:'variant');
			\! "$BENCH_PROBE" after
		EOF
	done

	restart_cluster ""

	psql -XAtq -d "$database" -c "\\copy (SELECT '$name', $tenants, $days, $items, $heavy,
		(SELECT count(*) FROM public.operation_runs), (SELECT count(*) FROM public.operation_runs WHERE type = 'inventory_sync'),
		(SELECT count(*) FROM public.inventory_items), pg_database_size(current_database()), $load_before) TO pstdout WITH (FORMAT csv)" >> "$datasets_csv"
	psql -XAtq -d postgres -c "DROP DATABASE $database"
	first_dataset=no
done

# Another build installing coverage_truth.so during the run would mix two
# versions of the code in one report.
library_md5=$(md5sum "$(pg_config --pkglibdir)/coverage_truth.so" | cut -d ' ' -f 1)
if ! grep -q "library md5: $library_md5" "$output/machine.txt"; then
	log "WARNING: coverage_truth.so changed during the run (now $library_md5); the figures may mix two builds"
	echo "library md5 at the end: $library_md5 (changed during the run)" >> "$output/machine.txt"
fi

log "writing the report"
psql_db postgres -c 'DROP DATABASE IF EXISTS bench_results' -c 'CREATE DATABASE bench_results'
psql_db bench_results -f "$bench_dir/results.sql" >/dev/null
psql_db bench_results -c '\copy results.dataset (dataset, tenants, days, items_per_tenant, heavy_tenants, runs, syncs, items, size_bytes, load_average) FROM pstdin WITH (FORMAT csv)' < "$datasets_csv"
psql_db bench_results -c '\copy results.mismatch FROM pstdin WITH (FORMAT csv)' < "$mismatch_csv"
psql_db bench_results -c '\copy results.per_tenant FROM pstdin WITH (FORMAT csv)' < "$per_tenant_csv"
psql_db bench_results -c '\copy results.fleet FROM pstdin WITH (FORMAT csv)' < "$fleet_csv"
psql_db bench_results -c '\copy results.memory FROM pstdin WITH (FORMAT csv)' < "$memory_csv"
psql_db bench_results -f "$bench_dir/report.sql" | tee "$output/report.md"
log "raw figures, profile and report in $output"
