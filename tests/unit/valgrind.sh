#!/bin/sh
# The unit suites again under valgrind's memcheck: any invalid access or
# leak fails the test (CONVENTIONS.md: Valgrind/ASan clean).
command -v valgrind >/dev/null 2>&1 || { echo "valgrind not installed"; exit 77; }
cd "$top_builddir" || exit 1
exec valgrind -q --error-exitcode=9 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect ./tests/unit/run_unit
