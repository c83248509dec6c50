/*
 * cg_describe.c: samsa consumer-groups --describe, after
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
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_int.h"
#include "samsa/xmalloc.h"

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

int
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
