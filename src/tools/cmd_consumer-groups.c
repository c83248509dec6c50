/*
 * cmd_consumer-groups.c: samsa consumer-groups, after
 * kafka-consumer-groups.sh (Kafka 2.8): list groups (ListGroups of every
 * broker), describe them (FindCoordinator, then DescribeGroups and
 * OffsetFetch of the coordinator, ListOffsets of the partition leaders for
 * the log-end offsets), reset their committed offsets (OffsetCommit with
 * generation -1, refused while the group has members, as Kafka does) and
 * delete them (DeleteGroups).
 *
 * Owns: the options table, the checks of which options go together, the
 * dispatch to the sub-commands, ListGroups (for --list and --all-groups)
 * and --list's output, and, in sections below: the group and its
 * requests, --describe, --reset-offsets and --delete.
 *
 * Spec: Kafka's ConsumerGroupCommand for options, columns and refusals.
 */

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "samsa/arena.h"
#include "samsa/buf.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/kread.h"
#include "samsa/p_deletegroups.h"
#include "samsa/p_describegroups.h"
#include "samsa/p_findcoordinator.h"
#include "samsa/p_listgroups.h"
#include "samsa/p_offsetcommit.h"
#include "samsa/p_offsetfetch.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

/* what the sections below share */
#define CG_CMD "consumer-groups"
#define CG_LIST_HINT "list groups with samsa consumer-groups --list"

/* ------------------------------------------------------------- the group */

typedef struct cg_tp {
    const char *topic;
    int32_t partition;
} cg_tp_t;

typedef struct cg_member {
    const char *member_id;
    const char *instance_id; /* NULL = none */
    const char *client_id;
    const char *host;
    bool decoded; /* the assignment could be read */
    int nparts;
    cg_tp_t *parts;
} cg_member_t;

typedef struct cg_offset {
    const char *topic;
    int32_t partition;
    int64_t offset;
} cg_offset_t;

/* one group as its coordinator describes it; strings in @ar */
typedef struct cg_group {
    arena_t ar;
    const char *group_id;
    const char *state;
    const char *protocol_type;
    const char *protocol;
    int32_t coordinator;
    int nmembers;
    cg_member_t *members;
    int noffsets;
    cg_offset_t *offsets;
} cg_group_t;

/*
 * The coordinator of @group (FindCoordinator of the bootstrap broker),
 * waiting up to 10 s (40 tries 250 ms apart) while the cluster has none.
 * Returns 0 or a TOOL_EXIT_* code with a message in @err.
 */
static int cg_coordinator(tool_client_t *tc, const char *group, int32_t *node,
                          char *err, size_t errlen);

/*
 * Loads @name into @g: its coordinator, description (DescribeGroups) and,
 * if @offsets, committed offsets (OffsetFetch). A group the coordinator
 * does not know is state "Dead". Returns 0 or a TOOL_EXIT_* code with a
 * message in @err; call cg_fini() on @g either way.
 */
static int cg_load(tool_client_t *tc, const char *name, bool offsets,
                   cg_group_t *g, char *err, size_t errlen);
static void cg_fini(cg_group_t *g);
/* true when the coordinator does not know the group (state "Dead") */
static bool cg_dead(const cg_group_t *g);
/* the committed offset of @topic:@p, NULL if none; valid while @g is */
static const cg_offset_t *cg_committed(const cg_group_t *g, const char *topic,
                                       int32_t p);

/*
 * ListOffsets at @ts (-1 latest, -2 earliest, else ms) for @n partitions
 * (@topics[i], @parts[i]), asked of their leaders: @out[i] receives the
 * offset, -1 when unknown (no such topic or partition, no leader, an
 * error: then @failed is set and the first reason is in @err). Returns 0,
 * or a TOOL_EXIT_* code with a message in @err when a broker failed.
 */
static int cg_list_offsets(tool_client_t *tc, int n, const char *const *topics,
                           const int32_t *parts, int64_t ts, int64_t *out,
                           bool *failed, char *err, size_t errlen);

/* ------------------------------------------------------------ a request */

/*
 * One request and its answer, for the p_*.c codecs:
 *
 *     cg_call_begin(tc, &c, node, API_X, ...);  version, header
 *     p_x_req_encode(&c.r.kw, c.v, &req);
 *     cg_call_send(tc, &c, ...);                 c.kr: the answer's body
 *     p_x_resp_decode(&c.kr, c.v, &c.ar, &resp) or cg_call_malformed()
 *     cg_call_fini(&c);                          always, whatever failed
 *
 * The decoded answer lives in @c->ar and @c->frame until cg_call_fini().
 * begin and send return 0 or a TOOL_EXIT_* code with a message in @err;
 * cg_call_malformed() writes "malformed X response" and returns
 * TOOL_EXIT_FAIL.
 */
typedef struct cg_call {
    tool_req_t r;
    int16_t v; /* the version @node speaks */
    buf_t frame;
    kread_t kr;
    arena_t ar;
} cg_call_t;

static int cg_call_begin(tool_client_t *tc, cg_call_t *c, int32_t node,
                         int16_t api_key, char *err, size_t errlen);
static int cg_call_send(tool_client_t *tc, cg_call_t *c, char *err,
                        size_t errlen);
static int cg_call_malformed(const cg_call_t *c, char *err, size_t errlen);
static void cg_call_fini(cg_call_t *c);

/* -------------------------------------------------------------- output */

/* a table printed with columns as wide as their widest cell */
typedef struct cg_table {
    int ncols;
    const char *const *heads;
    int nrows;
    char **cells; /* nrows * ncols, malloc'd */
} cg_table_t;

/* adds a row of @t->ncols strings (copied) */
static void cg_table_add(cg_table_t *t, ...);
/* prints the heads and the rows on stdout, then empties @t */
static void cg_table_print(cg_table_t *t);

/* @v in @buf, or "-" when negative (unknown) */
static const char *cg_num(char *buf, size_t len, int64_t v);
/* @v, or null when negative (unknown) */
static json_t *cg_jnum(int64_t v);
/* @s, or null when NULL */
static json_t *cg_jstr(const char *s);
/* a view of @s */
static kstr_t cg_ks(const char *s);
/* <0, 0, >0 as @ta:@pa sorts before, with, after @tb:@pb (by topic) */
static int cg_tp_order(const char *ta, int32_t pa, const char *tb, int32_t pb);
/* how many of the options @names @a has */
static int cg_count_given(const tool_args_t *a, const char *const *names,
                          int n);

/* ---------------------------------------------------------- sub-commands */

/* each prints its results and returns the process exit status */

typedef enum { VIEW_OFFSETS, VIEW_MEMBERS, VIEW_STATE } cg_view_t;

static int cg_describe_groups(tool_client_t *tc, char *const *groups,
                              int ngroups, cg_view_t view, bool verbose,
                              bool json);

typedef enum {
    TO_EARLIEST,
    TO_LATEST,
    TO_CURRENT,
    TO_OFFSET,
    SHIFT_BY,
    TO_TIME,
} cg_scenario_t;

typedef struct cg_reset {
    cg_scenario_t how;
    int64_t value; /* the offset, the shift, or the time in ms */
    char *const *topics;
    int ntopics; /* 0: --all-topics */
    bool execute;
    bool json;
} cg_reset_t;

/*
 * Reads the scenario of --reset-offsets (one of --to-*, --shift-by,
 * --by-duration) from @a into @rs->how and @rs->value; TOOL_EXIT_USAGE
 * after saying why.
 */
static int cg_reset_scenario(const tool_args_t *a, cg_reset_t *rs);
static int cg_reset_groups(tool_client_t *tc, char *const *groups, int ngroups,
                           const cg_reset_t *rs);

static int cg_delete_groups(tool_client_t *tc, char *const *groups,
                            int ngroups);

/*
 * ---- The group: the consumer group as samsa consumer-groups sees it, and
 * the requests that load it.
 *
 * Owns: FindCoordinator (waiting while the cluster has none),
 * DescribeGroups and OffsetFetch of the coordinator, the reading of the
 * members' assignments, ListOffsets of the partitions' leaders, the
 * request steps every sub-command uses (cg_call_*), and the output
 * helpers (the column table, "-" and null for unknowns). Does not own
 * what the sub-commands do with a group (the sections below), nor
 * ListGroups (the command's section).
 *
 * Spec: Kafka's ConsumerGroupCommand (Kafka 2.8) for the refusals and
 * messages; the consumer protocol's ConsumerProtocolAssignment (version
 * int16, [topic string, [partition int32]], user_data bytes) for what
 * members own.
 */

/* ------------------------------------------------------------ a request */

static int
cg_call_begin(tool_client_t *tc, cg_call_t *c, int32_t node, int16_t api_key,
              char *err, size_t errlen)
{
    int rc;

    memset(c, 0, sizeof(*c));
    buf_init(&c->frame);
    kwrite_init(&c->r.kw);
    c->r.api_key = api_key;
    arena_init(&c->ar);
    rc = tool_client_version(tc, node, api_key, &c->v, err, errlen);
    if (rc == 0)
        tool_req_begin(tc, &c->r, node, api_key, c->v);
    return rc;
}

