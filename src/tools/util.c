/*
 * util.c: the pure pieces of samsa(1) (see tool.h): option tables and
 * --help, the bootstrap default, error messages, the Java client's murmur2
 * partitioner and the console producer's line format. No sockets.
 *
 * Spec: Kafka 2.8 Utils.murmur2 / DefaultPartitioner; Kafka 3.x
 * kafka.tools.ConsoleProducer.LineMessageReader for the line format.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/err.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

/* ---------------------------------------------------------------- options */

static int
opt_index(const tool_opt_t *opts, int nopts, const char *name, size_t len)
{
    for (int i = 0; i < nopts; i++)
        if (strlen(opts[i].name) == len && memcmp(opts[i].name, name, len) == 0)
            return i;
    return -1;
}

static void
opt_push(char ***arr, int *n, char *v)
{
    *arr = xrealloc(*arr, sizeof(**arr) * (size_t)(*n + 1));
    (*arr)[(*n)++] = v;
}

int
tool_args_parse(tool_args_t *a, const tool_opt_t *opts, int nopts, int argc,
                char **argv, char *errbuf, size_t errlen)
{
    bool only_operands = false;

    memset(a, 0, sizeof(*a));
    a->opts = opts;
    a->nopts = nopts < TOOL_MAX_OPTS ? nopts : TOOL_MAX_OPTS;
    for (int i = 1; i < argc; i++) {
        char *s = argv[i], *eq, *val = NULL;
        size_t len;
        int k;

        if (only_operands || strncmp(s, "--", 2) != 0 || s[2] == '\0') {
            if (!only_operands && strcmp(s, "--") == 0) {
                only_operands = true;
                continue;
            }
            if (s[0] == '-' && s[1] != '\0' && !only_operands) {
                snprintf(errbuf, errlen,
                         "unknown option '%s' (options are long: --name)", s);
                return TOOL_EXIT_USAGE;
            }
            opt_push(&a->operands, &a->noperands, s);
            continue;
        }
        s += 2;
        eq = strchr(s, '=');
        len = eq ? (size_t)(eq - s) : strlen(s);
        k = opt_index(opts, a->nopts, s, len);
        if (k < 0) {
            snprintf(errbuf, errlen, "unknown option '--%.*s'", (int)len, s);
            return TOOL_EXIT_USAGE;
        }
        if (opts[k].arg == NULL) {
            if (eq) {
                snprintf(errbuf, errlen, "option '--%s' takes no value",
                         opts[k].name);
                return TOOL_EXIT_USAGE;
            }
        } else if (eq) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            snprintf(errbuf, errlen, "option '--%s' needs a value (%s)",
                     opts[k].name, opts[k].arg);
            return TOOL_EXIT_USAGE;
        }
        if (val)
            opt_push(&a->vals[k], &a->count[k], val);
        else
            a->count[k]++;
    }
    return 0;
}

void
tool_args_fini(tool_args_t *a)
{
    for (int i = 0; i < TOOL_MAX_OPTS; i++)
        free(a->vals[i]);
    free(a->operands);
    memset(a, 0, sizeof(*a));
}

static int
opt_find(const tool_args_t *a, const char *name)
{
    int k = opt_index(a->opts, a->nopts, name, strlen(name));

    return k;
}

bool
tool_opt_has(const tool_args_t *a, const char *name)
{
    int k = opt_find(a, name);

    return k >= 0 && a->count[k] > 0;
}

const char *
tool_opt_get(const tool_args_t *a, const char *name)
{
    int k = opt_find(a, name);

    if (k < 0 || a->count[k] == 0 || a->vals[k] == NULL)
        return NULL;
    return a->vals[k][a->count[k] - 1];
}

char *const *
tool_opt_all(const tool_args_t *a, const char *name, int *n)
{
    int k = opt_find(a, name);

    if (k < 0 || a->vals[k] == NULL) {
        *n = 0;
        return NULL;
    }
    *n = a->count[k];
    return a->vals[k];
}

int
tool_parse_int(const char *name, const char *s, int64_t min, int64_t max,
               int64_t *out, char *errbuf, size_t errlen)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
        snprintf(errbuf, errlen,
                 "--%s: '%s' is not an integer between %lld and %lld", name, s,
                 (long long)min, (long long)max);
        return TOOL_EXIT_USAGE;
    }
    *out = v;
    return 0;
}

