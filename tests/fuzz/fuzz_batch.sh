#!/bin/sh
# fuzz_batch.sh: `make check` runs the record batch fuzz target for 10 s
# with the standalone driver (tests/fuzz/fuzz_main.c); exit 0 = no crash.
# FUZZ_SECONDS overrides the duration.
exec "${top_builddir:-.}/tests/fuzz/fuzz_batch" "${FUZZ_SECONDS:-10}"
