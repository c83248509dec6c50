/*
 * offstore.c: a group's committed offsets in memory and the JSON of
 * /samsa/groups/<group> (see offstore.h).
 *
 * Owns: the entry table, the group node's encoding and a small JSON reader
 * for it (strings with escapes, integers, null, nested values skipped).
 * Does not own ZooKeeper I/O (coord.c).
 */
#include "samsa/offstore.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/buf.h"
#include "samsa/xmalloc.h"

void
offstore_init(offstore_t *os)
{
    memset(os, 0, sizeof(*os));
}

void
offstore_fini(offstore_t *os)
{
    for (int32_t i = 0; i < os->n; i++) {
        free(os->entries[i].topic);
        free(os->entries[i].metadata);
    }
    free(os->entries);
    for (int32_t i = 0; i < os->ntopics; i++)
        free(os->topics[i]);
    free(os->topics);
    memset(os, 0, sizeof(*os));
}

offstore_entry_t *
offstore_find(const offstore_t *os, const char *topic, int32_t partition)
{
    for (int32_t i = 0; i < os->n; i++)
        if (os->entries[i].partition == partition &&
            strcmp(os->entries[i].topic, topic) == 0)
            return &os->entries[i];
    return NULL;
}

offstore_entry_t *
offstore_get(offstore_t *os, const char *topic, int32_t partition)
{
    offstore_entry_t *e = offstore_find(os, topic, partition);

    if (e != NULL)
        return e;
    if (os->n == os->cap) {
        os->cap = os->cap ? os->cap * 2 : 16;
        os->entries =
            xrealloc(os->entries, (size_t)os->cap * sizeof(*os->entries));
    }
    e = &os->entries[os->n++];
    memset(e, 0, sizeof(*e));
    e->topic = xstrdup(topic);
    e->partition = partition;
    e->offset = -1;
    e->leader_epoch = -1;
    e->commit_timestamp = -1;
    return e;
}

void
offstore_remove(offstore_t *os, const char *topic, int32_t partition)
{
    offstore_entry_t *e = offstore_find(os, topic, partition);
    int32_t i;

    if (e == NULL)
        return;
    i = (int32_t)(e - os->entries);
    free(e->topic);
    free(e->metadata);
    os->n--;
    memmove(&os->entries[i], &os->entries[i + 1],
            (size_t)(os->n - i) * sizeof(*os->entries));
}

void
offstore_set_metadata(offstore_entry_t *e, const char *metadata)
{
    free(e->metadata);
    e->metadata = metadata ? xstrdup(metadata) : NULL;
}

bool
offstore_topic_exists(const offstore_t *os, const char *topic)
{
    for (int32_t i = 0; i < os->ntopics; i++)
        if (strcmp(os->topics[i], topic) == 0)
            return true;
    return false;
}

void
offstore_topic_add(offstore_t *os, const char *topic)
{
    if (offstore_topic_exists(os, topic))
        return;
    os->topics =
        xrealloc(os->topics, (size_t)(os->ntopics + 1) * sizeof(*os->topics));
    os->topics[os->ntopics++] = xstrdup(topic);
}

void
offstore_topic_remove(offstore_t *os, const char *topic)
{
    for (int32_t i = 0; i < os->ntopics; i++) {
        if (strcmp(os->topics[i], topic) != 0)
            continue;
        free(os->topics[i]);
        os->ntopics--;
        memmove(&os->topics[i], &os->topics[i + 1],
                (size_t)(os->ntopics - i) * sizeof(*os->topics));
        return;
    }
}

void
offstore_group_info_fini(offstore_group_info_t *info)
{
    free(info->protocol_type);
    free(info->protocol);
    memset(info, 0, sizeof(*info));
}

/* ---- encoding ---- */

static void
json_str(buf_t *b, const char *s)
{
    if (s == NULL) {
        buf_append(b, "null", 4);
        return;
    }
    buf_append(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];

        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            buf_append(b, esc, 2);
        } else if (*p < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", *p);
            buf_append(b, esc, 6);
        } else {
            buf_append(b, p, 1);
        }
    }
    buf_append(b, "\"", 1);
}