static int
cg_call_send(tool_client_t *tc, cg_call_t *c, char *err, size_t errlen)
{
    return tool_req_call(tc, &c->r, &c->frame, &c->kr, err, errlen);
}

static int
cg_call_malformed(const cg_call_t *c, char *err, size_t errlen)
{
    const kapi_t *api = kapi_find(c->r.api_key);

    snprintf(err, errlen, "malformed %s response", api ? api->name : "?");
    return TOOL_EXIT_FAIL;
}

static void
cg_call_fini(cg_call_t *c)
{
    /* a request begun but not sent (OffsetFetch < v2) holds its header */
    kwrite_fini(&c->r.kw);
    arena_fini(&c->ar);
    buf_fini(&c->frame);
}

/* -------------------------------------------------------------- output */

static void
cg_table_add(cg_table_t *t, ...)
{
    va_list ap;

    t->cells = xrealloc(t->cells, sizeof(char *) * (size_t)(t->nrows + 1) *
                                      (size_t)t->ncols);
    va_start(ap, t);
    for (int c = 0; c < t->ncols; c++)
        t->cells[t->nrows * t->ncols + c] = xstrdup(va_arg(ap, const char *));
    va_end(ap);
    t->nrows++;
}

static void
cg_table_print(cg_table_t *t)
{
    int *w = xcalloc((size_t)t->ncols, sizeof(int));

    for (int c = 0; c < t->ncols; c++) {
        w[c] = (int)strlen(t->heads[c]);
        for (int r = 0; r < t->nrows; r++) {
            int n = (int)strlen(t->cells[r * t->ncols + c]);

            if (n > w[c])
                w[c] = n;
        }
    }
    for (int r = -1; r < t->nrows; r++)
        for (int c = 0; c < t->ncols; c++) {
            const char *s = r < 0 ? t->heads[c] : t->cells[r * t->ncols + c];

            if (c == t->ncols - 1)
                printf("%s\n", s);
            else
                printf("%-*s ", w[c], s);
        }
    for (int i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(w);
    t->cells = NULL;
    t->nrows = 0;
}

static const char *
cg_num(char *buf, size_t len, int64_t v)
{
    if (v < 0)
        return "-";
    snprintf(buf, len, "%lld", (long long)v);
    return buf;
}

static json_t *
cg_jnum(int64_t v)
{
    return v < 0 ? json_null() : json_integer(v);
}

static json_t *
cg_jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static kstr_t
cg_ks(const char *s)
{
    return (kstr_t){s, (int32_t)strlen(s)};
}

static int
cg_tp_order(const char *ta, int32_t pa, const char *tb, int32_t pb)
{
    int c = strcmp(ta, tb);

    if (c != 0)
        return c;
    return (pa > pb) - (pa < pb);
}

/* ------------------------------------------------------------- the group */

static void
nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static int
cg_coordinator(tool_client_t *tc, const char *group, int32_t *node, char *err,
               size_t errlen)
{
    for (int attempt = 0;; attempt++) {
        findcoordinator_req_t req = {.key = cg_ks(group), .key_type = 0};
        findcoordinator_resp_t resp;
        cg_call_t c;
        int16_t ec;
        int rc;

        rc = cg_call_begin(tc, &c, -1, API_FIND_COORDINATOR, err, errlen);
        if (rc == 0) {
            p_findcoordinator_req_encode(&c.r.kw, c.v, &req);
            rc = cg_call_send(tc, &c, err, errlen);
        }
        if (rc == 0 &&
            p_findcoordinator_resp_decode(&c.kr, c.v, &c.ar, &resp) != 0)
            rc = cg_call_malformed(&c, err, errlen);
        ec = rc == 0 ? resp.error_code : 0;
        if (rc == 0 && ec == 0)
            *node = resp.node_id;
        else if (rc == 0)
            snprintf(
                err, errlen,
                "cannot find the coordinator of group '%s': %s%s%.*s", group,
                kerr_name(ec), resp.error_message.len > 0 ? ": " : "",
                resp.error_message.len > 0 ? (int)resp.error_message.len : 0,
                resp.error_message.len > 0 ? resp.error_message.ptr : "");
        cg_call_fini(&c);
        if (rc != 0)
            return rc;
        if (ec == 0)
            return 0;
        if ((ec == KERR_COORDINATOR_NOT_AVAILABLE ||
             ec == KERR_COORDINATOR_LOAD_IN_PROGRESS ||
             ec == KERR_NOT_COORDINATOR) &&
            attempt < 40) {
            nap_ms(250);
            continue;
        }
        if (ec == KERR_COORDINATOR_NOT_AVAILABLE)
            snprintf(err, errlen,
                     "group '%s': no coordinator (the controller) right now; "
                     "is ZooKeeper up? try again in a few seconds",
                     group);
        return TOOL_EXIT_FAIL;
    }
}

/* reads a ConsumerProtocolAssignment into @m (an unreadable one: none) */
static void
cg_decode_assignment(arena_t *ar, kbytes_t b, cg_member_t *m)
{
    kread_t kr;
    cg_tp_t *tmp = NULL;
    int n = 0;
    int32_t nt;

    m->decoded = false;
    m->nparts = 0;
    m->parts = NULL;
    if (b.len <= 0)
        return;
    kread_init(&kr, b.ptr, (size_t)b.len);
    (void)kread_i16(&kr); /* version */
    nt = kread_array(&kr, false, 6);
    for (int32_t t = 0; t < nt && !kr.err; t++) {
        kstr_t name = kread_str(&kr, false);
        int32_t np = kread_array(&kr, false, 4);
        char *topic = tool_kstr(ar, name);

        for (int32_t p = 0; p < np && !kr.err; p++) {
            tmp = xrealloc(tmp, sizeof(*tmp) * (size_t)(n + 1));
            tmp[n].topic = topic ? topic : "";
            tmp[n++].partition = kread_i32(&kr);
        }
    }
    /* user_data follows; not needed */
    if (!kr.err) {
        m->decoded = true;
        m->nparts = n;
        m->parts = arena_calloc(ar, (size_t)n + 1, sizeof(*m->parts));
        if (n > 0)
            memcpy(m->parts, tmp, sizeof(*tmp) * (size_t)n);
    }
    free(tmp);
}

/* DescribeGroups of @g->group_id at its coordinator */
static int
cg_fetch_description(tool_client_t *tc, cg_group_t *g, char *err, size_t errlen)
{
    kstr_t name = cg_ks(g->group_id);
    describegroups_req_t req = {.ngroups = 1, .groups = &name};
    describegroups_resp_t resp;
    cg_call_t c;
    int rc;

    rc =
        cg_call_begin(tc, &c, g->coordinator, API_DESCRIBE_GROUPS, err, errlen);
    if (rc == 0) {
        p_describegroups_req_encode(&c.r.kw, c.v, &req);
        rc = cg_call_send(tc, &c, err, errlen);
    }
    if (rc == 0 &&
        (p_describegroups_resp_decode(&c.kr, c.v, &c.ar, &resp) != 0 ||
         resp.ngroups < 1))
        rc = cg_call_malformed(&c, err, errlen);
    if (rc == 0 && resp.groups[0].error_code != 0) {
        int16_t ec = resp.groups[0].error_code;

        if (ec == KERR_GROUP_ID_NOT_FOUND)
            snprintf(err, errlen, "group '%s' does not exist; %s", g->group_id,
                     CG_LIST_HINT);
        else if (ec == KERR_NOT_COORDINATOR)
            snprintf(err, errlen,
                     "group '%s': the coordinator moved while asking; run "
                     "the command again",
                     g->group_id);
        else
            snprintf(err, errlen, "group '%s': %s", g->group_id, kerr_name(ec));
        rc = TOOL_EXIT_FAIL;
    }
    if (rc == 0) {
        const describegroups_group_t *d = &resp.groups[0];

        g->state = tool_kstr(&g->ar, d->group_state);
        g->protocol_type = tool_kstr(&g->ar, d->protocol_type);
        g->protocol = tool_kstr(&g->ar, d->protocol_data);
        g->nmembers = d->nmembers;
        g->members =
            arena_calloc(&g->ar, (size_t)d->nmembers + 1, sizeof(*g->members));
        for (int32_t i = 0; i < d->nmembers; i++) {
            const describegroups_member_t *dm = &d->members[i];
            cg_member_t *m = &g->members[i];

            m->member_id = tool_kstr(&g->ar, dm->member_id);
            m->instance_id = tool_kstr(&g->ar, dm->group_instance_id);
            m->client_id = tool_kstr(&g->ar, dm->client_id);
            m->host = tool_kstr(&g->ar, dm->client_host);
            if (g->protocol_type == NULL || *g->protocol_type == '\0' ||
                strcmp(g->protocol_type, "consumer") == 0)
                cg_decode_assignment(&g->ar, dm->member_assignment, m);
        }
    }
    cg_call_fini(&c);
    return rc;
}

/* OffsetFetch of every committed offset of @g */
static int
cg_fetch_offsets(tool_client_t *tc, cg_group_t *g, char *err, size_t errlen)
{
    offsetfetch_req_t req = {.group_id = cg_ks(g->group_id), .ntopics = -1};
    offsetfetch_resp_t resp;
    cg_call_t c;
    int rc;

    rc = cg_call_begin(tc, &c, g->coordinator, API_OFFSET_FETCH, err, errlen);
    if (rc == 0 && c.v < 2) {
        snprintf(err, errlen,
                 "the coordinator speaks OffsetFetch v%d; "
                 "samsa needs v2 or later",
                 (int)c.v);
        rc = TOOL_EXIT_FAIL;
    }
    if (rc == 0) {
        p_offsetfetch_req_encode(&c.r.kw, c.v, &req);
        rc = cg_call_send(tc, &c, err, errlen);
    }
    if (rc == 0 && p_offsetfetch_resp_decode(&c.kr, c.v, &c.ar, &resp) != 0)
        rc = cg_call_malformed(&c, err, errlen);
    if (rc == 0 && resp.error_code != 0) {
        snprintf(err, errlen, "group '%s': cannot read its offsets: %s%s",
                 g->group_id, kerr_name(resp.error_code),
                 resp.error_code == KERR_NOT_COORDINATOR
                     ? "; run the command again"
                     : "");
        rc = TOOL_EXIT_FAIL;
    }
    if (rc == 0) {
        int n = 0;

        for (int32_t t = 0; t < resp.ntopics; t++)
            n += resp.topics[t].npartitions;
        g->offsets = arena_calloc(&g->ar, (size_t)n + 1, sizeof(*g->offsets));
        g->noffsets = 0;
        for (int32_t t = 0; t < resp.ntopics; t++) {
            const offsetfetch_resp_topic_t *rt = &resp.topics[t];
            char *topic = tool_kstr(&g->ar, rt->name);

            for (int32_t p = 0; p < rt->npartitions; p++) {
                const offsetfetch_resp_partition_t *rp = &rt->partitions[p];

                if (rp->error_code != 0 || rp->committed_offset < 0)
                    continue;
                g->offsets[g->noffsets].topic = topic ? topic : "";
                g->offsets[g->noffsets].partition = rp->partition_index;
                g->offsets[g->noffsets++].offset = rp->committed_offset;
            }
        }
    }
    cg_call_fini(&c);
    return rc;
}

static int
cg_load(tool_client_t *tc, const char *name, bool offsets, cg_group_t *g,
        char *err, size_t errlen)
{
    int rc;

    memset(g, 0, sizeof(*g));
    arena_init(&g->ar);
    g->group_id = arena_strndup(&g->ar, name, strlen(name));
    rc = cg_coordinator(tc, name, &g->coordinator, err, errlen);
    if (rc == 0)
        rc = cg_fetch_description(tc, g, err, errlen);
    if (rc == 0 && offsets)
        rc = cg_fetch_offsets(tc, g, err, errlen);
    return rc;
}

static void
cg_fini(cg_group_t *g)
{
    arena_fini(&g->ar);
}

static bool
cg_dead(const cg_group_t *g)
{
    return g->state == NULL || strcmp(g->state, "Dead") == 0;
}

static const cg_offset_t *
cg_committed(const cg_group_t *g, const char *topic, int32_t p)
{
    for (int i = 0; i < g->noffsets; i++)
        if (g->offsets[i].partition == p &&
            strcmp(g->offsets[i].topic, topic) == 0)
            return &g->offsets[i];
    return NULL;
}

/* one Metadata and one tool_list_offsets() per topic */
static int
cg_list_offsets(tool_client_t *tc, int n, const char *const *topics,
                const int32_t *parts, int64_t ts, int64_t *out, bool *failed,
                char *err, size_t errlen)
{
    const char **names = xcalloc((size_t)n + 1, sizeof(char *));
    int nnames = 0, rc = 0;

    for (int i = 0; i < n; i++) {
        int k;

        out[i] = -1;
        for (k = 0; k < nnames; k++)
            if (strcmp(names[k], topics[i]) == 0)
                break;
        if (k == nnames)
            names[nnames++] = topics[i];
    }
    for (int k = 0; k < nnames && rc == 0; k++) {
        const metadata_resp_t *md;
        int32_t *pp = xcalloc((size_t)n + 1, sizeof(int32_t));
        int32_t *leaders = xcalloc((size_t)n + 1, sizeof(int32_t));
        int64_t *offs = xcalloc((size_t)n + 1, sizeof(int64_t));
        int16_t *errs = xcalloc((size_t)n + 1, sizeof(int16_t));
        int *idx = xcalloc((size_t)n + 1, sizeof(int));
        int m = 0;
        char lerr[512] = "";

        rc = tool_client_metadata(tc, &names[k], 1, &md, err, errlen);
        for (int32_t t = 0; rc == 0 && t < md->ntopics; t++) {
            const metadata_resp_topic_t *mt = &md->topics[t];

            if (mt->error_code != 0 || !kstr_eq(mt->name, names[k]))
                continue;
            for (int i = 0; i < n; i++) {
                if (strcmp(topics[i], names[k]) != 0)
                    continue;
                for (int32_t q = 0; q < mt->npartitions; q++)
                    if (mt->partitions[q].partition_index == parts[i]) {
                        pp[m] = parts[i];
                        leaders[m] = mt->partitions[q].leader_id;
                        idx[m++] = i;
                    }
            }
        }
        if (rc == 0 && m > 0)
            rc = tool_list_offsets(tc, names[k], pp, leaders, m, ts, offs, errs,
                                   lerr, sizeof(lerr));
        if (rc != 0 && lerr[0])
            snprintf(err, errlen, "%s", lerr);
        for (int j = 0; rc == 0 && j < m; j++) {
            if (errs[j] == 0) {
                out[idx[j]] = offs[j];
                continue;
            }
            if (!*failed)
                snprintf(err, errlen, "%s:%d: %s", names[k], (int)pp[j],
                         errs[j] == -1 ? lerr : kerr_name(errs[j]));
            *failed = true;
        }
        free(pp);
        free(leaders);
        free(offs);
        free(errs);
        free(idx);
    }
    free(names);
    return rc;
}

/*
 * ---- --describe: samsa consumer-groups --describe, after
 * kafka-consumer-groups.sh --describe (Kafka 2.8): for each group, its
 * partitions with the committed and log-end offsets and the lag
 * (--offsets, the default), its members (--members [--verbose]), or its
 * coordinator, assignor, state and member count (--state); as tables or
 * JSON.
 *
 * Owns: the rows and columns of the three views and the notices Kafka
 * prints before them (no active members, rebalancing). Does not own
 * loading the group (cg_group.c) nor checking the options
 * (cmd_consumer-groups.c).
 *
 * Spec: Kafka's ConsumerGroupCommand describeGroups for the columns, the
 * rows (a member without partitions; a committed partition no member
 * owns) and the notices.
 */

typedef struct cg_row {
    const char *topic; /* NULL: a member without partitions */
    int32_t partition;
    int64_t current; /* -1: none committed */
    int64_t end;     /* -1: unknown */
    const cg_member_t *m;
} cg_row_t;

static int
row_cmp(const void *a, const void *b)
{
    const cg_row_t *x = a, *y = b;

    if (x->topic == NULL || y->topic == NULL)
        return (x->topic == NULL) - (y->topic == NULL);
    return cg_tp_order(x->topic, x->partition, y->topic, y->partition);
}

static const char *
dash(const char *s)
{
    return s && *s ? s : "-";
}

static int
describe_offsets(tool_client_t *tc, const cg_group_t *g, json_t *out, char *err,
                 size_t errlen)
{
    static const char *const heads[] = {
        "GROUP", "TOPIC",       "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET",
        "LAG",   "CONSUMER-ID", "HOST",      "CLIENT-ID"};
    cg_table_t t = {.ncols = 9, .heads = heads};
    cg_row_t *rows;
    const char **topics;
    int32_t *parts;
    int64_t *ends;
    int n = 0, nt = 0, cap = g->noffsets + g->nmembers, rc;
    bool failed = false;

    for (int i = 0; i < g->nmembers; i++)
        cap += g->members[i].nparts;
    rows = xcalloc((size_t)cap + 1, sizeof(*rows));
    for (int i = 0; i < g->nmembers; i++) {
        const cg_member_t *m = &g->members[i];

        if (m->nparts == 0) {
            rows[n].topic = NULL;
            rows[n].current = rows[n].end = -1;
            rows[n++].m = m;
        }
        for (int p = 0; p < m->nparts; p++) {
            const cg_offset_t *o =
                cg_committed(g, m->parts[p].topic, m->parts[p].partition);

            rows[n].topic = m->parts[p].topic;
            rows[n].partition = m->parts[p].partition;
            rows[n].current = o ? o->offset : -1;
            rows[n].end = -1;
            rows[n++].m = m;
        }
    }
    for (int i = 0; i < g->noffsets; i++) {
        bool owned = false;

        for (int k = 0; k < n && !owned; k++)
            owned = rows[k].topic &&
                    rows[k].partition == g->offsets[i].partition &&
                    strcmp(rows[k].topic, g->offsets[i].topic) == 0;
        if (owned)
            continue;
        rows[n].topic = g->offsets[i].topic;
        rows[n].partition = g->offsets[i].partition;
        rows[n].current = g->offsets[i].offset;
        rows[n].end = -1;
        rows[n++].m = NULL;
    }
    if (n > 1)
        qsort(rows, (size_t)n, sizeof(*rows), row_cmp);
    topics = xcalloc((size_t)n + 1, sizeof(char *));
    parts = xcalloc((size_t)n + 1, sizeof(int32_t));
    ends = xcalloc((size_t)n + 1, sizeof(int64_t));
    for (int i = 0; i < n && rows[i].topic; i++, nt++) {
        topics[i] = rows[i].topic;
        parts[i] = rows[i].partition;
    }
    rc = cg_list_offsets(tc, nt, topics, parts, -1, ends, &failed, err, errlen);
    if (rc == 0 && failed)
        tool_err(CG_CMD, "group '%s': no log-end offset for %s", g->group_id,
                 err);
    for (int i = 0; rc == 0 && i < n; i++) {
        cg_row_t *w = &rows[i];
        int64_t lag;
        char pb[16], cb[24], eb[24], lb[24];

        if (w->topic)
            w->end = ends[i];
        lag = w->current >= 0 && w->end >= 0
                  ? (w->end > w->current ? w->end - w->current : 0)
                  : -1;
        if (out) {
            json_t *o = json_object();

            json_object_set_new(o, "group", json_string(g->group_id));
            json_object_set_new(o, "topic", cg_jstr(w->topic));
            json_object_set_new(o, "partition",
                                w->topic ? json_integer(w->partition)
                                         : json_null());
            json_object_set_new(o, "current_offset", cg_jnum(w->current));
            json_object_set_new(o, "log_end_offset", cg_jnum(w->end));
            json_object_set_new(o, "lag", cg_jnum(lag));
            json_object_set_new(o, "consumer_id",
                                cg_jstr(w->m ? w->m->member_id : NULL));
            json_object_set_new(o, "host", cg_jstr(w->m ? w->m->host : NULL));
            json_object_set_new(o, "client_id",
                                cg_jstr(w->m ? w->m->client_id : NULL));
            json_array_append_new(out, o);
            continue;
        }
        snprintf(pb, sizeof(pb), "%d", (int)w->partition);
        cg_table_add(
            &t, g->group_id, dash(w->topic), w->topic ? pb : "-",
            cg_num(cb, sizeof(cb), w->current), cg_num(eb, sizeof(eb), w->end),
            cg_num(lb, sizeof(lb), lag), w->m ? dash(w->m->member_id) : "-",
            w->m ? dash(w->m->host) : "-", w->m ? dash(w->m->client_id) : "-");
    }
    if (rc == 0 && !out && n > 0)
        cg_table_print(&t);
    else if (rc == 0 && !out)
        fprintf(stderr,
                "Consumer group '%s' has no committed offsets and "
                "no members.\n",
                g->group_id);
    free(topics);
    free(parts);
    free(ends);
    free(rows);
    return rc;
}

/* "t(0,1,2), u(0)" */
static char *
assignment_text(const cg_member_t *m)
{
    buf_t b = BUF_INIT;
    char *s;

    if (m->nparts == 0)
        return xstrdup(m->decoded ? "-" : "?");
    for (int i = 0; i < m->nparts; i++) {
        bool first =
            i == 0 || strcmp(m->parts[i - 1].topic, m->parts[i].topic) != 0;
        bool last = i == m->nparts - 1 ||
                    strcmp(m->parts[i + 1].topic, m->parts[i].topic) != 0;
        char tmp[32];

        if (first) {
            if (i > 0)
                buf_append(&b, ", ", 2);
            buf_append(&b, m->parts[i].topic, strlen(m->parts[i].topic));
            buf_append(&b, "(", 1);
        }
        snprintf(tmp, sizeof(tmp), "%d%s", (int)m->parts[i].partition,
                 last ? ")" : ",");
        buf_append(&b, tmp, strlen(tmp));
    }
    s = xasprintf("%.*s", (int)b.len, (const char *)b.data);
    buf_fini(&b);
    return s;
}

static void
describe_members(const cg_group_t *g, bool verbose, json_t *out)
{
    static const char *const heads[] = {
        "GROUP",     "CONSUMER-ID", "GROUP-INSTANCE-ID", "HOST",
        "CLIENT-ID", "#PARTITIONS", "ASSIGNMENT"};
    cg_table_t t = {.ncols = verbose ? 7 : 6, .heads = heads};

    for (int i = 0; i < g->nmembers; i++) {
        const cg_member_t *m = &g->members[i];
        char *as = assignment_text(m);
        char nb[16];

        snprintf(nb, sizeof(nb), "%d", m->nparts);
        if (out) {
            json_t *o = json_object(), *a = json_array();

            json_object_set_new(o, "group", json_string(g->group_id));
            json_object_set_new(o, "consumer_id", cg_jstr(m->member_id));
            json_object_set_new(o, "group_instance_id",
                                cg_jstr(m->instance_id));
            json_object_set_new(o, "host", cg_jstr(m->host));
            json_object_set_new(o, "client_id", cg_jstr(m->client_id));
            json_object_set_new(o, "partitions", json_integer(m->nparts));
            for (int p = 0; p < m->nparts; p++) {
                json_t *tp = json_object();

                json_object_set_new(tp, "topic",
                                    json_string(m->parts[p].topic));
                json_object_set_new(tp, "partition",
                                    json_integer(m->parts[p].partition));
                json_array_append_new(a, tp);
            }
            json_object_set_new(o, "assignment", a);
            json_array_append_new(out, o);
        } else {
            cg_table_add(&t, g->group_id, dash(m->member_id),
                         dash(m->instance_id), dash(m->host),
                         dash(m->client_id), nb, as);
        }
        free(as);
    }
    if (!out && g->nmembers > 0)
        cg_table_print(&t);
}

static void
describe_state(tool_client_t *tc, const cg_group_t *g, json_t *out)
{
    static const char *const heads[] = {"GROUP", "COORDINATOR (ID)",
                                        "ASSIGNMENT-STRATEGY", "STATE",
                                        "#MEMBERS"};
    cg_table_t t = {.ncols = 5, .heads = heads};
    const tool_broker_t *brokers;
    const tool_broker_t *cb = NULL;
    char coord[300], nb[16];
    int nbrokers;

    brokers = tool_client_brokers(tc, &nbrokers);
    for (int i = 0; i < nbrokers; i++)
        if (brokers[i].node_id == g->coordinator)
            cb = &brokers[i];
    if (cb)
        snprintf(coord, sizeof(coord), "%s:%d (%d)", cb->host, (int)cb->port,
                 (int)g->coordinator);
    else
        snprintf(coord, sizeof(coord), "(%d)", (int)g->coordinator);
    snprintf(nb, sizeof(nb), "%d", g->nmembers);
    if (out) {
        json_t *o = json_object(), *c = json_object();

        json_object_set_new(c, "id", json_integer(g->coordinator));
        json_object_set_new(c, "host", cg_jstr(cb ? cb->host : NULL));
        json_object_set_new(c, "port",
                            cb ? json_integer(cb->port) : json_null());
        json_object_set_new(o, "group", json_string(g->group_id));
        json_object_set_new(o, "coordinator", c);
        json_object_set_new(
            o, "assignment_strategy",
            cg_jstr(g->protocol && *g->protocol ? g->protocol : NULL));
        json_object_set_new(o, "state", cg_jstr(g->state));
        json_object_set_new(o, "members", json_integer(g->nmembers));
        json_array_append_new(out, o);
        return;
    }
    cg_table_add(&t, g->group_id, coord, dash(g->protocol), dash(g->state), nb);
    cg_table_print(&t);
}

static int
cg_describe_groups(tool_client_t *tc, char *const *groups, int ngroups,
                   cg_view_t view, bool verbose, bool json)
{
    json_t *out = json ? json_array() : NULL;
    int status = 0;

    for (int i = 0; i < ngroups; i++) {
        cg_group_t g;
        char err[1024];
        int rc;

        rc = cg_load(tc, groups[i], view == VIEW_OFFSETS, &g, err, sizeof(err));
        if (rc == 0 && cg_dead(&g) && g.noffsets == 0) {
            snprintf(err, sizeof(err), "group '%s' does not exist; %s",
                     groups[i], CG_LIST_HINT);
            rc = TOOL_EXIT_FAIL;
        }
        if (rc != 0) {
            tool_err(CG_CMD, "%s", err);
            status = status == TOOL_EXIT_CONNECT ? status : rc;
            cg_fini(&g);
            if (rc == TOOL_EXIT_CONNECT)
                break;
            continue;
        }
        if (!json) {
            if (strcmp(g.state, "Empty") == 0 || cg_dead(&g))
                fprintf(stderr,
                        "\nConsumer group '%s' has no active "
                        "members.\n",
                        g.group_id);
            else if (strcmp(g.state, "PreparingRebalance") == 0 ||
                     strcmp(g.state, "CompletingRebalance") == 0)
                fprintf(stderr,
                        "\nWarning: Consumer group '%s' is "
                        "rebalancing.\n",
                        g.group_id);
            printf("\n");
            fflush(stdout);
        }
        switch (view) {
        case VIEW_OFFSETS:
            rc = describe_offsets(tc, &g, out, err, sizeof(err));
            if (rc != 0) {
                tool_err(CG_CMD, "%s", err);
                status = rc;
            }
            break;
        case VIEW_MEMBERS: describe_members(&g, verbose, out); break;
        case VIEW_STATE: describe_state(tc, &g, out); break;
        }
        cg_fini(&g);
    }
    if (out) {
        if (status != TOOL_EXIT_CONNECT) {
            json_dumpf(out, stdout, JSON_INDENT(2));
            printf("\n");
        }
        json_decref(out);
    }
    return status;
}

/*
 * ---- --reset-offsets: samsa consumer-groups --reset-offsets, after
 * kafka-consumer-groups.sh --reset-offsets (Kafka 2.8): the partitions
 * to reset (--topic T[:P,P...] or --all-topics), the new offset of each
 * by the scenario (--to-earliest, --to-latest, --to-current,
 * --to-offset, --shift-by, --to-datetime, --by-duration), kept within
 * the partition, printed (a dry run) or committed (--execute).
 *
 * Owns: the scenario options and their parsing (ISO-8601 date-times and
 * durations), the plan and its OffsetCommit (generation -1, member "",
 * as an admin client commits). Refuses a group with members, as Kafka
 * does. Does not own loading the group (cg_group.c).
 *
 * Spec: Kafka's ConsumerGroupCommand resetOffsets, prepareOffsetsToReset
 * and checkOffsetsRange; java.time.Duration.parse for --by-duration.
 */

/*
 * "YYYY-MM-DDTHH:mm:SS[.sss][Z|+hh:mm|-hh:mm|+hhmm]" -> ms since the epoch;
 * local time without a zone, as Kafka does.
 */
static int
parse_datetime(const char *s, int64_t *ms)
{
    struct tm tm = {0};
    int y, mo, d, h, mi, sec, n = 0, frac = 0, scale = 1000;
    int64_t t;
    const char *p;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
               &n) != 6 ||
        n == 0)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
        y < 1970 || h < 0 || mi < 0 || sec < 0)
        return -1;
    p = s + n;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        for (int k = 0; isdigit((unsigned char)*p); p++, k++)
            if (k < 3) {
                frac = frac * 10 + (*p - '0');
                scale /= 10;
            }
        frac *= scale;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    if (*p == '\0') {
        tm.tm_isdst = -1;
        t = (int64_t)mktime(&tm);
    } else {
        int oh = 0, om = 0, sign = 1;

        if (*p == 'Z' && p[1] == '\0') {
            /* UTC */
        } else if ((*p == '+' || *p == '-') &&
                   (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) == 2 ||
                    sscanf(p + 1, "%2d%2d%n", &oh, &om, &n) == 2) &&
                   p[1 + n] == '\0' && oh <= 18 && om <= 59) {
            sign = *p == '-' ? -1 : 1;
        } else {
            return -1;
        }
        t = (int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60);
    }
    *ms = t * 1000 + frac;
    return 0;
}

