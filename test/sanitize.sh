#!/bin/bash
# Run every test suite of coverage_truth against a build instrumented with
# AddressSanitizer and UndefinedBehaviorSanitizer, and fail when a sanitizer
# reports anything. Prints TAP lines ("ok N - ..." or "not ok N - ...") and
# "N passed, M failed" as the last line. Exits 0 only when nothing failed.
#
# Usage, as root on Debian bookworm:  bash test/sanitize.sh
#
# Steps:
#   1. test/setup.sh installs the packages and the normal build; apt-get
#      adds the sanitizer runtimes when they are missing.
#   2. A copy of the sources is built with -fsanitize=address,undefined
#      -fno-omit-frame-pointer -fno-sanitize-recover=all and installed under
#      a private directory, never over the system's copy. A server that
#      loads an instrumented library without the sanitizer runtime fails,
#      and other clusters on this machine use the system's copy.
#   3. A throw-away cluster (pg_virtualenv -t) is pointed at that directory
#      (extension_destdir) and restarted with the AddressSanitizer runtime
#      in LD_PRELOAD, through the cluster's "environment" file.
#   4. Inside it run test/run_tests.sh's suites (pg_regress, pgTAP, dump and
#      restore), the isolation specs, the differential test in both column
#      flavours, 50,000 fuzzer cases and test/stress/memory.sh at a smaller
#      size. Memory bounds are skipped there because the sanitizer's
#      allocator keeps freed memory.
#   5. Every file that a sanitizer wrote, and every crashed backend in the
#      server log, counts as a failure and is printed.
# The system's copy of the extension stays the normal build throughout, and a
# last check makes sure of it. It takes about six minutes on two cores.
# COVERAGE_TRUTH_FUZZ_SEED picks the fuzzer's seed (default 1).
#
# NOTE: AddressSanitizer checks the extension's stack, its globals and
# malloc'd blocks, but not overruns inside palloc'd chunks, which share
# blocks of the server's memory contexts. PGXS compiles with -fwrapv, so
# signed overflow is defined behaviour and UndefinedBehaviorSanitizer does
# not check it.
#
# Internally the script calls itself inside pg_virtualenv with the arguments
# --inside-cluster WORK_DIR.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pg_bin=/usr/lib/postgresql/15/bin
export PG_CONFIG="$pg_bin/pg_config"
export PATH="$pg_bin:$PATH"

sanitizer_flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

test_number=0
passed=0
failed=0

report() {
	local ok=$1 name=$2
	test_number=$(( test_number + 1 ))
	if [ "$ok" = 1 ]; then
		echo "ok $test_number - $name"
		passed=$(( passed + 1 ))
	else
		echo "not ok $test_number - $name"
		failed=$(( failed + 1 ))
	fi
}

# Print a section title, with the seconds the previous section took.
section_started=$SECONDS
section() {
	printf '(%d s)\n\n==== %s ====\n' $(( SECONDS - section_started )) "$1"
	section_started=$SECONDS
}

# Add the "ok" and "not ok" lines of a TAP log to the totals, one count per
# line. A failing TODO test passes, as in TAP. A runner that exited non-zero
# (status $2) without a failed test counts one failure.
count_tap() {
	local log=$1 status=$2 label=$3 ok not_ok todo
	ok=$(grep -cE '^ok [0-9]+' "$log")
	todo=$(grep -E '^not ok [0-9]+' "$log" | grep -cE '# *TODO')
	not_ok=$(( $(grep -cE '^not ok [0-9]+' "$log") - todo ))
	ok=$(( ok + todo ))
	if [ "$status" -ne 0 ] && [ "$not_ok" -eq 0 ]; then
		echo "FAILED: $label exited with status $status before reporting a failed test"
		not_ok=1
	fi
	echo "$label: $ok passed, $not_ok failed"
	echo "$ok $not_ok" >>"$work/inside_counts"
}

##############################################################################
# Inside the cluster
##############################################################################