void
tool_print_help(const char *cmd, const char *usage, const char *summary,
                const tool_opt_t *opts, int nopts)
{
    printf("usage: samsa %s %s\n\n%s\n\nOptions:\n", cmd, usage, summary);
    for (int i = 0; i < nopts; i++) {
        char left[80];

        snprintf(left, sizeof(left), "--%s%s%s", opts[i].name,
                 opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        if (strlen(left) > 30)
            printf("  %s\n  %-30s %s\n", left, "", opts[i].help);
        else
            printf("  %-30s %s\n", left, opts[i].help);
    }
    printf("\nExit status: 0 done, 1 failed, 2 usage error, 3 cannot reach "
           "the cluster.\nSee samsa-%s(1).\n",
           cmd);
}

int
tool_args_begin(tool_args_t *a, const char *cmd, const char *usage,
                const char *summary, const tool_opt_t *opts, int nopts,
                int argc, char **argv)
{
    char err[256];

    if (tool_args_parse(a, opts, nopts, argc, argv, err, sizeof(err)) != 0) {
        tool_err(cmd, "%s; see samsa %s --help", err, cmd);
        return TOOL_EXIT_USAGE;
    }
    if (tool_opt_has(a, "help")) {
        tool_print_help(cmd, usage, summary, opts, nopts);
        return -1;
    }
    return 0;
}

const char *
tool_bootstrap(const tool_args_t *a, const char *cmd)
{
    const char *b = tool_opt_get(a, "bootstrap-server");

    if (b == NULL || *b == '\0')
        b = getenv(TOOL_ENV_BOOTSTRAP);
    if (b == NULL || *b == '\0') {
        tool_err(cmd,
                 "no broker to talk to: give --bootstrap-server HOST:PORT "
                 "or set %s",
                 TOOL_ENV_BOOTSTRAP);
        return NULL;
    }
    return b;
}

void
tool_err(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fprintf(stderr, "samsa %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

char *
tool_kstr(arena_t *ar, kstr_t s)
{
    if (s.len < 0)
        return NULL;
    return arena_strndup(ar, s.ptr ? s.ptr : "", (size_t)s.len);
}

/* ------------------------------------------------------------ partitioner */

int32_t
tool_murmur2(const void *data, size_t len)
{
    const uint8_t *p = data;
    const uint32_t m = 0x5bd1e995u;
    uint32_t h = 0x9747b28cu ^ (uint32_t)len;
    size_t n4 = len / 4;

    for (size_t i = 0; i < n4; i++) {
        const uint8_t *q = p + 4 * i;
        uint32_t k = (uint32_t)q[0] | (uint32_t)q[1] << 8 |
                     (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;

        k *= m;
        k ^= k >> 24;
        k *= m;
        h *= m;
        h ^= k;
    }
    switch (len % 4) {
    case 3:
        h ^= (uint32_t)p[(len & ~(size_t)3) + 2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t)p[(len & ~(size_t)3) + 1] << 8;
        /* fall through */
    case 1: h ^= p[len & ~(size_t)3]; h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return (int32_t)h;
}

int32_t
tool_partition_for_key(const void *key, size_t len, int32_t n)
{
    uint32_t positive = (uint32_t)tool_murmur2(key, len) & 0x7fffffffu;

    return n > 0 ? (int32_t)(positive % (uint32_t)n) : 0;
}

/* --------------------------------------------------- console producer line */

void
tool_line_fmt_init(tool_line_fmt_t *fmt)
{
    memset(fmt, 0, sizeof(*fmt));
    fmt->key_separator = "\t";
    fmt->headers_delimiter = "\t";
    fmt->headers_separator = ",";
    fmt->headers_key_separator = ":";
}

static int
parse_bool(const char *v, bool *out)
{
    if (strcasecmp(v, "true") == 0)
        *out = true;
    else if (strcasecmp(v, "false") == 0)
        *out = false;
    else
        return ERR_INVAL;
    return 0;
}

int
tool_line_fmt_set(tool_line_fmt_t *fmt, const char *key, const char *value)
{
    if (strcmp(key, "parse.key") == 0)
        return parse_bool(value, &fmt->parse_key);
    if (strcmp(key, "parse.headers") == 0)
        return parse_bool(value, &fmt->parse_headers);
    if (strcmp(key, "ignore.error") == 0)
        return parse_bool(value, &fmt->ignore_error);
    if (strcmp(key, "null.marker") == 0) {
        fmt->null_marker = value;
        return 0;
    }
    const char **sep =
        strcmp(key, "key.separator") == 0       ? &fmt->key_separator
        : strcmp(key, "headers.delimiter") == 0 ? &fmt->headers_delimiter
        : strcmp(key, "headers.separator") == 0 ? &fmt->headers_separator
        : strcmp(key, "headers.key.separator") == 0
            ? &fmt->headers_key_separator
            : NULL;
    if (sep == NULL)
        return ERR_NOTFOUND;
    if (*value == '\0')
        return ERR_INVAL;
    *sep = value;
    return 0;
}

/* first occurrence of @needle in [@s, @s+@len), or NULL */
static const char *
find_sep(const char *s, size_t len, const char *needle)
{
    size_t nl = strlen(needle);

    if (nl == 0 || nl > len)
        return NULL;
    for (size_t i = 0; i + nl <= len; i++)
        if (memcmp(s + i, needle, nl) == 0)
            return s + i;
    return NULL;
}

static bool
is_null_marker(const tool_line_fmt_t *fmt, const char *s, size_t len)
{
    return fmt->null_marker && strlen(fmt->null_marker) == len &&
           memcmp(fmt->null_marker, s, len) == 0;
}

int
tool_line_parse(const tool_line_fmt_t *fmt, const char *line, size_t len,
                tool_line_t *out, char *errbuf, size_t errlen)
{
    const char *p = line, *end = line + len;

    memset(out, 0, sizeof(*out));
    if (fmt->parse_headers) {
        const char *d = find_sep(p, len, fmt->headers_delimiter);

        if (d == NULL && !fmt->ignore_error) {
            snprintf(errbuf, errlen,
                     "no headers delimiter ('%s') found in the line",
                     fmt->headers_delimiter);
            return ERR_INVAL;
        }
        if (d != NULL) {
            const char *h = p;

            while (h < d) {
                const char *e =
                    find_sep(h, (size_t)(d - h), fmt->headers_separator);
                const char *hend = e ? e : d, *ks;

                if (out->nheaders == TOOL_LINE_MAX_HEADERS) {
                    snprintf(errbuf, errlen, "more than %d headers",
                             TOOL_LINE_MAX_HEADERS);
                    return ERR_INVAL;
                }
                ks =
                    find_sep(h, (size_t)(hend - h), fmt->headers_key_separator);
                if (hend > h) {
                    int i = out->nheaders++;

                    out->headers[i].key = h;
                    out->headers[i].key_len = (size_t)((ks ? ks : hend) - h);
                    if (ks) {
                        const char *v = ks + strlen(fmt->headers_key_separator);

                        out->headers[i].value = v;
                        out->headers[i].value_len = (size_t)(hend - v);
                        if (is_null_marker(fmt, v, out->headers[i].value_len))
                            out->headers[i].value = NULL;
                    }
                }
                h = e ? e + strlen(fmt->headers_separator) : d;
            }
            p = d + strlen(fmt->headers_delimiter);
        }
    }
    if (fmt->parse_key) {
        const char *k = find_sep(p, (size_t)(end - p), fmt->key_separator);

        if (k == NULL) {
            if (!fmt->ignore_error) {
                snprintf(
                    errbuf, errlen,
                    "no key separator ('%s') found in the line; "
                    "write KEY%sVALUE or drop --property parse.key=true",
                    strcmp(fmt->key_separator, "\t") == 0 ? "\\t"
                                                          : fmt->key_separator,
                    strcmp(fmt->key_separator, "\t") == 0 ? "<TAB>"
                                                          : fmt->key_separator);
                return ERR_INVAL;
            }
        } else {
            out->key = p;
            out->key_len = (size_t)(k - p);
            if (is_null_marker(fmt, out->key, out->key_len))
                out->key = NULL;
            p = k + strlen(fmt->key_separator);
        }
    }
    out->value = p;
    out->value_len = (size_t)(end - p);
    if (is_null_marker(fmt, out->value, out->value_len))
        out->value = NULL;
    return 0;
}
