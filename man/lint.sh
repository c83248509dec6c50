#!/bin/sh
# Lints every man page with groff's warnings (make check).
status=0
for page in "$top_srcdir"/man/*.[1-8]; do
    out=$(groff -mandoc -ww -z "$page" 2>&1)
    if [ -n "$out" ]; then
        echo "$page:"; echo "$out"; status=1
    fi
done
[ $status = 0 ] && echo "man pages: no warnings"
exit $status
