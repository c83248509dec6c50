/*
 * cg_group.c: the consumer group as samsa consumer-groups sees it, and
 * the requests that load it.
 *
 * Owns: FindCoordinator (waiting while the cluster has none),
 * DescribeGroups and OffsetFetch of the coordinator, the reading of the
 * members' assignments, ListOffsets of the partitions' leaders, the
 * request steps every sub-command uses (cg_call_*), and the output
 * helpers (the column table, "-" and null for unknowns). Does not own
 * what the sub-commands do with a group (cg_describe.c, cg_reset.c,
 * cg_delete.c), nor ListGroups (cmd_consumer-groups.c).
 *
 * Spec: Kafka's ConsumerGroupCommand (Kafka 2.8) for the refusals and
 * messages; the consumer protocol's ConsumerProtocolAssignment (version
 * int16, [topic string, [partition int32]], user_data bytes) for what
 * members own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cg_int.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_describegroups.h"
#include "samsa/p_findcoordinator.h"
#include "samsa/p_offsetfetch.h"
#include "samsa/xmalloc.h"

/* ------------------------------------------------------------ a request */

int
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

int
cg_call_send(tool_client_t *tc, cg_call_t *c, char *err, size_t errlen)
{
    return tool_req_call(tc, &c->r, &c->frame, &c->kr, err, errlen);
}

int
cg_call_malformed(const cg_call_t *c, char *err, size_t errlen)
{
    const kapi_t *api = kapi_find(c->r.api_key);

    snprintf(err, errlen, "malformed %s response", api ? api->name : "?");
    return TOOL_EXIT_FAIL;
}

void
cg_call_fini(cg_call_t *c)
{
    /* a request begun but not sent (OffsetFetch < v2) holds its header */
    kwrite_fini(&c->r.kw);
    arena_fini(&c->ar);
    buf_fini(&c->frame);
}

/* -------------------------------------------------------------- output */

void
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

void
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

const char *
cg_num(char *buf, size_t len, int64_t v)
{
    if (v < 0)
        return "-";
    snprintf(buf, len, "%lld", (long long)v);
    return buf;
}

json_t *
cg_jnum(int64_t v)
{
    return v < 0 ? json_null() : json_integer(v);
}

json_t *
cg_jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

kstr_t
cg_ks(const char *s)
{
    return (kstr_t){s, (int32_t)strlen(s)};
}

int
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

int
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

int
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

void
cg_fini(cg_group_t *g)
{
    arena_fini(&g->ar);
}

bool
cg_dead(const cg_group_t *g)
{
    return g->state == NULL || strcmp(g->state, "Dead") == 0;
}

const cg_offset_t *
cg_committed(const cg_group_t *g, const char *topic, int32_t p)
{
    for (int i = 0; i < g->noffsets; i++)
        if (g->offsets[i].partition == p &&
            strcmp(g->offsets[i].topic, topic) == 0)
            return &g->offsets[i];
    return NULL;
}

/* one Metadata and one tool_list_offsets() per topic */
int
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
