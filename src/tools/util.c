/*
 * util.c: the pure pieces of samsa(1) (see tool.h): option tables and
 * --help, the bootstrap default, error messages, the Java client's murmur2
 * partitioner, the console producer's line format, and the plans of
 * samsa reassign-partitions (partition lists, Kafka's JSON files, the
 * checks of --execute, the throttled replica lists, the status lines). No
 * sockets.
 *
 * Spec: Kafka 2.8 Utils.murmur2 / DefaultPartitioner; Kafka 3.x
 * kafka.tools.ConsoleProducer.LineMessageReader for the line format;
 * Kafka 2.8 ReassignPartitionsCommand (KIP-455) and its
 * ReassignPartitionsUnitTest, KIP-73 for the throttle configs.
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

/* ---- reassignment plans (samsa reassign-partitions; tool.h) ----------- */

/* ------------------------------------------------------------------ lists */

static int32_t *
ids_dup(const int32_t *v, int32_t n)
{
    int32_t *c = xcalloc((size_t)n + 1, sizeof(*c));

    if (n > 0)
        memcpy(c, v, sizeof(*c) * (size_t)n);
    return c;
}

static bool
ids_has(const int32_t *v, int32_t n, int32_t x)
{
    for (int32_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

/* appends @sep (unless *@s is NULL) and @item to *@s */
static void
append(char **s, const char *sep, const char *item)
{
    char *n = xasprintf("%s%s%s", *s ? *s : "", *s ? sep : "", item);

    free(*s);
    *s = n;
}

tool_reassign_part_t *
tool_reassign_list_add(tool_reassign_list_t *l, const char *topic,
                       int32_t partition, const int32_t *replicas,
                       int32_t nreplicas)
{
    tool_reassign_part_t *p;

    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->parts = xrealloc(l->parts, sizeof(*l->parts) * (size_t)l->cap);
    }
    p = &l->parts[l->n++];
    l->sorted = false;
    memset(p, 0, sizeof(*p));
    p->topic = xstrdup(topic);
    p->partition = partition;
    p->nreplicas = nreplicas;
    p->replicas = ids_dup(replicas, nreplicas);
    p->adding = ids_dup(NULL, 0);
    p->removing = ids_dup(NULL, 0);
    return p;
}

void
tool_reassign_part_moving(tool_reassign_part_t *p, const int32_t *adding,
                          int32_t nadding, const int32_t *removing,
                          int32_t nremoving)
{
    free(p->adding);
    free(p->removing);
    p->nadding = nadding;
    p->adding = ids_dup(adding, nadding);
    p->nremoving = nremoving;
    p->removing = ids_dup(removing, nremoving);
}

static int
part_cmp(const void *a, const void *b)
{
    const tool_reassign_part_t *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);

    if (c != 0)
        return c;
    return (x->partition > y->partition) - (x->partition < y->partition);
}

