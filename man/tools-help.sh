#!/bin/sh
# tools-help.sh (make check): every samsa(1) command has its man page, and
# the options each command prints with --help are exactly those its page
# lists under OPTIONS (.It Fl -name).  Needs the built samsa.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=.}"
samsa=$top_builddir/samsa
[ -x "$samsa" ] || { echo "$samsa not built"; exit 1; }
tmp=${TMPDIR:-/tmp}/tools-help.$$
trap 'rm -f "$tmp".*' EXIT
status=0
commands=$("$samsa" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
[ -n "$commands" ] || { echo "samsa --help lists no commands"; exit 1; }
for f in "$top_srcdir"/src/tools/cmd_*.c; do
    n=$(basename "$f" .c); n=${n#cmd_}
    echo "$commands" | grep -qx "$n" ||
        { echo "src/tools/cmd_$n.c: not in samsa --help"; status=1; }
done
for c in $commands; do
    page=$top_srcdir/man/samsa-$c.1
    if [ ! -f "$page" ]; then
        echo "samsa $c: no man/samsa-$c.1"; status=1; continue
    fi
    grep -q "samsa-$c 1" "$top_srcdir/man/samsa.1" ||
        { echo "man/samsa.1 does not refer to samsa-$c(1)"; status=1; }
    "$samsa" "$c" --help | sed -n 's/^  --\([a-z][a-z-]*\).*/\1/p' |
        sort -u >"$tmp.help"
    sed -n '/^\.Sh OPTIONS/,/^\.Sh /s/^\.It Fl -\([a-z][a-z-]*\).*/\1/p' \
        "$page" | sort -u >"$tmp.man"
    [ -s "$tmp.help" ] || { echo "samsa $c --help prints no options"; status=1; }
    for o in $(comm -23 "$tmp.help" "$tmp.man"); do
        echo "samsa $c: --$o is in --help but not in man/samsa-$c.1 OPTIONS"
        status=1
    done
    for o in $(comm -13 "$tmp.help" "$tmp.man"); do
        echo "samsa $c: --$o is in man/samsa-$c.1 OPTIONS but not in --help"
        status=1
    done
done
[ $status = 0 ] && echo "samsa commands: --help and man pages agree"
exit $status
