#!/bin/bash
# Check that operator edits to coverage_truth.supported_types survive pg_dump
# and a restore into a fresh database, in custom format (pg_restore) and in
# plain format (psql), with no duplicate-key error and no lost or resurrected
# row. Prints one TAP line ("ok N - ..." or "not ok N - ...") per check and
# exits non-zero when a check fails.
#
# Connects with the libpq environment variables (PGHOST, PGPORT, PGUSER,
# PGPASSWORD), needs the extension installed, and creates and drops its own
# databases. test/run_tests.sh runs it inside its throw-away cluster; to run it
# alone, as root:  pg_virtualenv -t bash test/dump_restore.sh
set -uo pipefail

export PATH="/usr/lib/postgresql/15/bin:$PATH"
# Keep "database does not exist, skipping" notices out of the TAP output.
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

source_db=coverage_truth_dump_source
custom_db=coverage_truth_dump_custom
plain_db=coverage_truth_dump_plain
again_db=coverage_truth_dump_again
truncated_db=coverage_truth_dump_truncated
truncated_restore_db=coverage_truth_dump_truncated_restore

workdir=$(mktemp -d -t coverage_truth_dump.XXXXXX)
trap 'rm -rf "$workdir"' EXIT

test_number=0
failures=0

report() {
	local passed=$1 name=$2
	test_number=$(( test_number + 1 ))
	if [ "$passed" -eq 0 ]; then
		echo "ok $test_number - $name"
	else
		echo "not ok $test_number - $name"
		failures=$(( failures + 1 ))
	fi
}

# Run a command as one check; print its output only when it fails.
check_command() {
	local name=$1 status
	shift
	"$@" >"$workdir/command.log" 2>&1
	status=$?
	report "$status" "$name"
	if [ "$status" -ne 0 ]; then
		sed 's/^/# /' "$workdir/command.log"
	fi
	return "$status"
}

run_sql() {
	local database=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -d "$database" "$@"
}

recreate_database() {
	run_sql postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
}

# Write both catalog tables of one database to FILE, one row a line.
save_catalog() {
	local database=$1 file=$2
	run_sql "$database" -At \
		-c 'SELECT * FROM coverage_truth.supported_types ORDER BY type COLLATE "C"' \
		-c "SELECT '-- removed_default_types'" \
		-c 'SELECT * FROM coverage_truth.removed_default_types ORDER BY type COLLATE "C"' \
		>"$file"
}

# Check that the catalog tables of DATABASE equal the rows saved in FILE.
check_catalog() {
	local name=$1 database=$2 file=$3 status
	if ! save_catalog "$database" "$workdir/actual.txt" 2>"$workdir/command.log"; then
		report 1 "$name"
		sed 's/^/# /' "$workdir/command.log"
		return
	fi
	diff -u "$file" "$workdir/actual.txt" >"$workdir/catalog.diff"
	status=$?
	report "$status" "$name"
	if [ "$status" -ne 0 ]; then
		sed 's/^/# /' "$workdir/catalog.diff"
	fi
}

bail_out() {
	echo "Bail out! $1"
	echo "1..$test_number"
	exit 1
}

# The operator's edits: change a shipped row, delete one, rename one key,
# replace one by DELETE and INSERT, add a custom type. The other shipped rows stay as CREATE EXTENSION wrote them.
cat >"$workdir/edits.sql" <<'SQL'
UPDATE coverage_truth.supported_types
   SET label = 'Device Configuration (edited)', risk_level = 'high'
 WHERE type = 'deviceConfiguration';
DELETE FROM coverage_truth.supported_types WHERE type = 'termsAndConditions';
UPDATE coverage_truth.supported_types
   SET type = 'macOSShellScript'
 WHERE type = 'deviceShellScript';
INSERT INTO coverage_truth.supported_types
  (type, segment, label, category, platform, restore_mode, risk_level,
   supports_dependencies, sort_order)
VALUES ('customCompliance', 'policy', 'Custom Compliance', 'Compliance',
        'windows', 'not_supported', 'low', false, 45);
DELETE FROM coverage_truth.supported_types WHERE type = 'roleScopeTag';
INSERT INTO coverage_truth.supported_types
  (type, segment, label, category, platform, restore_mode, risk_level,
   supports_dependencies, sort_order)
VALUES ('roleScopeTag', 'foundation', 'Role Scope Tag', 'Foundation',
        'all', 'enabled', 'medium', false, 20);
SQL