tool_reassign_part_t *
tool_reassign_list_find(const tool_reassign_list_t *l, const char *topic,
                        int32_t partition)
{
    tool_reassign_part_t key = {.topic = (char *)topic, .partition = partition};
    int lo = 0, hi = l->n;

    if (!l->sorted) {
        for (int i = 0; i < l->n; i++)
            if (part_cmp(&l->parts[i], &key) == 0)
                return &l->parts[i];
        return NULL;
    }
    /* the first entry not below @key */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;

        if (part_cmp(&l->parts[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < l->n && part_cmp(&l->parts[lo], &key) == 0 ? &l->parts[lo]
                                                           : NULL;
}

static int
part_ptr_cmp(const void *a, const void *b)
{
    return part_cmp(*(tool_reassign_part_t *const *)a,
                    *(tool_reassign_part_t *const *)b);
}

void
tool_reassign_list_sort(tool_reassign_list_t *l)
{
    if (l->n > 1)
        qsort(l->parts, (size_t)l->n, sizeof(*l->parts), part_cmp);
    l->sorted = true;
}

void
tool_reassign_list_fini(tool_reassign_list_t *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->parts[i].topic);
        free(l->parts[i].replicas);
        free(l->parts[i].adding);
        free(l->parts[i].removing);
    }
    free(l->parts);
    memset(l, 0, sizeof(*l));
}

char *
tool_reassign_ids_str(const int32_t *ids, int32_t n)
{
    char *s = xcalloc((size_t)n * 12 + 1, 1);
    size_t len = 0;

    for (int32_t i = 0; i < n; i++)
        len += (size_t)sprintf(s + len, "%s%d", i ? "," : "", (int)ids[i]);
    return s;
}

/* ----------------------------------------------------------- broker list */

int
tool_reassign_parse_brokers(const char *s, int32_t **ids, int *n, char *errbuf,
                            size_t errlen)
{
    char *dups = NULL;
    const char *p = s;

    *ids = NULL;
    *n = 0;
    for (;;) {
        const char *end = p + strcspn(p, ",");
        char *stop;
        long v;
        int seen;

        errno = 0;
        v = strtol(p, &stop, 10);
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p == end || stop != end || errno != 0 || v < 0 || v > INT32_MAX) {
            snprintf(errbuf, errlen,
                     "--broker-list: '%.*s' is not a broker id (give ids "
                     "separated by commas, as 0,1,2)",
                     (int)(end - p), p);
            free(*ids);
            free(dups);
            *ids = NULL;
            *n = 0;
            return ERR_INVAL;
        }
        seen = 0;
        for (int i = 0; i < *n; i++)
            seen += (*ids)[i] == (int32_t)v;
        if (seen == 1) {
            char id[16];

            snprintf(id, sizeof(id), "%ld", v);
            append(&dups, ",", id);
        }
        *ids = xrealloc(*ids, sizeof(**ids) * ((size_t)*n + 1));
        (*ids)[(*n)++] = (int32_t)v;
        if (*end == '\0')
            break;
        p = end + 1;
    }
    if (dups != NULL) {
        snprintf(errbuf, errlen, "Broker list contains duplicate entries: %s",
                 dups);
        free(dups);
        free(*ids);
        *ids = NULL;
        *n = 0;
        return ERR_INVAL;
    }
    return 0;
}

/* ------------------------------------------------------------ JSON input */

/* the document and its "version" (1 when left out) */
static json_t *
load(const char *text, char *errbuf, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr), *v;

    if (root == NULL) {
        snprintf(errbuf, errlen, "line %d: %s", jerr.line, jerr.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        snprintf(errbuf, errlen, "expected a JSON object");
        json_decref(root);
        return NULL;
    }
    v = json_object_get(root, "version");
    if (v != NULL && (!json_is_integer(v) || json_integer_value(v) != 1)) {
        char *s = json_dumps(v, JSON_ENCODE_ANY);

        snprintf(errbuf, errlen, "Not supported version field value %s",
                 s ? s : "?");
        free(s);
        json_decref(root);
        return NULL;
    }
    return root;
}

void
tool_reassign_topics_free(char **topics, int ntopics)
{
    for (int i = 0; i < ntopics; i++)
        free(topics[i]);
    free(topics);
}

int
tool_reassign_parse_topics(const char *text, char ***topics, int *ntopics,
                           char *errbuf, size_t errlen)
{
    json_t *root = load(text, errbuf, errlen), *arr;
    char *dups = NULL;
    int rc = 0;

    *topics = NULL;
    *ntopics = 0;
    if (root == NULL)
        return ERR_INVAL;
    arr = json_object_get(root, "topics");
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        snprintf(errbuf, errlen,
                 "no topics: expected {\"version\":1,\"topics\":"
                 "[{\"topic\":\"t\"}, ...]}");
        json_decref(root);
        return ERR_INVAL;
    }
    *topics = xcalloc(json_array_size(arr) + 1, sizeof(char *));
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *t = json_object_get(json_array_get(arr, i), "topic");
        const char *name;
        int seen;

        if (!json_is_string(t)) {
            snprintf(errbuf, errlen, "topics[%zu] needs \"topic\" (a string)",
                     i);
            rc = ERR_INVAL;
            break;
        }
        name = json_string_value(t);
        seen = 0;
        for (int k = 0; k < *ntopics; k++)
            seen += strcmp((*topics)[k], name) == 0;
        if (seen == 1)
            append(&dups, ",", name);
        (*topics)[(*ntopics)++] = xstrdup(name);
    }
    if (rc == 0 && dups != NULL) {
        snprintf(errbuf, errlen,
                 "List of topics to reassign contains duplicate entries: %s",
                 dups);
        rc = ERR_INVAL;
    }
    free(dups);
    json_decref(root);
    if (rc != 0) {
        tool_reassign_topics_free(*topics, *ntopics);
        *topics = NULL;
        *ntopics = 0;
    }
    return rc;
}