/* ISO-8601 "PnDTnHnMn[.n]S" (Java's Duration.parse) -> ms */
static int
parse_duration(const char *s, int64_t *ms)
{
    const char *p = s;
    bool in_time = false, any = false;
    int64_t total = 0;

    if (toupper((unsigned char)*p) != 'P')
        return -1;
    p++;
    while (*p) {
        char *end;
        double v;
        int u;

        if (toupper((unsigned char)*p) == 'T' && !in_time) {
            in_time = true;
            p++;
            if (*p == '\0')
                return -1;
            continue;
        }
        if (!isdigit((unsigned char)*p))
            return -1;
        v = strtod(p, &end);
        if (end == p || v > 1e12)
            return -1;
        u = toupper((unsigned char)*end);
        if (!in_time && u == 'D')
            total += (int64_t)(v * 86400000.0);
        else if (in_time && u == 'H')
            total += (int64_t)(v * 3600000.0);
        else if (in_time && u == 'M')
            total += (int64_t)(v * 60000.0);
        else if (in_time && u == 'S')
            total += (int64_t)(v * 1000.0);
        else
            return -1;
        if (u != 'S' && strchr(p, '.') && strchr(p, '.') < end)
            return -1; /* fractions only for seconds, as Java */
        any = true;
        p = end + 1;
    }
    if (!any)
        return -1;
    *ms = total;
    return 0;
}

