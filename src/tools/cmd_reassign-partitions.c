/*
 * cmd_reassign-partitions.c: samsa reassign-partitions, after
 * kafka-reassign-partitions.sh: moves partition replicas between brokers
 * (KIP-455). One action per run:
 *
 *   --generate  proposes an assignment of the topics of
 *               --topics-to-move-json-file over --broker-list with Kafka's
 *               replica assignment (ctl_assign_replicas; rack-aware unless
 *               --disable-rack-aware), from Metadata; changes nothing;
 *   --execute   starts the reassignments of --reassignment-json-file
 *               (AlterPartitionReassignments, key 45, to the controller),
 *               after printing the current assignment for a rollback and,
 *               with --throttle, setting the replication throttles;
 *   --verify    reports each partition of the file as complete, in
 *               progress or different (ListPartitionReassignments, key 46,
 *               and Metadata) and clears the throttles once no
 *               reassignment is left;
 *   --cancel    cancels the file's reassignments in progress (null
 *               replicas) and clears the throttles;
 *   --list      prints every reassignment in progress.
 *
 * Throttles (KIP-73), as Kafka's tool sets them: the topic configs
 * leader.replication.throttled.replicas (the replicas moved from) and
 * follower.replication.throttled.replicas (the replicas moved to), and on
 * every broker involved the dynamic broker configs
 * leader.replication.throttled.rate and follower.replication.throttled.rate
 * (IncrementalAlterConfigs; a broker's own resource is sent to that
 * broker, as Kafka's admin client does). The pure parts (JSON files,
 * checks, throttle lists, status lines) are in util.c (tool.h).
 *
 * Output is Kafka's text; --json prints the data of --generate, --verify
 * and --list as JSON instead. Exit status: tool.h TOOL_EXIT_*, and for
 * --verify TOOL_EXIT_PENDING while a partition of the file is still moving.
 *
 * Spec: Kafka 2.8 ReassignPartitionsCommand and its options; KIP-455,
 * KIP-73, KIP-36 (racks).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "samsa/ctl.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_alterconfigs.h"
#include "samsa/p_reassignments.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

#define CMD "reassign-partitions"
/* --verify's looks at a partition that seems neither done nor moving */
#define VERIFY_ATTEMPTS 4

/* the actions, as bits for the option table below */
enum {
    A_GENERATE = 1,
    A_EXECUTE = 2,
    A_VERIFY = 4,
    A_CANCEL = 8,
    A_LIST = 16,
};

static const tool_opt_t opts[] = {
    {"bootstrap-server", "HOST:PORT[,...]",
     "brokers to contact (default $SAMSA_BOOTSTRAP_SERVERS)"},
    {"generate", NULL, "propose an assignment (changes nothing)"},
    {"execute", NULL, "start the reassignment of --reassignment-json-file"},
    {"verify", NULL,
     "check it; clears the throttles once no reassignment is left"},
    {"cancel", NULL, "cancel the reassignments of --reassignment-json-file"},
    {"list", NULL, "list the partition reassignments in progress"},
    {"topics-to-move-json-file", "FILE",
     "--generate: the topics whose partitions to move"},
    {"reassignment-json-file", "FILE",
     "the partitions and their new replicas (what --generate proposes)"},
    {"broker-list", "ID,ID...", "--generate: the brokers to move them to"},
    {"disable-rack-aware", NULL, "--generate: ignore the brokers' racks"},
    {"throttle", "BYTES/S",
     "--execute: limit the moving replicas' replication to this rate"},
    {"additional", NULL,
     "--execute: even while others run (or to change --throttle)"},
    {"preserve-throttles", NULL, "--verify, --cancel: leave the throttles"},
    {"timeout", "MS", "bound for each broker answer (default 10000)"},
    {"command-config", "FILE",
     "admin client properties (bootstrap.servers, request.timeout.ms)"},
    {"json", NULL, "--generate, --verify, --list: print JSON"},
    {"help", NULL, "print this help"},
};

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

/* the actions each option may go with (Kafka's permittedArgs) */
static const struct {
    const char *name;
    int actions;
} permitted[] = {
    {"topics-to-move-json-file", A_GENERATE},
    {"reassignment-json-file", A_EXECUTE | A_VERIFY | A_CANCEL},
    {"broker-list", A_GENERATE},
    {"disable-rack-aware", A_GENERATE},
    {"throttle", A_EXECUTE},
    {"additional", A_EXECUTE},
    {"preserve-throttles", A_VERIFY | A_CANCEL},
    {"json", A_GENERATE | A_VERIFY | A_LIST},
};

static const char *const action_names[] = {"generate", "execute", "verify",
                                           "cancel", "list"};

/* the throttle configs (KIP-73) */
#define LEADER_RATE "leader.replication.throttled.rate"
#define FOLLOWER_RATE "follower.replication.throttled.rate"
#define LEADER_REPLICAS "leader.replication.throttled.replicas"
#define FOLLOWER_REPLICAS "follower.replication.throttled.replicas"

static kstr_t
ks(const char *s)
{
    return (kstr_t){s, s ? (int32_t)strlen(s) : -1};
}

/* "s" unless one */
static const char *
plural(int n)
{
    return n == 1 ? "" : "s";
}

/* ---------------------------------------------------------------- inputs */