/* one element of "partitions" into @out */
static int
parse_partition(json_t *e, size_t i, tool_reassign_list_t *out, char *errbuf,
                size_t errlen)
{
    json_t *t = json_object_get(e, "topic");
    json_t *p = json_object_get(e, "partition");
    json_t *r = json_object_get(e, "replicas");
    json_t *d = json_object_get(e, "log_dirs");
    int32_t *ids;
    size_t n;

    if (!json_is_string(t) || !json_is_integer(p) ||
        json_integer_value(p) < INT32_MIN ||
        json_integer_value(p) > INT32_MAX || !json_is_array(r)) {
        snprintf(errbuf, errlen,
                 "partitions[%zu] needs \"topic\" (a string), \"partition\" "
                 "(an integer) and \"replicas\" (an array of broker ids)",
                 i);
        return ERR_INVAL;
    }
    n = json_array_size(r);
    ids = xcalloc(n + 1, sizeof(*ids));
    for (size_t k = 0; k < n; k++) {
        json_t *b = json_array_get(r, k);

        if (!json_is_integer(b) || json_integer_value(b) < INT32_MIN ||
            json_integer_value(b) > INT32_MAX) {
            snprintf(errbuf, errlen,
                     "partition %s-%d: replicas[%zu] is not a broker id",
                     json_string_value(t), (int)json_integer_value(p), k);
            free(ids);
            return ERR_INVAL;
        }
        ids[k] = (int32_t)json_integer_value(b);
    }
    if (d != NULL) {
        if (!json_is_array(d) || json_array_size(d) != n) {
            char *rs = tool_reassign_ids_str(ids, (int32_t)n);

            snprintf(errbuf, errlen,
                     "Size of replicas list [%s] is different from size of "
                     "log dirs list for partition %s-%d",
                     rs, json_string_value(t), (int)json_integer_value(p));
            free(rs);
            free(ids);
            return ERR_INVAL;
        }
        for (size_t k = 0; k < n; k++) {
            json_t *dir = json_array_get(d, k);

            if (json_is_string(dir) &&
                strcmp(json_string_value(dir), "any") == 0)
                continue;
            snprintf(errbuf, errlen,
                     "partition %s-%d: log_dirs[%zu] is %s%s%s: moving "
                     "replicas between the log directories of a broker is "
                     "not supported; use \"any\"",
                     json_string_value(t), (int)json_integer_value(p), k,
                     json_is_string(dir) ? "\"" : "",
                     json_is_string(dir) ? json_string_value(dir)
                                         : "not a string",
                     json_is_string(dir) ? "\"" : "");
            free(ids);
            return ERR_INVAL;
        }
    }
    tool_reassign_list_add(out, json_string_value(t),
                           (int32_t)json_integer_value(p), ids, (int32_t)n);
    free(ids);
    return 0;
}

int
tool_reassign_parse_partitions(const char *text, tool_reassign_list_t *out,
                               char *errbuf, size_t errlen)
{
    json_t *root = load(text, errbuf, errlen), *arr;
    int rc = 0;

    if (root == NULL)
        return ERR_INVAL;
    arr = json_object_get(root, "partitions");
    if (arr != NULL && !json_is_array(arr)) {
        snprintf(errbuf, errlen, "\"partitions\" is not an array");
        json_decref(root);
        return ERR_INVAL;
    }
    if (json_array_size(arr) == 0) {
        snprintf(errbuf, errlen,
                 "Partition reassignment list cannot be empty: expected "
                 "{\"version\":1,\"partitions\":[{\"topic\":\"t\","
                 "\"partition\":0,\"replicas\":[1,2]}, ...]}");
        json_decref(root);
        return ERR_INVAL;
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(arr); i++)
        rc = parse_partition(json_array_get(arr, i), i, out, errbuf, errlen);
    json_decref(root);
    return rc;
}