/* the partitions to reset: every --topic (with its :P,P list) */
static int
reset_partitions(tool_client_t *tc, cg_group_t *g, const cg_reset_t *rs,
                 cg_tp_t **out, int *nout)
{
    cg_tp_t *tps = NULL;
    int n = 0;
    char err[512];

    if (rs->ntopics == 0) {
        if (g->noffsets == 0) {
            tool_err(CG_CMD,
                     "group '%s' has no committed offsets, so --all-topics "
                     "names none; name them with --topic TOPIC",
                     g->group_id);
            return TOOL_EXIT_FAIL;
        }
        tps = xcalloc((size_t)g->noffsets, sizeof(*tps));
        for (int i = 0; i < g->noffsets; i++) {
            tps[n].topic = g->offsets[i].topic;
            tps[n++].partition = g->offsets[i].partition;
        }
        *out = tps;
        *nout = n;
        return 0;
    }
    for (int i = 0; i < rs->ntopics; i++) {
        const char *spec = rs->topics[i], *colon = strchr(spec, ':');
        char *topic = colon
                          ? arena_strndup(&g->ar, spec, (size_t)(colon - spec))
                          : arena_strndup(&g->ar, spec, strlen(spec));
        const char *const tl[1] = {topic};
        const metadata_resp_t *md;
        const metadata_resp_topic_t *mt;
        int rc = tool_client_metadata(tc, tl, 1, &md, err, sizeof(err));

        if (rc != 0) {
            tool_err(CG_CMD, "%s", err);
            free(tps);
            return rc;
        }
        if (md->ntopics < 1 || md->topics[0].error_code != 0) {
            tool_topic_error(CG_CMD, topic,
                             md->ntopics < 1 ? KERR_UNKNOWN_TOPIC_OR_PARTITION
                                             : md->topics[0].error_code,
                             NULL);
            free(tps);
            return TOOL_EXIT_FAIL;
        }
        mt = &md->topics[0];
        tps = xrealloc(tps, sizeof(*tps) * (size_t)(n + mt->npartitions + 1));
        if (colon == NULL) {
            for (int32_t p = 0; p < mt->npartitions; p++) {
                tps[n].topic = topic;
                tps[n++].partition = p;
            }
            continue;
        }
        for (const char *s = colon + 1; *s;) {
            char *end;
            long p = strtol(s, &end, 10);
            bool found = false;

            if (end == s || (*end != ',' && *end != '\0') || p < 0) {
                tool_err(CG_CMD,
                         "--topic '%s': expected TOPIC or "
                         "TOPIC:P[,P...] with partition numbers",
                         spec);
                free(tps);
                return TOOL_EXIT_USAGE;
            }
            for (int32_t q = 0; q < mt->npartitions; q++)
                found = found || mt->partitions[q].partition_index == p;
            if (!found) {
                tool_err(CG_CMD,
                         "topic '%s' has no partition %ld (it has "
                         "%d); see samsa topics --describe --topic %s",
                         topic, p, (int)mt->npartitions, topic);
                free(tps);
                return TOOL_EXIT_FAIL;
            }
            tps = xrealloc(tps, sizeof(*tps) * (size_t)(n + 1));
            tps[n].topic = topic;
            tps[n++].partition = (int32_t)p;
            s = *end ? end + 1 : end;
        }
    }
    *out = tps;
    *nout = n;
    return 0;
}