static void json_fmt(buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
json_fmt(buf_t *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        buf_append(b, tmp,
                   (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

char *
offstore_json_encode(const offstore_group_info_t *info, const offstore_t *os)
{
    buf_t b = BUF_INIT;
    bool first = true;
    char *out;

    json_fmt(&b, "{\"version\":1,\"generation\":%" PRId32 ",\"protocol_type\":",
             info->generation);
    json_str(&b, info->protocol_type);
    buf_append(&b, ",\"protocol\":", 12);
    json_str(&b, info->protocol);
    json_fmt(&b, ",\"state_timestamp\":%" PRId64 ",\"offsets\":[",
             info->state_timestamp);
    for (int32_t i = 0; i < os->n; i++) {
        const offstore_entry_t *e = &os->entries[i];

        if (e->offset < 0)
            continue;
        buf_append(&b, first ? "{\"topic\":" : ",{\"topic\":", first ? 9 : 10);
        first = false;
        json_str(&b, e->topic);
        json_fmt(&b,
                 ",\"partition\":%" PRId32 ",\"leader_epoch\":%" PRId32
                 ",\"metadata\":",
                 e->partition, e->leader_epoch);
        json_str(&b, e->metadata);
        json_fmt(&b, ",\"commit_timestamp\":%" PRId64 "}", e->commit_timestamp);
    }
    buf_append(&b, "]}", 3); /* with the NUL */
    out = xstrdup((const char *)b.data);
    buf_fini(&b);
    return out;
}

/* ---- decoding: a small reader for the shape above ---- */

typedef struct jr {
    const char *p, *end;
    bool err;
} jr_t;

static void
jr_ws(jr_t *r)
{
    while (r->p < r->end && isspace((unsigned char)*r->p))
        r->p++;
}

static bool
jr_lit(jr_t *r, char c)
{
    jr_ws(r);
    if (r->p < r->end && *r->p == c) {
        r->p++;
        return true;
    }
    return false;
}

static void
jr_expect(jr_t *r, char c)
{
    if (!jr_lit(r, c))
        r->err = true;
}

static bool
jr_word(jr_t *r, const char *w)
{
    size_t n = strlen(w);

    jr_ws(r);
    if ((size_t)(r->end - r->p) >= n && memcmp(r->p, w, n) == 0) {
        r->p += n;
        return true;
    }
    return false;
}

static void
utf8_put(buf_t *b, uint32_t cp)
{
    uint8_t u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (uint8_t)(0xc0 | (cp >> 6));
        u[1] = (uint8_t)(0x80 | (cp & 0x3f));
        n = 2;
    } else {
        u[0] = (uint8_t)(0xe0 | (cp >> 12));
        u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (uint8_t)(0x80 | (cp & 0x3f));
        n = 3;
    }
    buf_append(b, u, n);
}

/* a string (malloc'd) or null (NULL, *is_null); sets err otherwise */
static char *
jr_string(jr_t *r, bool *is_null)
{
    buf_t b = BUF_INIT;
    char *out;

    *is_null = false;
    if (jr_word(r, "null")) {
        *is_null = true;
        return NULL;
    }
    if (!jr_lit(r, '"')) {
        r->err = true;
        return NULL;
    }
    while (r->p < r->end && *r->p != '"') {
        char c = *r->p++;

        if (c != '\\') {
            buf_append(&b, &c, 1);
            continue;
        }
        if (r->p >= r->end)
            break;
        c = *r->p++;
        switch (c) {
        case 'b': buf_append(&b, "\b", 1); break;
        case 'f': buf_append(&b, "\f", 1); break;
        case 'n': buf_append(&b, "\n", 1); break;
        case 'r': buf_append(&b, "\r", 1); break;
        case 't': buf_append(&b, "\t", 1); break;
        case 'u': {
            char hex[5] = {0};

            if (r->end - r->p < 4) {
                r->err = true;
                break;
            }
            memcpy(hex, r->p, 4);
            r->p += 4;
            utf8_put(&b, (uint32_t)strtoul(hex, NULL, 16));
            break;
        }
        default: buf_append(&b, &c, 1); break;
        }
    }
    if (r->p >= r->end)
        r->err = true;
    else
        r->p++;
    buf_append(&b, "", 1);
    out = xstrdup((const char *)b.data);
    buf_fini(&b);
    return out;
}

static int64_t
jr_int(jr_t *r)
{
    char tmp[32];
    size_t n = 0;
    char *endp;
    long long v;

    jr_ws(r);
    while (r->p + n < r->end && n < sizeof(tmp) - 1 &&
           (isdigit((unsigned char)r->p[n]) || r->p[n] == '-'))
        n++;
    if (n == 0) {
        r->err = true;
        return 0;
    }
    memcpy(tmp, r->p, n);
    tmp[n] = 0;
    errno = 0;
    v = strtoll(tmp, &endp, 10);
    if (errno != 0 || *endp != 0)
        r->err = true;
    r->p += n;
    return v;
}

static void jr_skip(jr_t *r, int depth);

static void
jr_skip(jr_t *r, int depth)
{
    bool nul;

    jr_ws(r);
    if (depth > 32 || r->p >= r->end) {
        r->err = true;
        return;
    }
    if (*r->p == '"') {
        free(jr_string(r, &nul));
    } else if (*r->p == '{' || *r->p == '[') {
        char close = *r->p == '{' ? '}' : ']';
        bool obj = *r->p == '{';

        r->p++;
        if (jr_lit(r, close))
            return;
        do {
            if (obj) {
                free(jr_string(r, &nul));
                jr_expect(r, ':');
            }
            jr_skip(r, depth + 1);
        } while (!r->err && jr_lit(r, ','));
        jr_expect(r, close);
    } else if (jr_word(r, "null") || jr_word(r, "true") ||
               jr_word(r, "false")) {
        return;
    } else {
        while (r->p < r->end &&
               (isdigit((unsigned char)*r->p) || strchr("+-.eE", *r->p)))
            r->p++;
    }
}

static void
jr_offset(jr_t *r, offstore_t *os)
{
    char *topic = NULL, *metadata = NULL;
    bool have_part = false, nul, meta_null = true;
    int32_t partition = 0, epoch = -1;
    int64_t ts = -1;

    jr_expect(r, '{');
    if (!jr_lit(r, '}')) {
        do {
            char *key = jr_string(r, &nul);

            jr_expect(r, ':');
            if (key == NULL)
                r->err = true;
            else if (strcmp(key, "topic") == 0) {
                free(topic);
                topic = jr_string(r, &nul);
            } else if (strcmp(key, "partition") == 0) {
                partition = (int32_t)jr_int(r);
                have_part = true;
            } else if (strcmp(key, "leader_epoch") == 0) {
                epoch = (int32_t)jr_int(r);
            } else if (strcmp(key, "commit_timestamp") == 0) {
                ts = jr_int(r);
            } else if (strcmp(key, "metadata") == 0) {
                free(metadata);
                metadata = jr_string(r, &meta_null);
            } else {
                jr_skip(r, 1);
            }
            free(key);
        } while (!r->err && jr_lit(r, ','));
        jr_expect(r, '}');
    }
    if (!r->err && topic != NULL && have_part && partition >= 0) {
        offstore_entry_t *e = offstore_get(os, topic, partition);

        e->leader_epoch = epoch;
        e->commit_timestamp = ts;
        offstore_set_metadata(e, meta_null ? NULL : metadata);
    } else {
        r->err = true;
    }
    free(topic);
    free(metadata);
}

int
offstore_json_decode(const char *data, size_t len, offstore_group_info_t *info,
                     offstore_t *os, char *errbuf, size_t errlen)
{
    jr_t r = {data, data + len, false};
    bool nul;

    memset(info, 0, sizeof(*info));
    info->generation = 0;
    jr_expect(&r, '{');
    if (!r.err && !jr_lit(&r, '}')) {
        do {
            char *key = jr_string(&r, &nul);

            jr_expect(&r, ':');
            if (key == NULL || r.err) {
                r.err = true;
            } else if (strcmp(key, "generation") == 0) {
                info->generation = (int32_t)jr_int(&r);
            } else if (strcmp(key, "protocol_type") == 0) {
                free(info->protocol_type);
                info->protocol_type = jr_string(&r, &nul);
            } else if (strcmp(key, "protocol") == 0) {
                free(info->protocol);
                info->protocol = jr_string(&r, &nul);
            } else if (strcmp(key, "state_timestamp") == 0) {
                info->state_timestamp = jr_int(&r);
            } else if (strcmp(key, "offsets") == 0) {
                jr_expect(&r, '[');
                if (!r.err && !jr_lit(&r, ']')) {
                    do
                        jr_offset(&r, os);
                    while (!r.err && jr_lit(&r, ','));
                    jr_expect(&r, ']');
                }
            } else {
                jr_skip(&r, 1);
            }
            free(key);
        } while (!r.err && jr_lit(&r, ','));
        jr_expect(&r, '}');
    }
    if (r.err) {
        snprintf(errbuf, errlen, "malformed group node at byte %td",
                 r.p - data);
        return -1;
    }
    return 0;
}

int
offstore_parse_offset(const char *data, size_t len, int64_t *offset)
{
    char tmp[32];
    char *endp;
    long long v;

    while (len > 0 && isspace((unsigned char)data[len - 1]))
        len--;
    if (data == NULL || len == 0 || len >= sizeof(tmp))
        return -1;
    memcpy(tmp, data, len);
    tmp[len] = 0;
    errno = 0;
    v = strtoll(tmp, &endp, 10);
    if (errno != 0 || *endp != 0 || v < -1)
        return -1;
    *offset = v;
    return 0;
}