/* a file's whole text, or NULL after printing why */
static char *
read_text(const char *opt, const char *path)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t len = 0, cap = 0, n;

    if (f == NULL) {
        tool_err(CMD, "--%s %s: %s", opt, path, strerror(errno));
        return NULL;
    }
    do {
        if (cap - len < 4096) {
            cap = cap ? 2 * cap : 8192;
            text = xrealloc(text, cap + 1);
        }
        n = fread(text + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    if (ferror(f)) {
        tool_err(CMD, "--%s %s: read error", opt, path);
        free(text);
        text = NULL;
    } else {
        text[len] = '\0';
    }
    fclose(f);
    return text;
}

/* a Java properties line "key=value" (or "key: value", "key value") */
static bool
split_property(char *line, char **key, char **value)
{
    char *p, *end;

    while (*line == ' ' || *line == '\t')
        line++;
    end = line + strlen(line);
    while (end > line && (end[-1] == '\n' || end[-1] == '\r' ||
                          end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    if (*line == '\0' || *line == '#' || *line == '!')
        return false;
    p = line + strcspn(line, "=: \t");
    *key = line;
    if (*p != '\0') {
        *p++ = '\0';
        while (*p == ' ' || *p == '\t' || *p == '=' || *p == ':')
            p++;
    }
    *value = p;
    return true;
}

/*
 * --command-config: Kafka's admin client properties. bootstrap.servers is
 * used when neither --bootstrap-server nor $SAMSA_BOOTSTRAP_SERVERS is
 * given, request.timeout.ms / default.api.timeout.ms when --timeout is
 * not; samsa's client speaks PLAINTEXT only, so another
 * security.protocol is refused; everything else is ignored with a
 * warning. 0 or TOOL_EXIT_USAGE (printed).
 */
static int
command_config(const char *path, char **bootstrap, int64_t *timeout_ms)
{
    char *text = read_text("command-config", path), *line, *save = NULL;
    int rc = 0;

    if (text == NULL)
        return TOOL_EXIT_USAGE;
    for (line = strtok_r(text, "\n", &save); line != NULL && rc == 0;
         line = strtok_r(NULL, "\n", &save)) {
        char *k, *v, err[256];
        int64_t t;

        if (!split_property(line, &k, &v))
            continue;
        if (strcmp(k, "bootstrap.servers") == 0) {
            free(*bootstrap);
            *bootstrap = xstrdup(v);
        } else if (strcmp(k, "request.timeout.ms") == 0 ||
                   strcmp(k, "default.api.timeout.ms") == 0) {
            if (tool_parse_int(k, v, 1, INT32_MAX, &t, err, sizeof(err)) != 0) {
                tool_err(CMD, "--command-config %s: %s", path, err + 2);
                rc = TOOL_EXIT_USAGE;
            } else if (*timeout_ms < 0 ||
                       strcmp(k, "request.timeout.ms") == 0) {
                *timeout_ms = t;
            }
        } else if (strcmp(k, "security.protocol") == 0) {
            if (strcmp(v, "PLAINTEXT") != 0) {
                tool_err(CMD,
                         "--command-config %s: security.protocol=%s is not "
                         "supported: samsa's tools speak PLAINTEXT only",
                         path, v);
                rc = TOOL_EXIT_USAGE;
            }
        } else if (strcmp(k, "client.id") != 0) {
            tool_err(CMD,
                     "warning: --command-config %s: %s is not used by "
                     "samsa; ignored",
                     path, k);
        }
    }
    free(text);
    return rc;
}

/* the distinct topics of @l, in first-seen order (malloc'd, strings
 * borrowed from @l) */
static const char **
list_topics(const tool_reassign_list_t *l, int *n)
{
    const char **t = xcalloc((size_t)l->n + 1, sizeof(*t));

    *n = 0;
    for (int i = 0; i < l->n; i++) {
        bool seen = false;

        for (int k = 0; k < *n && !seen; k++)
            seen = strcmp(t[k], l->parts[i].topic) == 0;
        if (!seen)
            t[(*n)++] = l->parts[i].topic;
    }
    return t;
}

/* ---------------------------------------------------------------- cluster */

/*
 * Metadata for @topics: each partition's replicas into @cur and, when
 * @isr is not NULL, its ISR (as replicas) into @isr. Topics the cluster
 * does not have are left out, and named in *@missing (the first one,
 * borrowed from @topics) when @missing is not NULL. 0 or TOOL_EXIT_*
 * (printed).
 */
static int
describe_topics(tool_client_t *tc, const char *const *topics, int ntopics,
                tool_reassign_list_t *cur, tool_reassign_list_t *isr,
                const char **missing)
{
    const metadata_resp_t *md;
    char err[512];
    int rc;

    if (missing != NULL)
        *missing = NULL;
    rc = tool_client_metadata(tc, topics, ntopics, &md, err, sizeof(err));
    if (rc != 0) {
        tool_err(CMD, "%s", err);
        return rc;
    }
    for (int32_t i = 0; i < md->ntopics; i++) {
        const metadata_resp_topic_t *t = &md->topics[i];
        char *name = kstr_dup(t->name);

        if (t->error_code == KERR_UNKNOWN_TOPIC_OR_PARTITION) {
            for (int k = 0; missing && !*missing && k < ntopics; k++)
                if (strcmp(topics[k], name) == 0)
                    *missing = topics[k];
        } else if (t->error_code != KERR_NONE && t->npartitions == 0) {
            tool_topic_error(CMD, name, t->error_code, NULL);
            rc = TOOL_EXIT_FAIL;
        }
        for (int32_t p = 0; p < t->npartitions; p++) {
            const metadata_resp_partition_t *mp = &t->partitions[p];

            tool_reassign_list_add(cur, name, mp->partition_index,
                                   mp->replica_nodes, mp->nreplica_nodes);
            if (isr != NULL)
                tool_reassign_list_add(isr, name, mp->partition_index,
                                       mp->isr_nodes, mp->nisr_nodes);
        }
        free(name);
    }
    tool_reassign_list_sort(cur);
    if (isr != NULL)
        tool_reassign_list_sort(isr);
    return rc;
}

/* the controller and the version of @api_key it speaks */
static int
controller_api(tool_client_t *tc, int16_t api_key, int32_t *node, int16_t *v)
{
    char err[512];
    int rc = tool_client_controller_node(tc, node, err, sizeof(err));

    if (rc == 0)
        rc = tool_client_version(tc, *node, api_key, v, err, sizeof(err));
    if (rc != 0)
        tool_err(CMD, "%s", err);
    return rc;
}

/* a top-level error of the controller's answer */
static void
controller_error(const char *what, int16_t code, kstr_t msg)
{
    if (code == KERR_NOT_CONTROLLER)
        tool_err(CMD,
                 "%s: the controller moved while asking; run the "
                 "command again",
                 what);
    else
        tool_err(CMD, "%s: %s%s%.*s", what, kerr_name(code),
                 msg.len > 0 ? ": " : "", msg.len > 0 ? (int)msg.len : 0,
                 msg.len > 0 ? msg.ptr : "");
}

/*
 * ListPartitionReassignments (to the controller) of every partition
 * (@only NULL) or of @only's partitions, appended to @out with adding and
 * removing. 0 or TOOL_EXIT_* (printed).
 */
static int
list_reassignments(tool_client_t *tc, const tool_reassign_list_t *only,
                   tool_reassign_list_t *out)
{
    lpr_req_t req = {0};
    lpr_resp_t resp;
    buf_t frame = BUF_INIT;
    char err[512];
    int32_t node;
    tool_req_t r;
    kread_t kr;
    arena_t ar;
    int16_t v;
    int rc = controller_api(tc, API_LIST_PARTITION_REASSIGNMENTS, &node, &v);

    if (rc != 0)
        return rc;
    arena_init(&ar);
    req.timeout_ms = tool_client_timeout(tc);
    req.ntopics = -1;
    if (only != NULL) {
        int nt;
        const char **topics = list_topics(only, &nt);

        req.ntopics = nt;
        req.topics = arena_calloc(&ar, (size_t)nt + 1, sizeof(*req.topics));
        for (int i = 0; i < nt; i++) {
            lpr_req_topic_t *t = &req.topics[i];
            int np = 0;

            for (int k = 0; k < only->n; k++)
                np += strcmp(only->parts[k].topic, topics[i]) == 0;
            t->name = ks(topics[i]);
            t->partition_indexes =
                arena_calloc(&ar, (size_t)np, sizeof(int32_t));
            for (int k = 0; k < only->n; k++)
                if (strcmp(only->parts[k].topic, topics[i]) == 0)
                    t->partition_indexes[t->npartition_indexes++] =
                        only->parts[k].partition;
        }
        free(topics);
    }
    tool_req_begin(tc, &r, node, API_LIST_PARTITION_REASSIGNMENTS, v);
    p_lpr_req_encode(&r.kw, v, &req);
    rc = tool_req_call(tc, &r, &frame, &kr, err, sizeof(err));
    if (rc == 0 && p_lpr_resp_decode(&kr, v, &ar, &resp) != 0) {
        snprintf(err, sizeof(err),
                 "malformed ListPartitionReassignments response");
        rc = TOOL_EXIT_FAIL;
    }
    if (rc != 0) {
        tool_err(CMD, "%s", err);
    } else if (resp.error_code != KERR_NONE) {
        controller_error("cannot list the partition reassignments",
                         resp.error_code, resp.error_message);
        rc = TOOL_EXIT_FAIL;
    } else {
        for (int32_t t = 0; t < resp.ntopics; t++) {
            char *name = kstr_dup(resp.topics[t].name);

            for (int32_t p = 0; p < resp.topics[t].npartitions; p++) {
                const lpr_resp_partition_t *rp = &resp.topics[t].partitions[p];
                tool_reassign_part_t *e =
                    tool_reassign_list_add(out, name, rp->partition_index,
                                           rp->replicas, rp->nreplicas);

                tool_reassign_part_moving(
                    e, rp->adding_replicas, rp->nadding_replicas,
                    rp->removing_replicas, rp->nremoving_replicas);
            }
            free(name);
        }
        tool_reassign_list_sort(out);
    }
    buf_fini(&frame);
    arena_fini(&ar);
    return rc;
}

/*
 * AlterPartitionReassignments (to the controller) of @l's partitions, to
 * their replicas or (@cancel) back to where they were. Prints the failed
 * partitions after @failed_what; 0, TOOL_EXIT_FAIL when any failed, or
 * another TOOL_EXIT_*.
 */
static int
alter_reassignments(tool_client_t *tc, tool_reassign_list_t *l, bool cancel,
                    const char *failed_what)
{
    apr_req_t req = {0};
    apr_resp_t resp;
    buf_t frame = BUF_INIT;
    char err[512];
    int32_t node;
    tool_req_t r;
    kread_t kr;
    arena_t ar;
    int16_t v;
    int nfailed = 0;
    int rc = controller_api(tc, API_ALTER_PARTITION_REASSIGNMENTS, &node, &v);

    if (rc != 0)
        return rc;
    arena_init(&ar);
    tool_reassign_list_sort(l);
    req.timeout_ms = tool_client_timeout(tc);
    req.topics = arena_calloc(&ar, (size_t)l->n + 1, sizeof(*req.topics));
    for (int i = 0; i < l->n; i++) {
        const tool_reassign_part_t *p = &l->parts[i];
        apr_req_topic_t *t = req.ntopics ? &req.topics[req.ntopics - 1] : NULL;
        apr_req_partition_t *rp;

        if (t == NULL || !kstr_eq(t->name, p->topic)) {
            int run = 1; /* @l is sorted: the topic's partitions follow */

            while (i + run < l->n &&
                   strcmp(l->parts[i + run].topic, p->topic) == 0)
                run++;
            t = &req.topics[req.ntopics++];
            t->name = ks(p->topic);
            t->partitions =
                arena_calloc(&ar, (size_t)run, sizeof(*t->partitions));
        }
        rp = &t->partitions[t->npartitions++];
        rp->partition_index = p->partition;
        rp->nreplicas = cancel ? -1 : p->nreplicas;
        rp->replicas = cancel ? NULL : p->replicas;
    }
    tool_req_begin(tc, &r, node, API_ALTER_PARTITION_REASSIGNMENTS, v);
    p_apr_req_encode(&r.kw, v, &req);
    rc = tool_req_call(tc, &r, &frame, &kr, err, sizeof(err));
    if (rc == 0 && p_apr_resp_decode(&kr, v, &ar, &resp) != 0) {
        snprintf(err, sizeof(err),
                 "malformed AlterPartitionReassignments response");
        rc = TOOL_EXIT_FAIL;
    }
    if (rc != 0) {
        tool_err(CMD, "%s", err);
    } else if (resp.error_code != KERR_NONE) {
        controller_error(failed_what, resp.error_code, resp.error_message);
        rc = TOOL_EXIT_FAIL;
    }
    for (int32_t t = 0; rc == 0 && t < resp.nresponses; t++) {
        const apr_resp_topic_t *rt = &resp.responses[t];

        for (int32_t p = 0; p < rt->npartitions; p++) {
            const apr_resp_partition_t *rp = &rt->partitions[p];

            if (rp->error_code == KERR_NONE)
                continue;
            if (nfailed++ == 0)
                tool_err(CMD, "%s:", failed_what);
            fprintf(stderr, "%.*s-%d: %s%s%.*s\n", (int)rt->name.len,
                    rt->name.ptr, (int)rp->partition_index,
                    kerr_name(rp->error_code),
                    rp->error_message.len > 0 ? ": " : "",
                    rp->error_message.len > 0 ? (int)rp->error_message.len : 0,
                    rp->error_message.len > 0 ? rp->error_message.ptr : "");
        }
    }
    if (rc == 0 && nfailed > 0)
        rc = TOOL_EXIT_FAIL;
    buf_fini(&frame);
    arena_fini(&ar);
    return rc;
}

/*
 * IncrementalAlterConfigs of @res through broker @node (-1: the bootstrap
 * broker). Prints each resource that failed (an unknown topic is no
 * failure with @skip_unknown_topic); 0 or TOOL_EXIT_*.
 */
static int
alter_configs(tool_client_t *tc, int32_t node, alterconfigs_req_resource_t *res,
              int nres, bool skip_unknown_topic)
{
    alterconfigs_req_t req = {nres, res, false};
    alterconfigs_resp_t resp;
    buf_t frame = BUF_INIT;
    char err[512];
    tool_req_t r;
    kread_t kr;
    arena_t ar;
    int16_t v;
    int rc = tool_client_version(tc, node, API_INCREMENTAL_ALTER_CONFIGS, &v,
                                 err, sizeof(err));

    if (rc != 0) {
        tool_err(CMD, "%s", err);
        return rc;
    }
    arena_init(&ar);
    tool_req_begin(tc, &r, node, API_INCREMENTAL_ALTER_CONFIGS, v);
    p_incrementalalterconfigs_req_encode(&r.kw, v, &req);
    rc = tool_req_call(tc, &r, &frame, &kr, err, sizeof(err));
    if (rc == 0 &&
        p_incrementalalterconfigs_resp_decode(&kr, v, &ar, &resp) != 0) {
        snprintf(err, sizeof(err), "malformed %s response",
                 "IncrementalAlterConfigs");
        rc = TOOL_EXIT_FAIL;
    }
    if (rc != 0)
        tool_err(CMD, "%s", err);
    for (int32_t i = 0; rc == 0 && i < resp.nresponses; i++) {
        const alterconfigs_resp_response_t *e = &resp.responses[i];
        bool topic = e->resource_type == TOOL_RESOURCE_TOPIC;

        if (e->error_code == KERR_NONE ||
            (topic && skip_unknown_topic &&
             e->error_code == KERR_UNKNOWN_TOPIC_OR_PARTITION))
            continue;
        tool_err(CMD, "cannot change the throttle configs of %s %.*s: %s%s%.*s",
                 topic ? "topic" : "broker",
                 (int)(e->resource_name.len > 0 ? e->resource_name.len : 0),
                 e->resource_name.ptr ? e->resource_name.ptr : "",
                 kerr_name(e->error_code), e->error_message.len > 0 ? ": " : "",
                 e->error_message.len > 0 ? (int)e->error_message.len : 0,
                 e->error_message.len > 0 ? e->error_message.ptr : "");
        rc = TOOL_EXIT_FAIL;
    }
    buf_fini(&frame);
    arena_fini(&ar);
    return rc;
}

/* the broker to send broker @id's own resource to: itself when the
 * metadata has it (as Kafka's admin client does), else the bootstrap */
static int32_t
broker_node(tool_client_t *tc, int32_t id)
{
    int n;
    const tool_broker_t *b = tool_client_brokers(tc, &n);

    for (int i = 0; i < n; i++)
        if (b[i].node_id == id)
            return id;
    return -1;
}

/* the two rate configs of each broker of @ids: SET to @rate, or DELETE
 * (@rate < 0); one request per broker */
static int
broker_rates(tool_client_t *tc, const int32_t *ids, int n, int64_t rate)
{
    char value[24];
    int status = 0;

    snprintf(value, sizeof(value), "%lld", (long long)rate);
    for (int i = 0; i < n; i++) {
        alterconfigs_req_config_t ops[2] = {
            {ks(LEADER_RATE), rate < 0 ? ALTERCONFIGS_OP_DELETE : 0,
             ks(rate < 0 ? NULL : value)},
            {ks(FOLLOWER_RATE), rate < 0 ? ALTERCONFIGS_OP_DELETE : 0,
             ks(rate < 0 ? NULL : value)},
        };
        char id[16];
        alterconfigs_req_resource_t res = {
            TOOL_RESOURCE_BROKER, {NULL, 0}, 2, ops};
        int rc;

        snprintf(id, sizeof(id), "%d", (int)ids[i]);
        res.resource_name = ks(id);
        rc = alter_configs(tc, broker_node(tc, ids[i]), &res, 1, false);
        if (rc > status)
            status = rc;
    }
    return status;
}

/*
 * Kafka's clearAllThrottles: the rates on every broker of the cluster and
 * of the targets' replicas, the replica lists of the targets' topics.
 */
static int
clear_throttles(tool_client_t *tc, const tool_reassign_list_t *targets,
                bool quiet)
{
    const metadata_resp_t *md;
    const tool_broker_t *b;
    int32_t *ids;
    int nids = 0, nb, ntopics, rc, status;
    const char **topics;
    alterconfigs_req_resource_t *res;
    alterconfigs_req_config_t ops[2] = {
        {ks(LEADER_REPLICAS), ALTERCONFIGS_OP_DELETE, {NULL, -1}},
        {ks(FOLLOWER_REPLICAS), ALTERCONFIGS_OP_DELETE, {NULL, -1}},
    };
    char err[512], *s;

    rc = tool_client_metadata(tc, NULL, 0, &md, err, sizeof(err));
    if (rc != 0) {
        tool_err(CMD, "%s", err);
        return rc;
    }
    b = tool_client_brokers(tc, &nb);
    ids = xcalloc((size_t)nb + 1, sizeof(*ids));
    for (int i = 0; i < nb; i++)
        ids[nids++] = b[i].node_id;
    for (int i = 0; i < targets->n; i++) {
        const tool_reassign_part_t *p = &targets->parts[i];

        for (int32_t r = 0; r < p->nreplicas; r++) {
            bool seen = false;

            for (int k = 0; k < nids && !seen; k++)
                seen = ids[k] == p->replicas[r];
            if (seen)
                continue;
            ids = xrealloc(ids, sizeof(*ids) * ((size_t)nids + 1));
            ids[nids++] = p->replicas[r];
        }
    }
    for (int i = 1; i < nids; i++)
        for (int k = i; k > 0 && ids[k - 1] > ids[k]; k--) {
            int32_t t = ids[k];

            ids[k] = ids[k - 1];
            ids[k - 1] = t;
        }
    s = tool_reassign_ids_str(ids, nids);
    if (!quiet)
        printf("Clearing broker-level throttles on broker%s %s\n", plural(nids),
               s);
    free(s);
    status = broker_rates(tc, ids, nids, -1);
    free(ids);

    topics = list_topics(targets, &ntopics);
    res = xcalloc((size_t)ntopics + 1, sizeof(*res));
    for (int i = 0; i < ntopics; i++)
        res[i] = (alterconfigs_req_resource_t){TOOL_RESOURCE_TOPIC,
                                               ks(topics[i]), 2, ops};
    if (!quiet) {
        printf("Clearing topic-level throttles on topic%s ", plural(ntopics));
        for (int i = 0; i < ntopics; i++)
            printf("%s%s", i ? "," : "", topics[i]);
        printf("\n");
    }
    rc = alter_configs(tc, -1, res, ntopics, true);
    if (rc > status)
        status = rc;
    free(res);
    free(topics);
    return status;
}

/* ---------------------------------------------------------------- actions */

static int
do_generate(tool_client_t *tc, char **topics, int ntopics,
            const int32_t *wanted, int nwanted, bool rack_aware, bool json)
{
    tool_reassign_list_t cur = {0}, prop = {0};
    ctl_assign_broker_t *brokers =
        xcalloc((size_t)nwanted + 1, sizeof(*brokers));
    const char *missing;
    const tool_broker_t *b;
    unsigned int seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
    int nb, n = 0, with_rack = 0;
    int rc = describe_topics(tc, (const char *const *)topics, ntopics, &cur,
                             NULL, &missing);

    if (rc == 0 && missing != NULL) {
        tool_err(CMD,
                 "Topic %s not found. (list topics with samsa topics "
                 "--list)",
                 missing);
        rc = TOOL_EXIT_FAIL;
    }
    /* the --broker-list brokers the cluster has, by id (Kafka drops the
     * others) */
    b = tool_client_brokers(tc, &nb);
    for (int i = 0; rc == 0 && i < nwanted; i++) {
        const tool_broker_t *found = NULL;

        for (int k = 0; k < nb && !found; k++)
            if (b[k].node_id == wanted[i])
                found = &b[k];
        if (found == NULL) {
            tool_err(CMD,
                     "warning: broker %d of --broker-list is not in the "
                     "cluster (see samsa cluster); left out",
                     (int)wanted[i]);
            continue;
        }
        brokers[n].id = found->node_id;
        brokers[n].rack = rack_aware ? found->rack : NULL;
        with_rack += brokers[n].rack != NULL;
        n++;
    }
    for (int i = 1; i < n; i++)
        for (int k = i; k > 0 && brokers[k - 1].id > brokers[k].id; k--) {
            ctl_assign_broker_t t = brokers[k];

            brokers[k] = brokers[k - 1];
            brokers[k - 1] = t;
        }
    if (rc == 0 && with_rack > 0 && with_rack < n) {
        tool_err(CMD, "Not all brokers have rack information. Add "
                      "--disable-rack-aware in command line to make replica "
                      "assignment without rack information.");
        rc = TOOL_EXIT_FAIL;
    }
    for (int t = 0; rc == 0 && t < ntopics; t++) {
        int32_t np = 0, rf = 0, *out;
        char err[256];
        int16_t code;

        for (int i = 0; i < cur.n; i++) {
            if (strcmp(cur.parts[i].topic, topics[t]) != 0)
                continue;
            if (np++ == 0)
                rf = cur.parts[i].nreplicas; /* partition 0: sorted */
        }
        out = xcalloc((size_t)np * (size_t)(rf > 0 ? rf : 1) + 1, sizeof(*out));
        code = ctl_assign_replicas(brokers, n, np, rf, -1, 0, &seed, out, err,
                                   sizeof(err));
        if (code != KERR_NONE) {
            tool_err(CMD, "topic %s: %s", topics[t], err);
            rc = TOOL_EXIT_FAIL;
        }
        for (int32_t p = 0; rc == 0 && p < np; p++)
            tool_reassign_list_add(&prop, topics[t], p, &out[p * rf], rf);
        free(out);
    }
    if (rc == 0 && json) {
        json_t *o = json_object();

        json_object_set_new(o, "current", tool_reassign_json(&cur));
        json_object_set_new(o, "proposed", tool_reassign_json(&prop));
        json_dumpf(o, stdout, JSON_INDENT(2));
        printf("\n");
        json_decref(o);
    } else if (rc == 0) {
        char *c = tool_reassign_json_str(&cur),
             *p = tool_reassign_json_str(&prop);

        printf("Current partition replica assignment\n%s\n\n"
               "Proposed partition reassignment configuration\n%s\n",
               c, p);
        free(c);
        free(p);
    }
    free(brokers);
    tool_reassign_list_fini(&cur);
    tool_reassign_list_fini(&prop);
    return rc;
}

/* sets the throttles of moving @prop (from @cur, with @ongoing) */
static int
set_throttles(tool_client_t *tc, const tool_reassign_list_t *ongoing,
              const tool_reassign_list_t *prop, const tool_reassign_list_t *cur,
              int64_t rate)
{
    tool_reassign_throttles_t th;
    alterconfigs_req_resource_t *res;
    alterconfigs_req_config_t *ops;
    char err[512];
    int rc;

    if (tool_reassign_throttles(ongoing, prop, cur, &th, err, sizeof(err)) !=
        0) {
        tool_err(CMD, "%s", err);
        return TOOL_EXIT_FAIL;
    }
    res = xcalloc((size_t)th.ntopics + 1, sizeof(*res));
    ops = xcalloc(2 * (size_t)th.ntopics + 1, sizeof(*ops));
    for (int i = 0; i < th.ntopics; i++) {
        ops[2 * i] = (alterconfigs_req_config_t){
            ks(LEADER_REPLICAS), ALTERCONFIGS_OP_SET, ks(th.topics[i].leader)};
        ops[2 * i + 1] = (alterconfigs_req_config_t){ks(FOLLOWER_REPLICAS),
                                                     ALTERCONFIGS_OP_SET,
                                                     ks(th.topics[i].follower)};
        res[i] = (alterconfigs_req_resource_t){
            TOOL_RESOURCE_TOPIC, ks(th.topics[i].topic), 2, &ops[2 * i]};
    }
    rc = alter_configs(tc, -1, res, th.ntopics, false);
    if (rc == 0)
        rc = broker_rates(tc, th.brokers, th.nbrokers, rate);
    if (rc == 0)
        printf("The inter-broker throttle limit was set to %lld B/s\n",
               (long long)rate);
    free(ops);
    free(res);
    tool_reassign_throttles_fini(&th);
    return rc;
}

static int
do_execute(tool_client_t *tc, tool_reassign_list_t *prop, bool additional,
           int64_t throttle)
{
    tool_reassign_list_t ongoing = {0}, cur = {0};
    tool_reassign_list_t rollback = {0};
    const tool_broker_t *b;
    const char *missing, **topics;
    int nb, ntopics, rc;

    rc = list_reassignments(tc, NULL, &ongoing);
    if (rc == 0 && ongoing.n > 0 && !additional) {
        tool_err(CMD, "Cannot execute because there is an existing partition "
                      "assignment.  Use --additional to override this and "
                      "create a new partition assignment in addition to the "
                      "existing one. The --additional flag can also be used "
                      "to change the throttle by resubmitting the current "
                      "reassignment. (see samsa reassign-partitions --list)");
        rc = TOOL_EXIT_FAIL;
    }
    topics = list_topics(prop, &ntopics);
    if (rc == 0)
        rc = describe_topics(tc, topics, ntopics, &cur, NULL, &missing);
    if (rc == 0 && missing != NULL) {
        tool_err(CMD,
                 "Topic %s not found. (list topics with samsa topics "
                 "--list)",
                 missing);
        rc = TOOL_EXIT_FAIL;
    }
    /* Kafka's verifyBrokerIds, and every partition must exist */
    b = tool_client_brokers(tc, &nb);
    for (int i = 0; rc == 0 && i < prop->n; i++) {
        const tool_reassign_part_t *p = &prop->parts[i];
        const tool_reassign_part_t *c =
            tool_reassign_list_find(&cur, p->topic, p->partition);

        for (int32_t r = 0; rc == 0 && r < p->nreplicas; r++) {
            bool known = false;

            for (int k = 0; k < nb && !known; k++)
                known = b[k].node_id == p->replicas[r];
            if (!known) {
                tool_err(CMD,
                         "Unknown broker id %d (partition %s-%d); the "
                         "brokers are listed by samsa cluster",
                         (int)p->replicas[r], p->topic, (int)p->partition);
                rc = TOOL_EXIT_FAIL;
            }
        }
        if (rc == 0 && c == NULL) {
            tool_err(CMD,
                     "partition %s-%d does not exist (see samsa topics "
                     "--describe --topic %s)",
                     p->topic, (int)p->partition, p->topic);
            rc = TOOL_EXIT_FAIL;
        } else if (rc == 0) {
            tool_reassign_list_add(&rollback, c->topic, c->partition,
                                   c->replicas, c->nreplicas);
        }
    }
    if (rc == 0) {
        char *j = tool_reassign_json_str(&rollback);

        printf("Current partition replica assignment\n\n%s\n\nSave this to "
               "use as the --reassignment-json-file option during "
               "rollback\n",
               j);
        free(j);
    }
    if (rc == 0 && throttle >= 0) {
        printf("Warning: You must run --verify periodically, until the "
               "reassignment completes, to ensure the throttle is "
               "removed.\n");
        rc = set_throttles(tc, &ongoing, prop, &cur, throttle);
    }
    if (rc == 0)
        rc = alter_reassignments(tc, prop, false,
                                 "Error reassigning partition(s)");
    if (rc == 0) {
        tool_reassign_list_sort(prop);
        printf("Successfully started partition reassignment%s for ",
               plural(prop->n));
        for (int i = 0; i < prop->n; i++)
            printf("%s%s-%d", i ? "," : "", prop->parts[i].topic,
                   (int)prop->parts[i].partition);
        printf("\n");
    }
    free(topics);
    tool_reassign_list_fini(&ongoing);
    tool_reassign_list_fini(&cur);
    tool_reassign_list_fini(&rollback);
    return rc;
}

static json_t *
json_ids(const int32_t *ids, int32_t n)
{
    json_t *a = json_array();

    for (int32_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(ids[i]));
    return a;
}

/* "2,3" or "none" (malloc'd) */
static char *
ids_or_none(const int32_t *ids, int32_t n)
{
    return n > 0 ? tool_reassign_ids_str(ids, n) : xstrdup("none");
}

/* the second line of a partition in progress: where it stands */
static void
print_progress(const tool_reassign_part_t *o, const tool_reassign_part_t *isr)
{
    int32_t *synced = xcalloc((size_t)o->nadding + 1, sizeof(*synced));
    int32_t nsynced = 0;
    char *r = tool_reassign_ids_str(o->replicas, o->nreplicas);
    char *a = ids_or_none(o->adding, o->nadding);
    char *m = ids_or_none(o->removing, o->nremoving);
    char *i =
        isr ? ids_or_none(isr->replicas, isr->nreplicas) : xstrdup("unknown");
    char *s;

    for (int32_t k = 0; isr && k < o->nadding; k++)
        for (int32_t j = 0; j < isr->nreplicas; j++)
            if (isr->replicas[j] == o->adding[k])
                synced[nsynced++] = o->adding[k];
    s = ids_or_none(synced, nsynced);
    printf("  replicas: %s. adding: %s (in sync: %s). removing: %s. "
           "isr: %s.\n",
           r, a, s, m, i);
    free(synced);
    free(r);
    free(a);
    free(m);
    free(i);
    free(s);
}

static int
do_verify(tool_client_t *tc, tool_reassign_list_t *targets, bool preserve,
          bool json)
{
    tool_reassign_list_t ongoing = {0}, cur = {0};
    tool_reassign_list_t isr = {0};
    const char **topics;
    int ntopics, rc, status = TOOL_EXIT_OK;
    bool moving = false, different = false;
    json_t *jparts = json ? json_array() : NULL;
    const char *throttles = "preserved";

    topics = list_topics(targets, &ntopics);
    tool_reassign_list_sort(targets);
    /* a reassignment that just completed may still show its full replica
     * set in the bootstrap broker's metadata (UpdateMetadata is on its
     * way): a partition that looks different is asked about again */
    for (int attempt = 1;; attempt++) {
        tool_reassign_list_fini(&ongoing);
        tool_reassign_list_fini(&cur);
        tool_reassign_list_fini(&isr);
        rc = list_reassignments(tc, NULL, &ongoing);
        if (rc == 0)
            rc = describe_topics(tc, topics, ntopics, &cur, &isr, NULL);
        different = false;
        for (int k = 0; rc == 0 && k < targets->n; k++) {
            const tool_reassign_part_t *t = &targets->parts[k];

            different |=
                tool_reassign_state(
                    t,
                    tool_reassign_list_find(&ongoing, t->topic, t->partition),
                    tool_reassign_list_find(&cur, t->topic, t->partition)) ==
                TOOL_REASSIGN_DIFFERENT;
        }
        if (rc != 0 || !different || attempt == VERIFY_ATTEMPTS)
            break;
        usleep(200000 * attempt);
    }
    if (rc == 0 && !json)
        printf("Status of partition reassignment:\n");
    for (int k = 0; rc == 0 && k < targets->n; k++) {
        const tool_reassign_part_t *t = &targets->parts[k];
        const tool_reassign_part_t *o =
            tool_reassign_list_find(&ongoing, t->topic, t->partition);
        const tool_reassign_part_t *c =
            tool_reassign_list_find(&cur, t->topic, t->partition);
        const tool_reassign_part_t *in =
            tool_reassign_list_find(&isr, t->topic, t->partition);
        tool_reassign_state_t st = tool_reassign_state(t, o, c);

        moving |= st == TOOL_REASSIGN_IN_PROGRESS;
        different |= st == TOOL_REASSIGN_DIFFERENT;
        if (json) {
            json_t *p = json_object();

            json_object_set_new(p, "topic", json_string(t->topic));
            json_object_set_new(p, "partition", json_integer(t->partition));
            json_object_set_new(
                p, "status",
                json_string(st == TOOL_REASSIGN_COMPLETE      ? "complete"
                            : st == TOOL_REASSIGN_IN_PROGRESS ? "in_progress"
                                                              : "different"));
            json_object_set_new(p, "target",
                                json_ids(t->replicas, t->nreplicas));
            json_object_set_new(p, "replicas",
                                o   ? json_ids(o->replicas, o->nreplicas)
                                : c ? json_ids(c->replicas, c->nreplicas)
                                    : json_array());
            json_object_set_new(p, "adding",
                                o ? json_ids(o->adding, o->nadding)
                                  : json_array());
            json_object_set_new(p, "removing",
                                o ? json_ids(o->removing, o->nremoving)
                                  : json_array());
            json_object_set_new(p, "isr",
                                in ? json_ids(in->replicas, in->nreplicas)
                                   : json_array());
            json_array_append_new(jparts, p);
        } else {
            char *line = tool_reassign_state_line(st, t, c);

            printf("%s\n", line);
            free(line);
            if (o != NULL)
                print_progress(o, in);
        }
    }
    if (rc == 0 && !preserve && ongoing.n == 0) {
        /* Kafka clears only when no reassignment at all is left: it
         * cannot tell which brokers older ones throttled */
        rc = clear_throttles(tc, targets, json);
        throttles = "cleared";
    } else if (rc == 0 && !preserve) {
        throttles = "kept";
        if (!json && !moving)
            printf("Throttles kept: other partition reassignments are in "
                   "progress (see samsa reassign-partitions --list).\n");
    }
    if (rc == 0 && json) {
        json_t *o = json_object();

        json_object_set_new(o, "partitions", jparts);
        json_object_set_new(o, "throttles", json_string(throttles));
        json_dumpf(o, stdout, JSON_INDENT(2));
        printf("\n");
        json_decref(o);
        jparts = NULL;
    }
    json_decref(jparts);
    if (different)
        status = TOOL_EXIT_FAIL;
    else if (moving)
        status = TOOL_EXIT_PENDING;
    free(topics);
    tool_reassign_list_fini(&ongoing);
    tool_reassign_list_fini(&cur);
    tool_reassign_list_fini(&isr);
    return rc ? rc : status;
}

static int
do_cancel(tool_client_t *tc, tool_reassign_list_t *targets, bool preserve)
{
    tool_reassign_list_t listed = {0}, active = {0};
    int rc = list_reassignments(tc, targets, &listed);

    /* Kafka cancels the partitions of the file that are moving */
    for (int i = 0; rc == 0 && i < listed.n; i++) {
        const tool_reassign_part_t *p = &listed.parts[i];

        if ((p->nadding > 0 || p->nremoving > 0) &&
            tool_reassign_list_find(targets, p->topic, p->partition) != NULL)
            tool_reassign_list_add(&active, p->topic, p->partition, p->replicas,
                                   p->nreplicas);
    }
    if (rc == 0 && active.n > 0) {
        char *what = xasprintf("Error cancelling partition reassignment%s for",
                               plural(active.n));

        rc = alter_reassignments(tc, &active, true, what);
        free(what);
        if (rc == 0) {
            printf("Successfully cancelled partition reassignment%s for: ",
                   plural(active.n));
            for (int i = 0; i < active.n; i++)
                printf("%s%s-%d", i ? "," : "", active.parts[i].topic,
                       (int)active.parts[i].partition);
            printf("\n");
        }
    } else if (rc == 0) {
        printf("None of the specified partition reassignments are active.\n");
    }
    if (rc == 0 && !preserve)
        rc = clear_throttles(tc, targets, false);
    tool_reassign_list_fini(&listed);
    tool_reassign_list_fini(&active);
    return rc;
}

static int
do_list(tool_client_t *tc, bool json)
{
    tool_reassign_list_t l = {0};
    int rc = list_reassignments(tc, NULL, &l);

    if (rc == 0 && json) {
        json_t *o = json_object(), *arr = json_array();

        for (int i = 0; i < l.n; i++) {
            const tool_reassign_part_t *p = &l.parts[i];
            json_t *e = json_object();

            json_object_set_new(e, "topic", json_string(p->topic));
            json_object_set_new(e, "partition", json_integer(p->partition));
            json_object_set_new(e, "replicas",
                                json_ids(p->replicas, p->nreplicas));
            json_object_set_new(e, "adding", json_ids(p->adding, p->nadding));
            json_object_set_new(e, "removing",
                                json_ids(p->removing, p->nremoving));
            json_array_append_new(arr, e);
        }
        json_object_set_new(o, "reassignments", arr);
        json_dumpf(o, stdout, JSON_INDENT(2));
        printf("\n");
        json_decref(o);
    } else if (rc == 0 && l.n == 0) {
        printf("No partition reassignments found.\n");
    } else if (rc == 0) {
        printf("Current partition reassignments:\n");
        for (int i = 0; i < l.n; i++) {
            char *line = tool_reassign_list_line(&l.parts[i]);

            printf("%s\n", line);
            free(line);
        }
    }
    tool_reassign_list_fini(&l);
    return rc;
}

/* ------------------------------------------------------------------- main */

/* the one action given, its bit; 0 after printing what is wrong */
static int
pick_action(const tool_args_t *a, int *idx)
{
    int action = 0, n = 0;

    for (int i = 0; i < 5; i++) {
        if (tool_opt_has(a, action_names[i])) {
            action = 1 << i;
            *idx = i;
            n++;
        }
    }
    if (n != 1) {
        tool_err(CMD, "Command must include exactly one action: --generate, "
                      "--execute, --verify, --cancel, --list; see samsa "
                      "reassign-partitions --help");
        return 0;
    }
    for (size_t i = 0; i < sizeof(permitted) / sizeof(permitted[0]); i++) {
        if (tool_opt_has(a, permitted[i].name) &&
            (permitted[i].actions & action) == 0) {
            tool_err(CMD, "option --%s can't be used with --%s",
                     permitted[i].name, action_names[*idx]);
            return 0;
        }
    }
    if (action == A_GENERATE && (!tool_opt_get(a, "topics-to-move-json-file") ||
                                 !tool_opt_get(a, "broker-list"))) {
        tool_err(CMD, "--generate needs --topics-to-move-json-file FILE and "
                      "--broker-list ID,ID...");
        return 0;
    }
    if ((action & (A_EXECUTE | A_VERIFY | A_CANCEL)) &&
        !tool_opt_get(a, "reassignment-json-file")) {
        tool_err(CMD, "--%s needs --reassignment-json-file FILE",
                 action_names[*idx]);
        return 0;
    }
    return action;
}

/* reads and checks --reassignment-json-file; 0 or TOOL_EXIT_USAGE */
static int
read_partitions(const tool_args_t *a, bool execute, tool_reassign_list_t *l)
{
    const char *path = tool_opt_get(a, "reassignment-json-file");
    char *text = read_text("reassignment-json-file", path), err[1024];
    int rc = 0;

    if (text == NULL)
        return TOOL_EXIT_USAGE;
    if (tool_reassign_parse_partitions(text, l, err, sizeof(err)) != 0 ||
        (execute && tool_reassign_check_execute(l, err, sizeof(err)) != 0)) {
        tool_err(CMD, "%s: %s", path, err);
        rc = TOOL_EXIT_USAGE;
    }
    free(text);
    return rc;
}

int
cmd_reassign_partitions(int argc, char **argv)
{
    tool_reassign_list_t parts = {0};
    tool_client_t *tc = NULL;
    char **topics = NULL, *cfg_bootstrap = NULL, err[1024];
    int32_t *brokers = NULL;
    int ntopics = 0, nbrokers = 0, action = 0, idx = 0, rc;
    int64_t throttle = -1, timeout = -1;
    const char *s, *bootstrap;
    tool_args_t a;

    rc = tool_args_begin(&a, CMD,
                         "--generate | --execute | --verify | --cancel | "
                         "--list [options]",
                         "Moves partition replicas between brokers "
                         "(kafka-reassign-partitions.sh).",
                         opts, NOPTS, argc, argv);
    if (rc != 0) {
        tool_args_fini(&a);
        return rc < 0 ? TOOL_EXIT_OK : rc;
    }
    rc = TOOL_EXIT_USAGE;
    if (a.noperands > 0)
        tool_err(CMD, "unexpected argument '%s'", a.operands[0]);
    else
        action = pick_action(&a, &idx);
    if (action != 0)
        rc = 0;
    if (rc == 0 && (s = tool_opt_get(&a, "throttle")) != NULL) {
        rc = tool_parse_int("throttle", s, 0, INT64_MAX, &throttle, err,
                            sizeof(err));
        if (rc != 0)
            tool_err(CMD, "%s", err);
        else if (throttle < 1024)
            tool_err(CMD,
                     "warning: a throttle of %lld B/s is below 1 KB/s; "
                     "the reassignment may never finish",
                     (long long)throttle);
    }
    if (rc == 0 && (s = tool_opt_get(&a, "timeout")) != NULL) {
        rc = tool_parse_int("timeout", s, 1, INT32_MAX, &timeout, err,
                            sizeof(err));
        if (rc != 0)
            tool_err(CMD, "%s", err);
    }
    if (rc == 0 && (s = tool_opt_get(&a, "command-config")) != NULL) {
        int64_t t = -1;

        rc = command_config(s, &cfg_bootstrap, &t);
        if (timeout < 0)
            timeout = t;
    }
    if (rc == 0 && action == A_GENERATE) {
        const char *path = tool_opt_get(&a, "topics-to-move-json-file");
        char *text = read_text("topics-to-move-json-file", path);

        if (tool_reassign_parse_brokers(tool_opt_get(&a, "broker-list"),
                                        &brokers, &nbrokers, err,
                                        sizeof(err)) != 0) {
            tool_err(CMD, "%s", err);
            rc = TOOL_EXIT_USAGE;
        } else if (text == NULL) {
            rc = TOOL_EXIT_USAGE;
        } else if (tool_reassign_parse_topics(text, &topics, &ntopics, err,
                                              sizeof(err)) != 0) {
            tool_err(CMD, "%s: %s", path, err);
            rc = TOOL_EXIT_USAGE;
        }
        free(text);
    } else if (rc == 0 && action != A_LIST) {
        rc = read_partitions(&a, action == A_EXECUTE, &parts);
    }
    if (rc == 0) {
        bootstrap = tool_opt_get(&a, "bootstrap-server");
        if (bootstrap == NULL || *bootstrap == '\0')
            bootstrap = getenv(TOOL_ENV_BOOTSTRAP);
        if (bootstrap == NULL || *bootstrap == '\0')
            bootstrap = cfg_bootstrap;
        if (bootstrap == NULL || *bootstrap == '\0')
            bootstrap = tool_bootstrap(&a, CMD); /* says what to do */
        if (bootstrap == NULL)
            rc = TOOL_EXIT_USAGE;
    }
    if (rc == 0) {
        rc =
            tool_client_open(&tc, bootstrap, timeout > 0 ? (int)timeout : 10000,
                             err, sizeof(err));
        if (rc != 0)
            tool_err(CMD, "%s", err);
    }
    if (rc == 0) {
        bool json = tool_opt_has(&a, "json");

        switch (action) {
        case A_GENERATE:
            rc = do_generate(tc, topics, ntopics, brokers, nbrokers,
                             !tool_opt_has(&a, "disable-rack-aware"), json);
            break;
        case A_EXECUTE:
            rc = do_execute(tc, &parts, tool_opt_has(&a, "additional"),
                            throttle);
            break;
        case A_VERIFY:
            rc = do_verify(tc, &parts, tool_opt_has(&a, "preserve-throttles"),
                           json);
            break;
        case A_CANCEL:
            rc = do_cancel(tc, &parts, tool_opt_has(&a, "preserve-throttles"));
            break;
        default: rc = do_list(tc, json); break;
        }
    }
    tool_client_close(tc);
    tool_reassign_topics_free(topics, ntopics);
    tool_reassign_list_fini(&parts);
    free(brokers);
    free(cfg_bootstrap);
    tool_args_fini(&a);
    return rc;
}