/* OffsetCommit of @n offsets outside any generation */
static int
reset_commit(tool_client_t *tc, const cg_group_t *g, const cg_tp_t *tps,
             const int64_t *offs, int n)
{
    offsetcommit_req_topic_t *rt = xcalloc((size_t)n + 1, sizeof(*rt));
    offsetcommit_req_partition_t *rp = xcalloc((size_t)n + 1, sizeof(*rp));
    offsetcommit_req_t req = {0};
    offsetcommit_resp_t resp;
    cg_call_t c;
    int rc, nt = 0;
    char err[512];

    /* partitions of one topic together: tps is sorted by topic */
    for (int i = 0; i < n; i++) {
        if (nt == 0 || strcmp(tps[i].topic, tps[i - 1].topic) != 0) {
            rt[nt].name = cg_ks(tps[i].topic);
            rt[nt].partitions = &rp[i];
            nt++;
        }
        rt[nt - 1].npartitions++;
        rp[i].partition_index = tps[i].partition;
        rp[i].committed_offset = offs[i];
        rp[i].committed_leader_epoch = -1;
        rp[i].commit_timestamp = -1;
        rp[i].committed_metadata = cg_ks("");
    }
    req.group_id = cg_ks(g->group_id);
    req.generation_id = -1;
    req.member_id = cg_ks("");
    req.group_instance_id = (kstr_t){NULL, -1};
    req.retention_time_ms = -1;
    req.ntopics = nt;
    req.topics = rt;
    rc = cg_call_begin(tc, &c, g->coordinator, API_OFFSET_COMMIT, err,
                       sizeof(err));
    if (rc == 0) {
        p_offsetcommit_req_encode(&c.r.kw, c.v, &req);
        rc = cg_call_send(tc, &c, err, sizeof(err));
    }
    if (rc == 0 && p_offsetcommit_resp_decode(&c.kr, c.v, &c.ar, &resp) != 0)
        rc = cg_call_malformed(&c, err, sizeof(err));
    if (rc != 0)
        tool_err(CG_CMD, "%s", err);
    /* the first partition refused */
    for (int32_t t = 0; rc == 0 && t < resp.ntopics; t++)
        for (int32_t p = 0; rc == 0 && p < resp.topics[t].npartitions; p++) {
            int16_t ec = resp.topics[t].partitions[p].error_code;

            if (ec == 0)
                continue;
            if (ec == KERR_UNKNOWN_MEMBER_ID || ec == KERR_ILLEGAL_GENERATION ||
                ec == KERR_REBALANCE_IN_PROGRESS)
                tool_err(CG_CMD,
                         "group '%s' became active while resetting (%s); "
                         "stop its consumers and run the command again",
                         g->group_id, kerr_name(ec));
            else
                tool_err(CG_CMD, "group '%s': %.*s:%d: %s", g->group_id,
                         (int)resp.topics[t].name.len, resp.topics[t].name.ptr,
                         (int)resp.topics[t].partitions[p].partition_index,
                         kerr_name(ec));
            rc = TOOL_EXIT_FAIL;
        }
    cg_call_fini(&c);
    free(rt);
    free(rp);
    return rc;
}