int
tool_reassign_check_execute(const tool_reassign_list_t *l, char *errbuf,
                            size_t errlen)
{
    char *dup_parts = NULL, *dup_replicas = NULL;
    int rc = 0;

    for (int i = 0; i < l->n; i++) {
        const tool_reassign_part_t *p = &l->parts[i];

        if (p->nreplicas == 0) {
            snprintf(errbuf, errlen,
                     "Partition replica list cannot be empty (%s-%d)", p->topic,
                     (int)p->partition);
            return ERR_INVAL;
        }
    }
    for (int i = 0; i < l->n; i++) {
        const tool_reassign_part_t *p = &l->parts[i];
        char *dups = NULL;
        bool first = true;

        for (int k = 0; k < i && first; k++)
            if (l->parts[k].partition == p->partition &&
                strcmp(l->parts[k].topic, p->topic) == 0)
                first = false;
        for (int k = i + 1; k < l->n && first; k++) {
            if (l->parts[k].partition == p->partition &&
                strcmp(l->parts[k].topic, p->topic) == 0) {
                char *tp = xasprintf("%s-%d", p->topic, (int)p->partition);

                append(&dup_parts, ",", tp);
                free(tp);
                break;
            }
        }
        for (int32_t r = 0; r < p->nreplicas; r++) {
            bool seen_before = ids_has(p->replicas, r, p->replicas[r]);

            if (!seen_before && ids_has(p->replicas + r + 1,
                                        p->nreplicas - r - 1, p->replicas[r])) {
                char id[16];

                snprintf(id, sizeof(id), "%d", (int)p->replicas[r]);
                append(&dups, ",", id);
            }
        }
        if (dups != NULL) {
            char *m = xasprintf("%s-%d contains multiple entries for %s",
                                p->topic, (int)p->partition, dups);

            append(&dup_replicas, ". ", m);
            free(m);
            free(dups);
        }
    }
    if (dup_parts != NULL) {
        snprintf(errbuf, errlen,
                 "Partition reassignment contains duplicate topic "
                 "partitions: %s",
                 dup_parts);
        rc = ERR_INVAL;
    } else if (dup_replicas != NULL) {
        snprintf(errbuf, errlen,
                 "Partition replica lists may not contain duplicate "
                 "entries: %s",
                 dup_replicas);
        rc = ERR_INVAL;
    }
    free(dup_parts);
    free(dup_replicas);
    return rc;
}

/* ----------------------------------------------------------- JSON output */

static json_t *
json_ids(const int32_t *ids, int32_t n)
{
    json_t *a = json_array();

    for (int32_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(ids[i]));
    return a;
}

json_t *
tool_reassign_json(const tool_reassign_list_t *l)
{
    tool_reassign_part_t **order = xcalloc((size_t)l->n + 1, sizeof(*order));
    json_t *root = json_object(), *arr = json_array();

    /* sort pointers: @l stays as it is */
    for (int i = 0; i < l->n; i++)
        order[i] = &l->parts[i];
    if (l->n > 1)
        qsort(order, (size_t)l->n, sizeof(*order), part_ptr_cmp);
    for (int i = 0; i < l->n; i++) {
        json_t *o = json_object(), *dirs = json_array();

        json_object_set_new(o, "topic", json_string(order[i]->topic));
        json_object_set_new(o, "partition", json_integer(order[i]->partition));
        json_object_set_new(o, "replicas",
                            json_ids(order[i]->replicas, order[i]->nreplicas));
        for (int32_t r = 0; r < order[i]->nreplicas; r++)
            json_array_append_new(dirs, json_string("any"));
        json_object_set_new(o, "log_dirs", dirs);
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "partitions", arr);
    free(order);
    return root;
}

char *
tool_reassign_json_str(const tool_reassign_list_t *l)
{
    json_t *j = tool_reassign_json(l);
    char *s = json_dumps(j, JSON_COMPACT);

    json_decref(j);
    return s;
}

/* -------------------------------------------------------------- throttles */

/* a partition's move: sources and destinations */
typedef struct move {
    const char *topic;
    int32_t partition;
    int32_t nsrc, ndst;
    int32_t *src, *dst;
} move_t;

static move_t *
move_slot(move_t **moves, int *n, const char *topic, int32_t partition)
{
    for (int i = 0; i < *n; i++)
        if ((*moves)[i].partition == partition &&
            strcmp((*moves)[i].topic, topic) == 0) {
            free((*moves)[i].src);
            free((*moves)[i].dst);
            return &(*moves)[i];
        }
    *moves = xrealloc(*moves, sizeof(**moves) * ((size_t)*n + 1));
    (*moves)[*n].topic = topic;
    (*moves)[*n].partition = partition;
    return &(*moves)[(*n)++];
}

