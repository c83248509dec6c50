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
 * and --list's output. The sub-commands live in cg_describe.c,
 * cg_reset.c and cg_delete.c; the group and its requests in cg_group.c;
 * what they share in cg_int.h.
 *
 * Spec: Kafka's ConsumerGroupCommand for options, columns and refusals.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_int.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_listgroups.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

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

int
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
