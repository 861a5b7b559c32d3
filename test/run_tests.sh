#!/bin/bash
# Run every test suite of coverage_truth and print "N passed, M failed" as the
# last line. Exits 0 only when nothing failed.
#
# Usage, as root on Debian bookworm:  bash test/run_tests.sh
#
# test/setup.sh installs the packages, then builds and installs the extension.
# Then one throw-away PostgreSQL 15 cluster (pg_virtualenv, run as the postgres
# user) hosts every suite:
#   1. pg_regress: make installcheck over sql/*.sql and expected/*.out, and
#      the isolation specs in test/isolation, one count per test file;
#   2. pgTAP: each test/pgtap/*.sql file runs with pg_prove in its own fresh
#      database that already has the pgtap and coverage_truth extensions,
#      one count per "ok N" or "not ok N" line;
#   3. TAP scripts, one count per "ok N" or "not ok N" line:
#      test/dump_restore.sh, the randomized differential suite against the
#      plain-SQL oracle (test/differential/run.sh, fresh seed) and the
#      parser fuzzer (test/fuzz/run.sh).
# Tests that a TAP plan announces but that never ran count as failed, and a
# runner that fails without reporting a failed test adds one failure, so a
# crash can never pass as success.
#
# Internally the script calls itself inside pg_virtualenv with the arguments
# --inside-cluster RESULTS_DIR and leaves the counts in RESULTS_DIR/counts.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pg_bin=/usr/lib/postgresql/15/bin
export PG_CONFIG="$pg_bin/pg_config"
export PATH="$pg_bin:$PATH"

passed=0
failed=0

section() {
	printf '\n==== %s ====\n' "$1"
}

# Add the ok/not-ok lines of one TAP stream (a file) to the totals. Planned
# tests that never ran count as failed, and a runner that failed (status $2)
# without any other failure still counts one.
count_tap() {
	local log=$1 status=$2 label=$3
	local ok not_ok todo planned missing
	ok=$(grep -cE '^ok [0-9]+' "$log")
	# A failing test marked TODO is an expected failure in TAP, so it passes.
	todo=$(grep -E '^not ok [0-9]+' "$log" | grep -cE '# *TODO')
	not_ok=$(( $(grep -cE '^not ok [0-9]+' "$log") - todo ))
	ok=$(( ok + todo ))
	planned=$(grep -m1 -oE '^1\.\.[0-9]+' "$log" | cut -d. -f3)
	missing=$(( ${planned:-0} - ok - not_ok ))
	if [ "$missing" -gt 0 ]; then
		echo "FAILED: $label planned $planned tests but ran $(( ok + not_ok )); the $missing missing tests count as failed"
		not_ok=$(( not_ok + missing ))
	fi
	if [ "$status" -ne 0 ] && [ "$not_ok" -eq 0 ]; then
		echo "FAILED: $label exited with status $status before reporting a failed test"
		not_ok=1
	fi
	passed=$(( passed + ok ))
	failed=$(( failed + not_ok ))
	suite_passed=$(( suite_passed + ok ))
	suite_failed=$(( suite_failed + not_ok ))
}

run_pg_regress() {
	local log=$1 status ok not_ok
	section "pg_regress (make installcheck)"
	rm -rf "$root/results" "$root/regression.diffs" "$root/regression.out"
	make -C "$root" -s installcheck PG_CONFIG="$PG_CONFIG" >"$log" 2>&1
	status=$?
	cat "$log"

	# PostgreSQL 15 prints "test NAME ... ok  12 ms" per file; 16 and later
	# print TAP lines ("ok 1 - NAME  12 ms").
	ok=$(grep -cE '\.\.\. +ok( |$)|^ok +[0-9]+ +- ' "$log")
	not_ok=$(grep -cE '\.\.\. +FAILED( |$)|^not ok +[0-9]+ +- ' "$log")
	if [ "$status" -ne 0 ] && [ "$not_ok" -eq 0 ]; then
		echo "FAILED: make installcheck exited with status $status before reporting a failed test"
		not_ok=1
	fi
	if [ "$not_ok" -gt 0 ] && [ -s "$root/regression.diffs" ]; then
		section "regression.diffs"
		cat "$root/regression.diffs"
	fi
	passed=$(( passed + ok ))
	failed=$(( failed + not_ok ))
	summary+=("$(printf '%-14s passed %4d   failed %4d' pg_regress "$ok" "$not_ok")")
}