/* @a less @b (as sets, in @a's order, without repeats) into @out */
static int32_t
ids_minus(const int32_t *a, int32_t na, const int32_t *b, int32_t nb,
          int32_t *out)
{
    int32_t n = 0;

    for (int32_t i = 0; i < na; i++)
        if (!ids_has(b, nb, a[i]) && !ids_has(out, n, a[i]))
            out[n++] = a[i];
    return n;
}

static int
str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
id_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

/* "p:b" for each broker of each move of @topic, sorted as strings (a
 * TreeSet[String] in Kafka), joined with commas */
static char *
throttle_list(const move_t *moves, int n, const char *topic, bool leader)
{
    char **items = NULL, *s;
    int nitems = 0;
    size_t len = 1;

    for (int i = 0; i < n; i++) {
        const move_t *m = &moves[i];
        const int32_t *ids = leader ? m->src : m->dst;
        int32_t nids = leader ? m->nsrc : m->ndst;

        if (strcmp(m->topic, topic) != 0)
            continue;
        for (int32_t k = 0; k < nids; k++) {
            if (!leader && ids_has(m->src, m->nsrc, ids[k]))
                continue;
            items = xrealloc(items, sizeof(*items) * ((size_t)nitems + 1));
            items[nitems] = xasprintf("%d:%d", (int)m->partition, (int)ids[k]);
            len += strlen(items[nitems++]) + 1;
        }
    }
    qsort(items, (size_t)nitems, sizeof(*items), str_cmp);
    s = xcalloc(len, 1);
    len = 0;
    for (int i = 0; i < nitems; i++) {
        if (i == 0 || strcmp(items[i], items[i - 1]) != 0)
            len += (size_t)sprintf(s + len, "%s%s", len ? "," : "", items[i]);
    }
    for (int i = 0; i < nitems; i++)
        free(items[i]);
    free(items);
    return s;
}

int
tool_reassign_throttles(const tool_reassign_list_t *ongoing,
                        const tool_reassign_list_t *proposed,
                        const tool_reassign_list_t *current,
                        tool_reassign_throttles_t *out, char *errbuf,
                        size_t errlen)
{
    move_t *moves = NULL;
    int nmoves = 0, rc = 0;
    const char **topics;
    int ntopics = 0;

    memset(out, 0, sizeof(*out));
    for (int i = 0; ongoing != NULL && i < ongoing->n; i++) {
        const tool_reassign_part_t *p = &ongoing->parts[i];
        move_t *m = move_slot(&moves, &nmoves, p->topic, p->partition);

        m->src = xcalloc((size_t)p->nreplicas + 1, sizeof(int32_t));
        m->nsrc =
            ids_minus(p->replicas, p->nreplicas, p->adding, p->nadding, m->src);
        m->dst = ids_dup(p->adding, p->nadding);
        m->ndst = p->nadding;
    }
    for (int i = 0; i < proposed->n; i++) {
        const tool_reassign_part_t *p = &proposed->parts[i];
        const tool_reassign_part_t *in_progress =
            ongoing ? tool_reassign_list_find(ongoing, p->topic, p->partition)
                    : NULL;
        const tool_reassign_part_t *cur =
            tool_reassign_list_find(current, p->topic, p->partition);
        int32_t *src;
        int32_t nsrc;
        move_t *m;

        if (in_progress == NULL && cur == NULL) {
            snprintf(errbuf, errlen,
                     "Trying to reassign a topic partition %s-%d with 0 "
                     "replicas",
                     p->topic, (int)p->partition);
            rc = ERR_INVAL;
            break;
        }
        if (in_progress != NULL) {
            src = xcalloc((size_t)in_progress->nreplicas + 1, sizeof(*src));
            nsrc = ids_minus(in_progress->replicas, in_progress->nreplicas,
                             in_progress->adding, in_progress->nadding, src);
        } else {
            src = xcalloc((size_t)cur->nreplicas + 1, sizeof(*src));
            nsrc = ids_minus(cur->replicas, cur->nreplicas, NULL, 0, src);
        }
        m = move_slot(&moves, &nmoves, p->topic, p->partition);
        m->src = src;
        m->nsrc = nsrc;
        m->dst = xcalloc((size_t)p->nreplicas + 1, sizeof(int32_t));
        m->ndst = ids_minus(p->replicas, p->nreplicas, src, nsrc, m->dst);
    }
    topics = xcalloc((size_t)nmoves + 1, sizeof(*topics));
    for (int i = 0; rc == 0 && i < nmoves; i++) {
        bool seen = false;

        for (int k = 0; k < ntopics && !seen; k++)
            seen = strcmp(topics[k], moves[i].topic) == 0;
        if (!seen)
            topics[ntopics++] = moves[i].topic;
        for (int32_t k = 0; k < moves[i].nsrc + moves[i].ndst; k++) {
            int32_t b = k < moves[i].nsrc ? moves[i].src[k]
                                          : moves[i].dst[k - moves[i].nsrc];

            if (ids_has(out->brokers, out->nbrokers, b))
                continue;
            out->brokers = xrealloc(
                out->brokers, sizeof(int32_t) * ((size_t)out->nbrokers + 1));
            out->brokers[out->nbrokers++] = b;
        }
    }
    if (rc == 0) {
        qsort(topics, (size_t)ntopics, sizeof(*topics), str_cmp);
        if (out->nbrokers > 1)
            qsort(out->brokers, (size_t)out->nbrokers, sizeof(int32_t), id_cmp);
        out->ntopics = ntopics;
        out->topics = xcalloc((size_t)ntopics + 1, sizeof(*out->topics));
        for (int i = 0; i < ntopics; i++) {
            out->topics[i].topic = xstrdup(topics[i]);
            out->topics[i].leader =
                throttle_list(moves, nmoves, topics[i], true);
            out->topics[i].follower =
                throttle_list(moves, nmoves, topics[i], false);
        }
    }
    for (int i = 0; i < nmoves; i++) {
        free(moves[i].src);
        free(moves[i].dst);
    }
    free(moves);
    free(topics);
    if (rc != 0)
        tool_reassign_throttles_fini(out);
    return rc;
}

