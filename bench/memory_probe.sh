#!/bin/bash
# Append one line of a backend's memory figures to a CSV file, called by
# psql's \! from the session being measured (bench/run.sh sets the
# variables). Phase "before" also resets the backend's peak resident set
# (VmHWM) to its current size, which needs root or the backend's owner.
#
#   BENCH_BACKEND_PID  the backend's process id
#   BENCH_MEMORY_CSV   file to append to
#   BENCH_DATASET, BENCH_VARIANT  labels written with the figures
#
# Columns: dataset, variant, phase, VmRSS, VmHWM, RssAnon, RssShmem (kB).
set -euo pipefail
phase=$1
status=/proc/$BENCH_BACKEND_PID/status
if [ "$phase" = before ]; then
	echo 5 > "/proc/$BENCH_BACKEND_PID/clear_refs"
fi
awk -v dataset="$BENCH_DATASET" -v variant="$BENCH_VARIANT" -v phase="$phase" '
	$1 == "VmRSS:" { rss = $2 }
	$1 == "VmHWM:" { hwm = $2 }
	$1 == "RssAnon:" { anon = $2 }
	$1 == "RssShmem:" { shmem = $2 }
	END { printf "%s,%s,%s,%d,%d,%d,%d\n", dataset, variant, phase, rss, hwm, anon, shmem }
' "$status" >> "$BENCH_MEMORY_CSV"
