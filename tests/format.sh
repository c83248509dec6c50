#!/bin/sh
# Every C file follows .clang-format (CONVENTIONS.md "Formatting").
# clang-format versions differ in their output: the check is made with
# Debian 12's clang-format 14 and skipped with any other.
command -v clang-format >/dev/null 2>&1 || { echo "no clang-format"; exit 77; }
clang-format --version | grep -q 'version 14\.' ||
    { echo "clang-format is not version 14"; exit 77; }
cd "$top_srcdir" || exit 1
files=$(find src include tests bench -name '*.[ch]' ! -name kcat_batches.h |
    sort)
out=$(mktemp) || exit 1
if ! clang-format --dry-run --Werror $files 2>"$out"; then
    grep -E '^[^ ]+:[0-9]+:[0-9]+: error' "$out" | cut -d: -f1 | sort -u |
        sed 's/^/not formatted: /'
    echo "run: clang-format -i <file> (see .clang-format)"
    rm -f "$out"
    exit 1
fi
rm -f "$out"
echo "$(echo "$files" | wc -l) files formatted as .clang-format says"