static int
tp_cmp(const void *a, const void *b)
{
    const cg_tp_t *x = a, *y = b;

    return cg_tp_order(x->topic, x->partition, y->topic, y->partition);
}

static int
reset_group(tool_client_t *tc, const char *name, const cg_reset_t *rs,
            json_t *out)
{
    static const char *const heads[] = {"GROUP", "TOPIC", "PARTITION",
                                        "NEW-OFFSET"};
    cg_table_t t = {.ncols = 4, .heads = heads};
    cg_group_t g;
    cg_tp_t *tps = NULL;
    const char **topics = NULL;
    int32_t *parts = NULL;
    int64_t *lo = NULL, *hi = NULL, *at = NULL, *target = NULL;
    int n = 0, rc;
    bool failed = false;
    char err[1024];

    rc = cg_load(tc, name, true, &g, err, sizeof(err));
    if (rc != 0) {
        tool_err(CG_CMD, "%s", err);
        cg_fini(&g);
        return rc;
    }
    if (!cg_dead(&g) && strcmp(g.state, "Empty") != 0) {
        tool_err(CG_CMD,
                 "group '%s' is %s with %d member%s: offsets can only be "
                 "reset while it is inactive; stop its consumers (or wait "
                 "for their session timeout), then run this again",
                 name, g.state, g.nmembers, g.nmembers == 1 ? "" : "s");
        cg_fini(&g);
        return TOOL_EXIT_FAIL;
    }
    rc = reset_partitions(tc, &g, rs, &tps, &n);
    if (rc != 0) {
        cg_fini(&g);
        return rc;
    }
    qsort(tps, (size_t)n, sizeof(*tps), tp_cmp);
    topics = xcalloc((size_t)n + 1, sizeof(char *));
    parts = xcalloc((size_t)n + 1, sizeof(int32_t));
    lo = xcalloc((size_t)n + 1, sizeof(int64_t));
    hi = xcalloc((size_t)n + 1, sizeof(int64_t));
    at = xcalloc((size_t)n + 1, sizeof(int64_t));
    target = xcalloc((size_t)n + 1, sizeof(int64_t));
    for (int i = 0; i < n; i++) {
        topics[i] = tps[i].topic;
        parts[i] = tps[i].partition;
    }
    rc = cg_list_offsets(tc, n, topics, parts, -2, lo, &failed, err,
                         sizeof(err));
    if (rc == 0)
        rc = cg_list_offsets(tc, n, topics, parts, -1, hi, &failed, err,
                             sizeof(err));
    if (rc == 0 && rs->how == TO_TIME)
        rc = cg_list_offsets(tc, n, topics, parts, rs->value, at, &failed, err,
                             sizeof(err));
    if (rc == 0 && failed) {
        tool_err(CG_CMD,
                 "cannot read the offsets of %s; check the partition "
                 "with samsa get-offsets",
                 err);
        rc = TOOL_EXIT_FAIL;
    } else if (rc != 0) {
        tool_err(CG_CMD, "%s", err);
    }
    for (int i = 0; rc == 0 && i < n; i++) {
        const cg_offset_t *cur =
            cg_committed(&g, tps[i].topic, tps[i].partition);
        int64_t v = 0;

        switch (rs->how) {
        case TO_EARLIEST: v = lo[i]; break;
        case TO_LATEST: v = hi[i]; break;
        case TO_CURRENT: v = cur ? cur->offset : hi[i]; break;
        case TO_OFFSET: v = rs->value; break;
        case SHIFT_BY:
            if (cur == NULL) {
                tool_err(CG_CMD,
                         "group '%s' has no committed offset for %s:%d to "
                         "shift; reset it first with --to-earliest, "
                         "--to-latest or --to-offset",
                         name, tps[i].topic, (int)tps[i].partition);
                rc = TOOL_EXIT_FAIL;
                continue;
            }
            v = cur->offset + rs->value;
            break;
        case TO_TIME:
            v = at[i] >= 0 ? at[i] : hi[i]; /* none after: the log end */
            break;
        }
        /* within the partition, as Kafka's checkOffsetsRange */
        if (v > hi[i])
            v = hi[i];
        if (v < lo[i])
            v = lo[i];
        target[i] = v;
    }
    if (rc == 0 && rs->execute)
        rc = reset_commit(tc, &g, tps, target, n);
    for (int i = 0; rc == 0 && i < n; i++) {
        char pb[16], ob[24];

        if (out) {
            json_t *o = json_object();
            const cg_offset_t *cur =
                cg_committed(&g, tps[i].topic, tps[i].partition);

            json_object_set_new(o, "group", json_string(name));
            json_object_set_new(o, "topic", json_string(tps[i].topic));
            json_object_set_new(o, "partition", json_integer(tps[i].partition));
            json_object_set_new(o, "previous_offset",
                                cg_jnum(cur ? cur->offset : -1));
            json_object_set_new(o, "new_offset", json_integer(target[i]));
            json_object_set_new(o, "committed", json_boolean(rs->execute));
            json_array_append_new(out, o);
            continue;
        }
        snprintf(pb, sizeof(pb), "%d", (int)tps[i].partition);
        snprintf(ob, sizeof(ob), "%lld", (long long)target[i]);
        cg_table_add(&t, name, tps[i].topic, pb, ob);
    }
    if (rc == 0 && !out) {
        printf("\n");
        cg_table_print(&t);
    }
    free(topics);
    free(parts);
    free(lo);
    free(hi);
    free(at);
    free(target);
    free(tps);
    cg_fini(&g);
    return rc;
}

static int
cg_reset_groups(tool_client_t *tc, char *const *groups, int ngroups,
                const cg_reset_t *rs)
{
    json_t *out = rs->json ? json_array() : NULL;
    int status = 0;

    for (int i = 0; i < ngroups; i++) {
        int rc = reset_group(tc, groups[i], rs, out);

        if (rc != 0)
            status = status == TOOL_EXIT_CONNECT ? status : rc;
        if (rc == TOOL_EXIT_CONNECT)
            break;
    }
    if (out) {
        if (status == 0) {
            json_dumpf(out, stdout, JSON_INDENT(2));
            printf("\n");
        }
        json_decref(out);
    }
    return status;
}