void
tool_reassign_throttles_fini(tool_reassign_throttles_t *t)
{
    for (int i = 0; i < t->ntopics; i++) {
        free(t->topics[i].topic);
        free(t->topics[i].leader);
        free(t->topics[i].follower);
    }
    free(t->topics);
    free(t->brokers);
    memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------ status text */

tool_reassign_state_t
tool_reassign_state(const tool_reassign_part_t *target,
                    const tool_reassign_part_t *ongoing,
                    const tool_reassign_part_t *current)
{
    if (ongoing != NULL)
        return TOOL_REASSIGN_IN_PROGRESS;
    if (current != NULL && current->nreplicas == target->nreplicas &&
        (target->nreplicas == 0 ||
         memcmp(current->replicas, target->replicas,
                sizeof(int32_t) * (size_t)target->nreplicas) == 0))
        return TOOL_REASSIGN_COMPLETE;
    return TOOL_REASSIGN_DIFFERENT;
}

char *
tool_reassign_state_line(tool_reassign_state_t st,
                         const tool_reassign_part_t *target,
                         const tool_reassign_part_t *current)
{
    char *cur, *tgt, *s;

    switch (st) {
    case TOOL_REASSIGN_COMPLETE:
        return xasprintf("Reassignment of partition %s-%d is complete.",
                         target->topic, (int)target->partition);
    case TOOL_REASSIGN_IN_PROGRESS:
        return xasprintf("Reassignment of partition %s-%d is still in "
                         "progress.",
                         target->topic, (int)target->partition);
    case TOOL_REASSIGN_DIFFERENT: break;
    }
    cur = current ? tool_reassign_ids_str(current->replicas, current->nreplicas)
                  : xstrdup("");
    tgt = tool_reassign_ids_str(target->replicas, target->nreplicas);
    s = xasprintf("There is no active reassignment of partition %s-%d, but "
                  "replica set is %s rather than %s.",
                  target->topic, (int)target->partition, cur, tgt);
    free(cur);
    free(tgt);
    return s;
}

char *
tool_reassign_list_line(const tool_reassign_part_t *p)
{
    char *r = tool_reassign_ids_str(p->replicas, p->nreplicas);
    char *a = tool_reassign_ids_str(p->adding, p->nadding);
    char *m = tool_reassign_ids_str(p->removing, p->nremoving);
    char *s = xasprintf(
        "%s-%d: replicas: %s.%s%s%s%s%s%s", p->topic, (int)p->partition, r,
        p->nadding ? " adding: " : "", a, p->nadding ? "." : "",
        p->nremoving ? " removing: " : "", m, p->nremoving ? "." : "");

    free(r);
    free(a);
    free(m);
    return s;
}