# The catalog that the edits above must leave: the shipped rows less the
# deleted and renamed keys, plus the renamed, edited, replaced and custom rows,
# and the two removed shipped keys (the replaced key is back in the catalog).
cat >"$workdir/expected_edits.sql" <<'SQL'
SELECT * FROM (
  SELECT * FROM coverage_truth.default_supported_types()
   WHERE type NOT IN ('termsAndConditions', 'deviceShellScript',
                      'deviceConfiguration', 'roleScopeTag')
  UNION ALL
  SELECT 'macOSShellScript', segment, label, category, platform, restore_mode,
         risk_level, supports_dependencies, sort_order
    FROM coverage_truth.default_supported_types() WHERE type = 'deviceShellScript'
  UNION ALL
  SELECT type, segment, 'Device Configuration (edited)', category, platform,
         restore_mode, 'high', supports_dependencies, sort_order
    FROM coverage_truth.default_supported_types() WHERE type = 'deviceConfiguration'
  UNION ALL
  SELECT type, segment, 'Role Scope Tag', category, platform, restore_mode,
         risk_level, supports_dependencies, sort_order
    FROM coverage_truth.default_supported_types() WHERE type = 'roleScopeTag'
  UNION ALL
  SELECT 'customCompliance', 'policy', 'Custom Compliance', 'Compliance',
         'windows', 'not_supported', 'low', false, 45
) AS t ORDER BY type COLLATE "C";
SELECT '-- removed_default_types';
SELECT * FROM (VALUES ('deviceShellScript'), ('termsAndConditions')) AS r(type)
 ORDER BY type COLLATE "C";
SQL

create_source_database() {
	recreate_database "$source_db" &&
		run_sql "$source_db" -c 'CREATE EXTENSION coverage_truth'
}

check_command "create extension in source database" create_source_database \
	|| bail_out "cannot create the extension"

check_command "apply operator edits" run_sql "$source_db" -f "$workdir/edits.sql" \
	|| bail_out "cannot edit the catalog"

save_catalog "$source_db" "$workdir/source.txt"
run_sql "$source_db" -At -f "$workdir/expected_edits.sql" >"$workdir/expected_edits.txt"
diff -u "$workdir/expected_edits.txt" "$workdir/source.txt" >"$workdir/catalog.diff"
status=$?
report "$status" "edits give the expected catalog"
if [ "$status" -ne 0 ]; then
	sed 's/^/# /' "$workdir/catalog.diff"
fi

# Custom format, restored by pg_restore into a fresh database.
check_command "pg_dump custom format" \
	pg_dump -Fc -f "$workdir/source.dump" "$source_db"
recreate_database "$custom_db" >/dev/null
check_command "pg_restore --exit-on-error exits 0" \
	pg_restore --exit-on-error -d "$custom_db" "$workdir/source.dump"
check_catalog "custom restore keeps the catalog" "$custom_db" "$workdir/source.txt"

# Plain format, replayed by psql, which stops at the first error.
check_command "pg_dump plain format" \
	pg_dump -Fp -f "$workdir/source.sql" "$source_db"
recreate_database "$plain_db" >/dev/null
check_command "psql ON_ERROR_STOP restore exits 0" \
	run_sql "$plain_db" -f "$workdir/source.sql"
check_catalog "plain restore keeps the catalog" "$plain_db" "$workdir/source.txt"

# A restored database must dump and restore as well as the original did.
check_command "pg_dump of the restored database" \
	pg_dump -Fc -f "$workdir/again.dump" "$custom_db"
recreate_database "$again_db" >/dev/null
check_command "second pg_restore exits 0" \
	pg_restore --exit-on-error -d "$again_db" "$workdir/again.dump"
check_catalog "second restore keeps the catalog" "$again_db" "$workdir/source.txt"

# TRUNCATE fires no row trigger, yet its removal of every shipped row must
# survive too, here with one shipped key inserted again with new values.
create_truncated_database() {
	recreate_database "$truncated_db" &&
		run_sql "$truncated_db" -c 'CREATE EXTENSION coverage_truth' \
			-c 'TRUNCATE coverage_truth.supported_types' \
			-c "INSERT INTO coverage_truth.supported_types (type, segment, label, category)
			    VALUES ('mobileApp', 'policy', 'Apps (custom)', 'Apps'),
			           ('customOnly', 'foundation', 'Custom only', 'Custom')"
}

check_command "truncate and refill the catalog" create_truncated_database
save_catalog "$truncated_db" "$workdir/truncated.txt"
check_command "pg_dump of the truncated catalog" \
	pg_dump -Fc -f "$workdir/truncated.dump" "$truncated_db"
recreate_database "$truncated_restore_db" >/dev/null
check_command "pg_restore of the truncated catalog exits 0" \
	pg_restore --exit-on-error -d "$truncated_restore_db" "$workdir/truncated.dump"
check_catalog "truncated catalog stays truncated" "$truncated_restore_db" "$workdir/truncated.txt"

for database in "$source_db" "$custom_db" "$plain_db" "$again_db" \
	"$truncated_db" "$truncated_restore_db"; do
	run_sql postgres -c "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1
done

echo "1..$test_number"
[ "$failures" -eq 0 ]
