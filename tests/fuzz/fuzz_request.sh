#!/bin/sh
# fuzz_request.sh: `make check` runs the request/response codec fuzz target
# for 10 s with the standalone driver (tests/fuzz/fuzz_main.c); exit 0 = no
# crash and no asymmetric encoding. FUZZ_SECONDS overrides the duration.
exec "${top_builddir:-.}/tests/fuzz/fuzz_request" "${FUZZ_SECONDS:-10}"