inside_cluster() {
	work=$1
	local conf="$PG_CLUSTER_CONF_ROOT/15/regress"
	local server_log="${PG_CLUSTER_CONF_ROOT%/postgresql}/log/postgresql-15-regress.log"
	local runtime status log

	runtime=$(cat "$work/runtime")
	: >"$work/inside_counts"

	section "restart the cluster with the sanitizer runtime"
	psql -X -q -d postgres \
		-c "ALTER SYSTEM SET extension_destdir = '$work/install'" \
		-c "ALTER SYSTEM SET jit = off" || return 1
	# pg_ctlcluster gives the server only the variables of this file.
	cat >>"$conf/environment" <<EOF
LD_PRELOAD = '$runtime $work/swift_demangle_stub.so'
ASAN_OPTIONS = 'detect_leaks=0:halt_on_error=1:log_path=$work/reports/asan'
UBSAN_OPTIONS = 'halt_on_error=1:print_stacktrace=1:log_path=$work/reports/ubsan'
EOF
	pg_ctlcluster 15 regress restart || return 1

	# A backend must map the runtime and the instrumented library.
	log="$work/preload_check.log"
	psql -X -q -At -d postgres -c "CREATE DATABASE coverage_truth_sanitizer_check" >"$log" 2>&1
	psql -X -q -At -d coverage_truth_sanitizer_check >>"$log" 2>&1 <<EOF
CREATE EXTENSION coverage_truth;
SELECT coverage_truth.coverage_is_parseable(NULL);
SELECT pg_backend_pid() AS pid \gset
\setenv CT_PID :pid
\! cp /proc/\$CT_PID/maps $work/backend_maps
EOF
	psql -X -q -d postgres -c "DROP DATABASE coverage_truth_sanitizer_check" >>"$log" 2>&1
	if grep -qF "$runtime" "$work/backend_maps" 2>/dev/null &&
		grep -qF "$work/install/" "$work/backend_maps" 2>/dev/null; then
		echo "a backend maps $runtime and the instrumented coverage_truth.so"
		echo "1 0" >>"$work/inside_counts"
	else
		cat "$log"
		echo "FAILED: a backend does not map the sanitizer runtime and the instrumented library"
		echo "0 1" >>"$work/inside_counts"
	fi

	section "test/run_tests.sh suites"
	mkdir -p "$work/results"
	bash "$root/test/run_tests.sh" --inside-cluster "$work/results" 2>&1 | tee "$work/run_tests.log"
	if [ -s "$work/results/counts" ]; then
		cat "$work/results/counts" >>"$work/inside_counts"
	else
		echo "FAILED: test/run_tests.sh stopped before it counted the suites"
		echo "0 1" >>"$work/inside_counts"
	fi

	# make installcheck runs the isolation specs once the Makefile lists them.
	if ! grep -qE '^ISOLATION[[:space:]]*=' "$root/Makefile" && [ -d "$root/test/isolation/specs" ]; then
		section "isolation specs"
		local specs
		specs=$(cd "$root/test/isolation/specs" && ls ./*.spec 2>/dev/null | sed 's|^\./||; s|\.spec$||')
		(cd "$root" && "$(dirname "$($PG_CONFIG --pgxs)")/../test/isolation/pg_isolation_regress" \
			--inputdir=test/isolation --outputdir="$work/isolation" --bindir="$pg_bin" \
			--dbname=coverage_truth_isolation --load-extension=coverage_truth $specs) \
			>"$work/isolation.log" 2>&1
		status=$?
		cat "$work/isolation.log"
		[ "$status" -ne 0 ] && cat "$work/isolation/regression.diffs" 2>/dev/null
		# pg_isolation_regress prints "test NAME ... ok" per spec.
		echo "$(grep -cE '\.\.\. +ok( |$)' "$work/isolation.log") $(grep -cE '\.\.\. +FAILED( |$)' "$work/isolation.log")" \
			>>"$work/inside_counts"
		if [ "$status" -ne 0 ] && ! grep -qE '\.\.\. +FAILED' "$work/isolation.log"; then
			echo "0 1" >>"$work/inside_counts"
		fi
	fi

	if [ -f "$root/test/differential/run.sh" ]; then
		local flavour seed
		for flavour in jsonb json; do
			seed=$([ "$flavour" = json ] && echo 3 || echo 1)
			section "differential test, $flavour flavour (seed $seed)"
			bash "$root/test/differential/run.sh" --seed "$seed" --tenants 150 --flavour "$flavour" \
				>"$work/differential_$flavour.log" 2>&1
			status=$?
			cat "$work/differential_$flavour.log"
			count_tap "$work/differential_$flavour.log" "$status" "differential $flavour"
		done
	fi

	if [ -f "$root/test/fuzz/run.sh" ]; then
		section "fuzz test"
		bash "$root/test/fuzz/run.sh" --seed "${COVERAGE_TRUTH_FUZZ_SEED:-1}" --count 50000 \
			>"$work/fuzz.log" 2>&1
		status=$?
		cat "$work/fuzz.log"
		count_tap "$work/fuzz.log" "$status" "fuzz"
	fi

	section "memory and cancellation (test/stress/memory.sh, smaller)"
	COVERAGE_TRUTH_STRESS_ITEMS=100000 COVERAGE_TRUTH_STRESS_TENANTS=2000 \
		COVERAGE_TRUTH_STRESS_UNPARSEABLE=60 COVERAGE_TRUTH_STRESS_TENANT_RUNS=200000 \
		COVERAGE_TRUTH_STRESS_CALLS=2000 COVERAGE_TRUTH_STRESS_SKIP_MEMORY_LIMITS=1 \
		bash "$root/test/stress/memory.sh" >"$work/stress.log" 2>&1
	status=$?
	cat "$work/stress.log"
	count_tap "$work/stress.log" "$status" "test/stress/memory.sh"

	section "end of the suites"
	# Keep the server log for the crash check after the cluster is dropped.
	cp "$server_log" "$work/server.log" 2>/dev/null
	return 0
}

if [ "${1:-}" = "--inside-cluster" ]; then
	inside_cluster "$2"
	exit $?
fi

##############################################################################
# Outside: packages, the instrumented build, the cluster, the reports
##############################################################################

work=$(mktemp -d -t coverage_truth_sanitize.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

section "packages and the normal build (test/setup.sh)"
bash "$root/test/setup.sh"
report $(( $? == 0 )) "test/setup.sh installs the packages and the normal build"

missing=()
for package in gcc libasan8 libubsan1; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
		|| missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
runtime=$(readlink -f "$(gcc -print-file-name=libasan.so)")
[ -f "$runtime" ]
report $(( $? == 0 )) "the AddressSanitizer runtime is installed ($runtime)"
echo "$runtime" >"$work/runtime"

# The runtime looks up swift_demangle when it starts. When that lookup fails
# inside a library constructor that holds glibc's gettext lock (libgpg-error's
# bindtextdomain, loaded by every server process), the error message breaks
# the lock and the process hangs. A preloaded stub makes the lookup succeed.
printf '%s\n' \
	'char *swift_demangle(const char *name, unsigned long length, char *out,' \
	'                     unsigned long *out_length, unsigned int flags) { return 0; }' \
	>"$work/swift_demangle_stub.c"
gcc -shared -fPIC -O2 -o "$work/swift_demangle_stub.so" "$work/swift_demangle_stub.c" &&
	timeout 20 env ASAN_OPTIONS=detect_leaks=0 LD_PRELOAD="$runtime $work/swift_demangle_stub.so" \
		"$pg_bin/postgres" --version >/dev/null
report $(( $? == 0 )) "the server starts with the runtime preloaded"

section "instrumented build"
mkdir -p "$work/build" "$work/install" "$work/reports"
cp -r "$root/Makefile" "$root/coverage_truth.control" "$root/sql" "$root/src" "$work/build/"
rm -f "$work/build"/src/*.o "$work/build"/src/*.bc "$work/build"/*.so
make -C "$work/build" -s PG_CONFIG="$PG_CONFIG" PROFILE="$sanitizer_flags" >"$work/build.log" 2>&1 &&
	make -C "$work/build" -s PG_CONFIG="$PG_CONFIG" PROFILE="$sanitizer_flags" \
		install DESTDIR="$work/install" >>"$work/build.log" 2>&1
status=$?
[ "$status" -ne 0 ] && cat "$work/build.log"
instrumented="$work/install$($PG_CONFIG --pkglibdir)/coverage_truth.so"
[ "$status" -eq 0 ] && readelf -d "$instrumented" 2>/dev/null | grep -q 'libasan'
report $(( $? == 0 )) "the extension builds with $sanitizer_flags"
# The server runs as postgres and must read the build and write the reports.
chmod -R a+rX "$work/install"
chown postgres "$work/reports"

section "suites in a sanitized cluster"
# pg_virtualenv -t takes port 5432 unless PGPORT names another, so a free
# port keeps this cluster apart from any other on the machine.
port=""
for candidate in $(shuf -i 20000-29999 -n 100); do
	if [ ! -e "/var/run/postgresql/.s.PGSQL.$candidate" ] &&
		! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
		port=$candidate
		break
	fi
done
PGPORT=${port:-5432} pg_virtualenv -t -v 15 bash "$root/test/sanitize.sh" --inside-cluster "$work"
cluster_status=$?
report $(( cluster_status == 0 )) "the sanitized cluster ran the suites"

suites_passed=0
suites_failed=0
if [ -s "$work/inside_counts" ]; then
	while read -r ok not_ok; do
		suites_passed=$(( suites_passed + ok ))
		suites_failed=$(( suites_failed + not_ok ))
	done <"$work/inside_counts"
fi
[ "$suites_failed" -eq 0 ] && [ "$suites_passed" -gt 0 ]
report $(( $? == 0 )) "every test passes under the sanitizers ($suites_passed passed, $suites_failed failed)"

section "sanitizer reports"
shopt -s nullglob
reports=("$work"/reports/*)
shopt -u nullglob
for file in "${reports[@]}"; do
	echo "---- $(basename "$file")"
	head -n 60 "$file"
done
[ "${#reports[@]}" -eq 0 ]
report $(( $? == 0 )) "no sanitizer report (${#reports[@]} report files)"

crashes=$(grep -hE 'terminated by signal|was terminated by exception|server process \(PID [0-9]+\) exited with exit code [1-9]|PANIC' \
	"$work/server.log" 2>/dev/null)
if [ -n "$crashes" ]; then
	echo "$crashes" | sed 's/^/server log: /'
fi
[ -s "$work/server.log" ] && [ -z "$crashes" ]
report $(( $? == 0 )) "no backend crashed or was stopped by a sanitizer"

# The system's copy was never replaced. Check that it is the normal build.
installed="$($PG_CONFIG --pkglibdir)/coverage_truth.so"
[ -f "$installed" ] && ! readelf -d "$installed" | grep -q 'libasan'
report $(( $? == 0 )) "the installed $installed is the normal build"

section "totals"
echo "1..$test_number"
echo "$(( passed + suites_passed )) passed, $(( failed + suites_failed )) failed"
[ $(( failed + suites_failed )) -eq 0 ]
