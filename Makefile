# Build with PGXS: make && make install, then make installcheck.
MODULE_big = coverage_truth
OBJS = \
	src/settings.o \
	src/payload.o \
	src/sources.o \
	src/resolver.o \
	src/fleet.o \
	src/diagnostics.o \
	src/history.o \
	src/entry.o

EXTENSION = coverage_truth
DATA = $(wildcard sql/coverage_truth--*.sql)
PGFILEDESC = "coverage_truth - inventory coverage derived from sync runs"

# Every sql/*.sql file except the install and upgrade scripts is a
# pg_regress test, with its expected output in expected/.
REGRESS = $(sort $(filter-out coverage_truth--%,$(basename $(notdir $(wildcard sql/*.sql)))))

# Every test/isolation/specs/*.spec file is an isolation test with its
# expected output in test/isolation/expected/; make installcheck runs them
# after the pg_regress tests.
ISOLATION = $(sort $(basename $(notdir $(wildcard test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=coverage_truth

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks header dependencies only in servers built with
# --enable-depend, so list the shared header explicitly.
$(OBJS): src/coverage_truth.h

# Benchmark against the plain-SQL reference and the index floor, as root
# (see BENCHMARKS.md). SCALE=small for a quick run.
.PHONY: bench
bench:
	bash bench/run.sh --scale $(or $(SCALE),default)