static int
cg_reset_scenario(const tool_args_t *a, cg_reset_t *rs)
{
    static const char *const how[] = {"to-earliest", "to-latest", "to-current",
                                      "to-offset",   "shift-by",  "to-datetime",
                                      "by-duration"};
    char err[512];
    const char *s;

    if (cg_count_given(a, how, 7) != 1) {
        tool_err(CG_CMD, "--reset-offsets needs exactly one of --to-earliest, "
                         "--to-latest, --to-current, --to-offset N, --shift-by "
                         "N, --to-datetime TIME, --by-duration PnDTnHnMnS");
        return TOOL_EXIT_USAGE;
    }
    if (tool_opt_has(a, "to-earliest"))
        rs->how = TO_EARLIEST;
    else if (tool_opt_has(a, "to-latest"))
        rs->how = TO_LATEST;
    else if (tool_opt_has(a, "to-current"))
        rs->how = TO_CURRENT;
    else if ((s = tool_opt_get(a, "to-offset")) != NULL) {
        rs->how = TO_OFFSET;
        if (tool_parse_int("to-offset", s, 0, INT64_MAX, &rs->value, err,
                           sizeof(err)) != 0) {
            tool_err(CG_CMD, "%s", err);
            return TOOL_EXIT_USAGE;
        }
    } else if ((s = tool_opt_get(a, "shift-by")) != NULL) {
        rs->how = SHIFT_BY;
        if (tool_parse_int("shift-by", s, INT64_MIN / 2, INT64_MAX / 2,
                           &rs->value, err, sizeof(err)) != 0) {
            tool_err(CG_CMD, "%s", err);
            return TOOL_EXIT_USAGE;
        }
    } else if ((s = tool_opt_get(a, "to-datetime")) != NULL) {
        rs->how = TO_TIME;
        if (parse_datetime(s, &rs->value) != 0) {
            tool_err(CG_CMD,
                     "--to-datetime '%s': expected "
                     "YYYY-MM-DDTHH:mm:SS.sss, optionally followed by "
                     "Z or +hh:mm (e.g. 2024-05-01T08:00:00.000)",
                     s);
            return TOOL_EXIT_USAGE;
        }
    } else {
        struct timespec now;
        int64_t d;

        s = tool_opt_get(a, "by-duration");
        rs->how = TO_TIME;
        if (parse_duration(s, &d) != 0) {
            tool_err(CG_CMD,
                     "--by-duration '%s': expected an ISO-8601 "
                     "duration PnDTnHnMnS (e.g. P1DT2H, PT30M, PT10S)",
                     s);
            return TOOL_EXIT_USAGE;
        }
        clock_gettime(CLOCK_REALTIME, &now);
        rs->value = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 - d;
        if (rs->value < 0)
            rs->value = 0;
    }
    return 0;
}

/*
 * ---- --delete: samsa consumer-groups --delete, after
 * kafka-consumer-groups.sh --delete (Kafka 2.8): DeleteGroups of each
 * group at its coordinator, which removes its committed offsets too.
 *
 * Owns: the request and what each refusal means to the user (no such
 * group, active members). Does not own finding the coordinator
 * (cg_group.c) nor checking the options (cmd_consumer-groups.c).
 *
 * Spec: Kafka's ConsumerGroupCommand deleteGroups for the messages and
 * the closing "Deletion of requested consumer groups (...) was
 * successful." line.
 */

/*
 * DeleteGroups of @group at its coordinator: *@ec receives the group's
 * error code. Returns 0 (check *@ec) or a TOOL_EXIT_* code with a
 * message in @err.
 */
static int
delete_group(tool_client_t *tc, const char *group, int16_t *ec, char *err,
             size_t errlen)
{
    kstr_t name = cg_ks(group);
    deletegroups_req_t req = {.ngroups_names = 1, .groups_names = &name};
    deletegroups_resp_t resp;
    int32_t node;
    cg_call_t c;
    int rc;

    rc = cg_coordinator(tc, group, &node, err, errlen);
    if (rc != 0)
        return rc;
    rc = cg_call_begin(tc, &c, node, API_DELETE_GROUPS, err, errlen);
    if (rc == 0) {
        p_deletegroups_req_encode(&c.r.kw, c.v, &req);
        rc = cg_call_send(tc, &c, err, errlen);
    }
    if (rc == 0 && (p_deletegroups_resp_decode(&c.kr, c.v, &c.ar, &resp) != 0 ||
                    resp.nresults < 1))
        rc = cg_call_malformed(&c, err, errlen);
    if (rc == 0)
        *ec = resp.results[0].error_code;
    cg_call_fini(&c);
    return rc;
}

static int
cg_delete_groups(tool_client_t *tc, char *const *groups, int ngroups)
{
    int status = 0, ndone = 0;
    buf_t done = BUF_INIT;

    for (int i = 0; i < ngroups; i++) {
        int16_t ec = 0;
        char err[512];
        int rc = delete_group(tc, groups[i], &ec, err, sizeof(err));

        if (rc != 0) {
            tool_err(CG_CMD, "%s", err);
        } else if (ec == KERR_GROUP_ID_NOT_FOUND) {
            tool_err(CG_CMD, "group '%s' does not exist; %s", groups[i],
                     CG_LIST_HINT);
            rc = TOOL_EXIT_FAIL;
        } else if (ec == KERR_NON_EMPTY_GROUP) {
            tool_err(CG_CMD,
                     "group '%s' has active members and cannot be deleted; "
                     "stop its consumers (or wait for their session "
                     "timeout), then run this again",
                     groups[i]);
            rc = TOOL_EXIT_FAIL;
        } else if (ec != 0) {
            tool_err(CG_CMD, "group '%s': %s%s", groups[i], kerr_name(ec),
                     ec == KERR_NOT_COORDINATOR ? "; run the command again"
                                                : "");
            rc = TOOL_EXIT_FAIL;
        } else {
            buf_append(&done, ndone ? ", '" : "'", ndone ? 3 : 1);
            buf_append(&done, groups[i], strlen(groups[i]));
            buf_append(&done, "'", 1);
            ndone++;
        }
        if (rc != 0)
            status = status == TOOL_EXIT_CONNECT ? status : rc;
        if (rc == TOOL_EXIT_CONNECT)
            break;
    }
    if (ndone > 0)
        printf("Deletion of requested consumer groups (%.*s) was "
               "successful.\n",
               (int)done.len, (const char *)done.data);
    buf_fini(&done);
    return status;
}

/* ---- the command -------------------------------------------------------- */

static const tool_opt_t opts[] = {
    {"bootstrap-server", "HOST:PORT[,...]",
     "brokers to contact (default $SAMSA_BOOTSTRAP_SERVERS)"},
    {"list", NULL, "list the groups (with --state: and their states)"},
    {"describe", NULL, "describe --group or --all-groups"},
    {"reset-offsets", NULL, "reset the committed offsets of --group"},
    {"delete", NULL, "delete --group (repeatable): its offsets too"},
    {"group", "NAME", "the group (repeatable)"},
    {"all-groups", NULL, "--describe, --reset-offsets, --delete: every group"},
    {"offsets", NULL,
     "--describe: committed and log-end offsets and lag (default)"},
    {"members", NULL, "--describe: the members"},
    {"verbose", NULL, "--describe --members: each member's partitions"},
    {"state", NULL,
     "--describe: coordinator, assignor, state, member count; --list: "
     "states"},
    {"topic", "T[:P,P...]",
     "--reset-offsets: a topic, or some of its partitions (repeatable)"},
    {"all-topics", NULL,
     "--reset-offsets: every topic the group has committed offsets for"},
    {"to-earliest", NULL, "reset to each partition's earliest offset"},
    {"to-latest", NULL, "reset to each partition's log-end offset"},
    {"to-current", NULL, "reset to the committed offset (or the log end)"},
    {"to-offset", "N", "reset to offset N (kept within the partition)"},
    {"shift-by", "N", "move the committed offset by N (may be negative)"},
    {"to-datetime", "YYYY-MM-DDTHH:mm:SS.sss",
     "reset to the first offset at or after this time (local time, or "
     "with Z or +hh:mm)"},
    {"by-duration", "PnDTnHnMnS",
     "reset to the first offset at or after this long ago"},
    {"dry-run", NULL, "--reset-offsets: print the plan only (default)"},
    {"execute", NULL, "--reset-offsets: commit the new offsets"},
    {"json", NULL, "--list, --describe, --reset-offsets: print JSON"},
    {"timeout-ms", "MS", "bound for each broker answer (default 30000)"},
    {"help", NULL, "print this help"},
};

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

/* every group of every broker (ListGroups), sorted, no duplicates */
typedef struct cg_listed {
    char *group_id;
    char *protocol_type;
    char *state; /* NULL when the broker speaks ListGroups < v4 */
} cg_listed_t;

static int
listed_cmp(const void *a, const void *b)
{
    return strcmp(((const cg_listed_t *)a)->group_id,
                  ((const cg_listed_t *)b)->group_id);
}