run_pgtap() {
	local logdir=$1 template=coverage_truth_tap_template
	local files file database log status number=0
	section "pgTAP (pg_prove)"
	suite_passed=0
	suite_failed=0

	shopt -s nullglob
	files=("$root"/test/pgtap/*.sql)
	shopt -u nullglob
	if [ "${#files[@]}" -eq 0 ]; then
		echo "no pgTAP files in test/pgtap"
	fi

	# Each file gets a copy of this template, so fixtures that one file
	# commits cannot leak into the next file.
	if [ "${#files[@]}" -gt 0 ]; then
		psql -X -q -v ON_ERROR_STOP=1 -d postgres \
			-c "DROP DATABASE IF EXISTS $template" \
			-c "CREATE DATABASE $template" >"$logdir/tap_template.log" 2>&1 &&
		psql -X -q -v ON_ERROR_STOP=1 -d "$template" \
			-c 'CREATE EXTENSION pgtap' \
			-c 'CREATE EXTENSION coverage_truth' >>"$logdir/tap_template.log" 2>&1
		status=$?
		if [ "$status" -ne 0 ]; then
			cat "$logdir/tap_template.log"
			echo "FAILED: could not prepare the pgTAP database; every pgTAP file counts as failed"
			suite_failed=${#files[@]}
			failed=$(( failed + suite_failed ))
			files=()
		fi
	fi

	for file in "${files[@]}"; do
		number=$(( number + 1 ))
		database="coverage_truth_tap_$number"
		log="$logdir/pgtap_$number.log"
		if ! psql -X -q -v ON_ERROR_STOP=1 -d postgres \
			-c "DROP DATABASE IF EXISTS $database" \
			-c "CREATE DATABASE $database TEMPLATE $template" >"$log" 2>&1; then
			cat "$log"
			echo "FAILED: could not create database $database for ${file#"$root"/}"
			suite_failed=$(( suite_failed + 1 ))
			failed=$(( failed + 1 ))
			continue
		fi
		(cd "$root" && pg_prove --ext .sql -v -d "$database" "${file#"$root"/}") >"$log" 2>&1
		status=$?
		cat "$log"
		count_tap "$log" "$status" "pg_prove ${file#"$root"/}"
		psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1
	done
	summary+=("$(printf '%-14s passed %4d   failed %4d' pgTAP "$suite_passed" "$suite_failed")")
}

# Run one script that prints TAP lines, and count them as one suite.
run_tap_script() {
	local label=$1 log=$2 status
	shift 2
	section "$label ($*)"
	suite_passed=0
	suite_failed=0
	(cd "$root" && bash "$@") >"$log" 2>&1
	status=$?
	cat "$log"
	count_tap "$log" "$status" "$*"
	summary+=("$(printf '%-14s passed %4d   failed %4d' "$label" "$suite_passed" "$suite_failed")")
}

# Print the server log lines that show a crashed backend, which the suites'
# own output only reports as a lost connection.
report_crashes() {
	local logs
	logs=("${PG_CLUSTER_CONF_ROOT%/postgresql}"/log/*.log)
	grep -hE 'terminated by signal|PANIC|was terminated by exception' "${logs[@]}" 2>/dev/null \
		| sed 's/^/server log: /'
}

# Runs inside pg_virtualenv, with PGHOST, PGPORT, PGUSER and PGPASSWORD set.
run_suites() {
	local results=$1
	summary=()
	run_pg_regress "$results/pg_regress.log"
	run_pgtap "$results"
	run_tap_script dump/restore "$results/dump_restore.log" test/dump_restore.sh
	# A fresh seed each run; the seed is printed first, so a failure can be
	# rerun with --seed.
	run_tap_script differential "$results/differential.log" test/differential/run.sh
	run_tap_script fuzz "$results/fuzz.log" test/fuzz/run.sh
	if [ "$failed" -gt 0 ]; then
		report_crashes
	fi

	section "totals"
	printf '%s\n' "${summary[@]}"
	echo "$passed $failed" >"$results/counts"
}

if [ "${1:-}" = "--inside-cluster" ]; then
	run_suites "$2"
	exit 0
fi

section "setup (test/setup.sh)"
if ! bash "$root/test/setup.sh"; then
	echo "FAILED: test/setup.sh could not install or build the extension"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "built and installed coverage_truth"

results=$(mktemp -d -t coverage_truth_tests.XXXXXX)
chmod 755 "$results"
socket_dir=$(mktemp -d -t coverage_truth_socket.XXXXXX)
chown postgres:postgres "$socket_dir"
trap 'rm -rf "$results" "$socket_dir"' EXIT

# -t keeps the cluster under a temporary directory, so a cluster left behind
# by an interrupted run, or another run at the same time, does not collide.
# A private Unix socket directory avoids a port conflict with a server that
# listens only on a socket in /var/run/postgresql, which the free-port
# search of pg_createcluster does not see. The suites connect over TCP.
pg_virtualenv -t -v 15 -c "--socketdir=$socket_dir" \
	bash "$root/test/run_tests.sh" --inside-cluster "$results"
cluster_status=$?

if [ -s "$results/counts" ]; then
	read -r passed failed <"$results/counts"
else
	echo "FAILED: pg_virtualenv exited with status $cluster_status before the suites finished"
	failed=$(( failed + 1 ))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