static int
cg_list_all(tool_client_t *tc, cg_listed_t **out, int *nout, char *err,
            size_t errlen)
{
    const metadata_resp_t *md;
    const tool_broker_t *brokers;
    cg_listed_t *l = NULL;
    int n = 0, nb, rc, answered = 0;

    rc = tool_client_metadata(tc, NULL, 0, &md, err, errlen);
    if (rc != 0)
        return rc;
    brokers = tool_client_brokers(tc, &nb);
    for (int b = 0; b < nb; b++) {
        listgroups_req_t req = {0};
        listgroups_resp_t resp;
        int32_t node = brokers[b].node_id;
        cg_call_t c;
        int crc;
        char berr[512];

        crc = cg_call_begin(tc, &c, node, API_LIST_GROUPS, berr, sizeof(berr));
        if (crc == 0) {
            p_listgroups_req_encode(&c.r.kw, c.v, &req);
            crc = cg_call_send(tc, &c, berr, sizeof(berr));
        }
        if (crc == 0 && p_listgroups_resp_decode(&c.kr, c.v, &c.ar, &resp) != 0)
            crc = cg_call_malformed(&c, berr, sizeof(berr));
        if (crc != 0)
            snprintf(err, errlen, "%s", berr);
        /* brokers that coordinate no group may say so: not an error */
        if (crc == 0 && resp.error_code != 0 &&
            resp.error_code != KERR_NOT_COORDINATOR &&
            resp.error_code != KERR_COORDINATOR_NOT_AVAILABLE) {
            snprintf(err, errlen, "broker %d: ListGroups: %s", (int)node,
                     kerr_name(resp.error_code));
            crc = TOOL_EXIT_FAIL;
        }
        if (crc == 0)
            answered++;
        for (int32_t i = 0; crc == 0 && i < resp.ngroups; i++) {
            const listgroups_group_t *lg = &resp.groups[i];
            char *gid = kstr_dup(lg->group_id);
            int k;

            for (k = 0; k < n; k++)
                if (strcmp(l[k].group_id, gid) == 0)
                    break;
            if (k < n) {
                free(gid);
                continue;
            }
            l = xrealloc(l, sizeof(*l) * (size_t)(n + 1));
            l[n].group_id = gid;
            l[n].protocol_type = kstr_dup(lg->protocol_type);
            l[n].state = c.v >= 4 ? kstr_dup(lg->group_state) : NULL;
            n++;
        }
        cg_call_fini(&c);
    }
    if (answered == 0) {
        free(l);
        return TOOL_EXIT_CONNECT;
    }
    if (n > 1)
        qsort(l, (size_t)n, sizeof(*l), listed_cmp);
    *out = l;
    *nout = n;
    return 0;
}

static void
listed_free(cg_listed_t *l, int n)
{
    for (int i = 0; i < n; i++) {
        free(l[i].group_id);
        free(l[i].protocol_type);
        free(l[i].state);
    }
    free(l);
}

/* ------------------------------------------------------------------ list */

static int
do_list(tool_client_t *tc, bool state, bool json)
{
    cg_listed_t *l = NULL;
    int n = 0, rc;
    char err[512];

    rc = cg_list_all(tc, &l, &n, err, sizeof(err));
    if (rc != 0) {
        tool_err(CG_CMD, "%s", err);
        return rc;
    }
    if (json) {
        json_t *out = json_array();

        for (int i = 0; i < n; i++) {
            json_t *o = json_object();

            json_object_set_new(o, "group", json_string(l[i].group_id));
            json_object_set_new(o, "protocol_type",
                                json_string(l[i].protocol_type));
            json_object_set_new(o, "state", cg_jstr(l[i].state));
            json_array_append_new(out, o);
        }
        json_dumpf(out, stdout, JSON_INDENT(2));
        printf("\n");
        json_decref(out);
    } else if (state) {
        static const char *const heads[] = {"GROUP", "STATE"};
        cg_table_t t = {.ncols = 2, .heads = heads};

        for (int i = 0; i < n; i++)
            cg_table_add(&t, l[i].group_id,
                         l[i].state ? l[i].state : "Unknown");
        cg_table_print(&t);
    } else {
        for (int i = 0; i < n; i++)
            printf("%s\n", l[i].group_id);
    }
    listed_free(l, n);
    return 0;
}

/* ------------------------------------------------------------------ main */

static int
cg_count_given(const tool_args_t *a, const char *const *names, int n)
{
    int k = 0;

    for (int i = 0; i < n; i++)
        k += tool_opt_has(a, names[i]);
    return k;
}

int
cmd_consumer_groups(int argc, char **argv)
{
    static const char *const actions[] = {"list", "describe", "reset-offsets",
                                          "delete"};
    static const char *const views[] = {"offsets", "members", "state"};
    static const char *const reset_only[] = {
        "topic",       "all-topics", "to-earliest", "to-latest",
        "to-current",  "to-offset",  "shift-by",    "to-datetime",
        "by-duration", "dry-run",    "execute"};
    tool_client_t *tc = NULL;
    tool_args_t a;
    cg_listed_t *listed = NULL;
    char *const *groups;
    char **all = NULL;
    int ngroups, nlisted = 0, rc;
    bool json, all_groups;
    cg_reset_t rs = {0};
    char err[512];

    rc = tool_args_begin(
        &a, CG_CMD,
        "--list | --describe | --reset-offsets | --delete [options]",
        "Lists, describes, resets the offsets of and deletes consumer "
        "groups (kafka-consumer-groups.sh).",
        opts, NOPTS, argc, argv);
    if (rc != 0) {
        tool_args_fini(&a);
        return rc < 0 ? TOOL_EXIT_OK : rc;
    }
    groups = tool_opt_all(&a, "group", &ngroups);
    json = tool_opt_has(&a, "json");
    all_groups = tool_opt_has(&a, "all-groups");
    rs.topics = tool_opt_all(&a, "topic", &rs.ntopics);
    rs.execute = tool_opt_has(&a, "execute");
    rs.json = json;
    rc = TOOL_EXIT_USAGE;
    if (cg_count_given(&a, actions, 4) != 1)
        tool_err(CG_CMD, "give one of --list, --describe, --reset-offsets, "
                         "--delete; see samsa consumer-groups --help");
    else if (a.noperands > 0)
        tool_err(CG_CMD, "unexpected argument '%s'", a.operands[0]);
    else if (tool_opt_has(&a, "list") && (ngroups > 0 || all_groups))
        tool_err(CG_CMD, "--list takes no --group or --all-groups; use "
                         "--describe --group NAME");
    else if (!tool_opt_has(&a, "list") && (ngroups > 0) == all_groups)
        tool_err(CG_CMD, "give --group NAME (repeatable) or --all-groups");
    else if (cg_count_given(&a, views, 3) > 1)
        tool_err(CG_CMD, "give at most one of --offsets, --members, --state");
    else if (!tool_opt_has(&a, "describe") &&
             (tool_opt_has(&a, "offsets") || tool_opt_has(&a, "members") ||
              (tool_opt_has(&a, "state") && !tool_opt_has(&a, "list"))))
        tool_err(CG_CMD, "--offsets, --members and --state go with --describe "
                         "(and --state with --list)");
    else if (!tool_opt_has(&a, "reset-offsets") &&
             cg_count_given(&a, reset_only, 11) > 0)
        tool_err(CG_CMD, "--topic, --all-topics, --to-*, --shift-by, "
                         "--by-duration, --dry-run and --execute go with "
                         "--reset-offsets");
    else if (tool_opt_has(&a, "reset-offsets") &&
             (rs.ntopics > 0) == tool_opt_has(&a, "all-topics"))
        tool_err(CG_CMD, "--reset-offsets needs --topic TOPIC[:P,P...] "
                         "(repeatable) or --all-topics");
    else if (tool_opt_has(&a, "dry-run") && rs.execute)
        tool_err(CG_CMD, "give --dry-run or --execute, not both");
    else if (tool_opt_has(&a, "reset-offsets") &&
             cg_reset_scenario(&a, &rs) != 0)
        ; /* said why */
    else
        rc = tool_client_open_args(&a, CG_CMD, &tc);
    if (rc == 0 && all_groups) {
        rc = cg_list_all(tc, &listed, &nlisted, err, sizeof(err));
        if (rc != 0)
            tool_err(CG_CMD, "%s", err);
        all = xcalloc((size_t)nlisted + 1, sizeof(char *));
        for (int i = 0; i < nlisted; i++)
            all[i] = listed[i].group_id;
        groups = all;
        ngroups = nlisted;
        if (rc == 0 && nlisted == 0 && !json)
            fprintf(stderr, "samsa %s: the cluster has no groups\n", CG_CMD);
    }
    if (rc == 0) {
        if (tool_opt_has(&a, "list")) {
            rc = do_list(tc, tool_opt_has(&a, "state"), json);
        } else if (tool_opt_has(&a, "describe")) {
            cg_view_t view = tool_opt_has(&a, "members") ? VIEW_MEMBERS
                             : tool_opt_has(&a, "state") ? VIEW_STATE
                                                         : VIEW_OFFSETS;

            rc = cg_describe_groups(tc, groups, ngroups, view,
                                    tool_opt_has(&a, "verbose"), json);
        } else if (tool_opt_has(&a, "reset-offsets")) {
            rc = cg_reset_groups(tc, groups, ngroups, &rs);
            if (rc == 0 && !rs.execute && !tool_opt_has(&a, "dry-run"))
                fprintf(stderr,
                        "samsa %s: nothing committed (a dry run); "
                        "add --execute to commit these offsets\n",
                        CG_CMD);
        } else {
            rc = cg_delete_groups(tc, groups, ngroups);
        }
    }
    free(all);
    listed_free(listed, nlisted);
    tool_client_close(tc);
    tool_args_fini(&a);
    return rc;
}
