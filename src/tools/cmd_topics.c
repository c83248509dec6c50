/*
 * cmd_topics.c: samsa topics, after kafka-topics.sh: --create, --delete,
 * --list, --describe and --alter --partitions. Admin requests
 * (CreateTopics, DeleteTopics, CreatePartitions) go to the controller, as
 * Kafka 2.8 requires; Metadata and DescribeConfigs to any broker.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_createpartitions.h"
#include "samsa/p_createtopics.h"
#include "samsa/p_deletetopics.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

#define CMD "topics"

static const tool_opt_t opts[] = {
    {"bootstrap-server", "HOST:PORT[,...]",
     "brokers to contact (default $SAMSA_BOOTSTRAP_SERVERS)"},
    {"create", NULL, "create --topic"},
    {"delete", NULL, "delete --topic"},
    {"list", NULL, "list the topic names"},
    {"describe", NULL,
     "describe --topic (or every topic): partitions, leader, replicas, isr, "
     "config overrides"},
    {"alter", NULL, "raise the partition count of --topic to --partitions"},
    {"topic", "NAME",
     "the topic (repeat for several with --describe/--delete)"},
    {"partitions", "N", "partition count (create: default num.partitions)"},
    {"replication-factor", "N",
     "replicas per partition (create: default default.replication.factor)"},
    {"config", "KEY=VALUE", "a topic config override at --create (repeatable)"},
    {"if-not-exists", NULL, "--create: an existing topic is not an error"},
    {"if-exists", NULL,
     "--delete, --alter, --describe: a missing topic is not an error"},
    {"exclude-internal", NULL, "--list, --describe: leave out internal topics"},
    {"json", NULL, "--list, --describe: print JSON"},
    {"timeout-ms", "MS", "bound for each broker answer (default 30000)"},
    {"help", NULL, "print this help"},
};

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

/* a CreateTopics/DeleteTopics/CreatePartitions call to the controller */
typedef void (*admin_encode_fn)(kwrite_t *kw, int16_t version, const void *arg);

static int
admin_call(tool_client_t *tc, int16_t api_key, admin_encode_fn encode,
           const void *arg, buf_t *frame, kread_t *kr, int16_t *version)
{
    char err[512];
    int32_t node;
    tool_req_t r;
    int rc = tool_client_controller_node(tc, &node, err, sizeof(err));

    if (rc == 0)
        rc = tool_client_version(tc, node, api_key, version, err, sizeof(err));
    if (rc == 0) {
        tool_req_begin(tc, &r, node, api_key, *version);
        encode(&r.kw, *version, arg);
        rc = tool_req_call(tc, &r, frame, kr, err, sizeof(err));
    }
    if (rc != 0)
        tool_err(CMD, "%s", err);
    return rc;
}

/* ------------------------------------------------------------------ create */

static void
enc_create(kwrite_t *kw, int16_t v, const void *arg)
{
    p_createtopics_req_encode(kw, v, arg);
}

static int
do_create(tool_client_t *tc, const tool_args_t *a, const char *topic)
{
    createtopics_req_topic_t t = {0};
    createtopics_req_t req = {0};
    createtopics_resp_t resp;
    createtopics_req_config_t *cfg = NULL;
    char *const *cv;
    char err[256];
    int ncfg = 0, rc, attempt;
    int64_t n;
    buf_t frame = BUF_INIT;
    kread_t kr;
    arena_t ar;
    int16_t v;

    t.name = (kstr_t){topic, (int32_t)strlen(topic)};
    t.num_partitions = -1;
    t.replication_factor = -1;
    if (tool_opt_get(a, "partitions")) {
        if (tool_parse_int("partitions", tool_opt_get(a, "partitions"), 1,
                           INT32_MAX, &n, err, sizeof(err)) != 0) {
            tool_err(CMD, "%s", err);
            return TOOL_EXIT_USAGE;
        }
        t.num_partitions = (int32_t)n;
    }
    if (tool_opt_get(a, "replication-factor")) {
        if (tool_parse_int("replication-factor",
                           tool_opt_get(a, "replication-factor"), 1, INT16_MAX,
                           &n, err, sizeof(err)) != 0) {
            tool_err(CMD, "%s", err);
            return TOOL_EXIT_USAGE;
        }
        t.replication_factor = (int16_t)n;
    }
    cv = tool_opt_all(a, "config", &ncfg);
    cfg = xcalloc((size_t)ncfg + 1, sizeof(*cfg));
    for (int i = 0; i < ncfg; i++) {
        const char *eq = strchr(cv[i], '=');

        if (eq == NULL || eq == cv[i]) {
            tool_err(CMD, "--config '%s': expected KEY=VALUE", cv[i]);
            free(cfg);
            return TOOL_EXIT_USAGE;
        }
        cfg[i].name = (kstr_t){cv[i], (int32_t)(eq - cv[i])};
        cfg[i].value = (kstr_t){eq + 1, (int32_t)strlen(eq + 1)};
    }
    t.nconfigs = ncfg;
    t.configs = cfg;
    req.ntopics = 1;
    req.topics = &t;
    req.timeout_ms = tool_client_timeout(tc);
    arena_init(&ar);
    for (attempt = 0; attempt < 3; attempt++) {
        const metadata_resp_t *md;

        rc = admin_call(tc, API_CREATE_TOPICS, enc_create, &req, &frame, &kr,
                        &v);
        if (rc != 0)
            break;
        if (p_createtopics_resp_decode(&kr, v, &ar, &resp) != 0 ||
            resp.ntopics < 1) {
            tool_err(CMD, "malformed CreateTopics response");
            rc = TOOL_EXIT_FAIL;
            break;
        }
        int16_t ec = resp.topics[0].error_code;
        char *msg = tool_kstr(&ar, resp.topics[0].error_message);

        if (ec == KERR_NOT_CONTROLLER &&
            tool_client_metadata(tc, NULL, 0, &md, err, sizeof(err)) == 0)
            continue; /* the controller moved: ask the new one */
        if (ec == 0) {
            printf("Created topic %s.\n", topic);
        } else if (ec == KERR_TOPIC_ALREADY_EXISTS &&
                   tool_opt_has(a, "if-not-exists")) {
            rc = 0;
        } else {
            tool_topic_error(CMD, topic, ec, msg);
            rc = TOOL_EXIT_FAIL;
        }
        break;
    }
    arena_fini(&ar);
    buf_fini(&frame);
    free(cfg);
    return rc;
}

/* ------------------------------------------------------------------ delete */

static void
enc_delete(kwrite_t *kw, int16_t v, const void *arg)
{
    const deletetopics_req_t *src = arg;
    deletetopics_req_t req = *src;
    deletetopics_req_topic_t *t = NULL;

    if (v >= 6) { /* v6 names topics as {name, id} */
        t = xcalloc((size_t)src->ntopic_names + 1, sizeof(*t));
        for (int i = 0; i < src->ntopic_names; i++)
            t[i].name = src->topic_names[i];
        req.ntopics = src->ntopic_names;
        req.topics = t;
        req.ntopic_names = 0;
        req.topic_names = NULL;
    }
    p_deletetopics_req_encode(kw, v, &req);
    free(t);
}

static int
do_delete(tool_client_t *tc, const tool_args_t *a, char *const *topics,
          int ntopics)
{
    deletetopics_req_t req = {0};
    deletetopics_resp_t resp;
    buf_t frame = BUF_INIT;
    kread_t kr;
    arena_t ar;
    int16_t v;
    int rc, status = 0;
    kstr_t *names = xcalloc((size_t)ntopics, sizeof(*names));

    for (int i = 0; i < ntopics; i++)
        names[i] = (kstr_t){topics[i], (int32_t)strlen(topics[i])};
    req.ntopic_names = ntopics;
    req.topic_names = names;
    req.timeout_ms = tool_client_timeout(tc);
    arena_init(&ar);
    rc = admin_call(tc, API_DELETE_TOPICS, enc_delete, &req, &frame, &kr, &v);
    if (rc == 0 && p_deletetopics_resp_decode(&kr, v, &ar, &resp) != 0) {
        tool_err(CMD, "malformed DeleteTopics response");
        rc = TOOL_EXIT_FAIL;
    }
    for (int i = 0; rc == 0 && i < resp.nresponses; i++) {
        const deletetopics_resp_topic_t *t = &resp.responses[i];
        char *name = tool_kstr(&ar, t->name);

        if (t->error_code == 0) {
            printf("Deleted topic %s.\n", name ? name : "?");
        } else if (t->error_code == KERR_UNKNOWN_TOPIC_OR_PARTITION &&
                   tool_opt_has(a, "if-exists")) {
            continue;
        } else {
            tool_topic_error(CMD, name ? name : "?", t->error_code,
                             tool_kstr(&ar, t->error_message));
            status = TOOL_EXIT_FAIL;
        }
    }
    arena_fini(&ar);
    buf_fini(&frame);
    free(names);
    return rc ? rc : status;
}

/* ------------------------------------------------------------------- alter */

static void
enc_partitions(kwrite_t *kw, int16_t v, const void *arg)
{
    p_createpartitions_req_encode(kw, v, arg);
}

static int
do_alter(tool_client_t *tc, const tool_args_t *a, const char *topic)
{
    createpartitions_req_topic_t t = {0};
    createpartitions_req_t req = {0};
    createpartitions_resp_t resp;
    buf_t frame = BUF_INIT;
    char err[256];
    kread_t kr;
    arena_t ar;
    int64_t n;
    int16_t v;
    int rc;

    if (tool_opt_has(a, "config")) {
        tool_err(CMD, "--alter --config is not supported: changing configs "
                      "needs AlterConfigs, which samsad does not serve yet");
        return TOOL_EXIT_USAGE;
    }
    if (!tool_opt_get(a, "partitions")) {
        tool_err(CMD, "--alter needs --partitions N (the new, larger count)");
        return TOOL_EXIT_USAGE;
    }
    if (tool_parse_int("partitions", tool_opt_get(a, "partitions"), 1,
                       INT32_MAX, &n, err, sizeof(err)) != 0) {
        tool_err(CMD, "%s", err);
        return TOOL_EXIT_USAGE;
    }
    t.name = (kstr_t){topic, (int32_t)strlen(topic)};
    t.count = (int32_t)n;
    t.nassignments = -1;
    req.ntopics = 1;
    req.topics = &t;
    req.timeout_ms = tool_client_timeout(tc);
    arena_init(&ar);
    rc = admin_call(tc, API_CREATE_PARTITIONS, enc_partitions, &req, &frame,
                    &kr, &v);
    if (rc == 0 && (p_createpartitions_resp_decode(&kr, v, &ar, &resp) != 0 ||
                    resp.nresults < 1)) {
        tool_err(CMD, "malformed CreatePartitions response");
        rc = TOOL_EXIT_FAIL;
    }
    if (rc == 0) {
        int16_t ec = resp.results[0].error_code;

        if (ec == KERR_UNKNOWN_TOPIC_OR_PARTITION &&
            tool_opt_has(a, "if-exists")) {
            rc = 0;
        } else if (ec != 0) {
            tool_topic_error(CMD, topic, ec,
                             tool_kstr(&ar, resp.results[0].error_message));
            rc = TOOL_EXIT_FAIL;
        } else {
            printf("Topic %s now has %d partitions.\n", topic, (int)n);
        }
    }
    arena_fini(&ar);
    buf_fini(&frame);
    return rc;
}

/* ------------------------------------------------------- list and describe */

static int
cmp_topic(const void *x, const void *y)
{
    const metadata_resp_topic_t *a = *(const metadata_resp_topic_t *const *)x;
    const metadata_resp_topic_t *b = *(const metadata_resp_topic_t *const *)y;
    int n = a->name.len < b->name.len ? a->name.len : b->name.len;
    int c = memcmp(a->name.ptr, b->name.ptr, (size_t)n);

    return c ? c : a->name.len - b->name.len;
}

static int
cmp_part(const void *x, const void *y)
{
    const metadata_resp_partition_t *a = x, *b = y;

    return (a->partition_index > b->partition_index) -
           (a->partition_index < b->partition_index);
}

static void
print_ids(const int32_t *ids, int32_t n)
{
    for (int32_t i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", (int)ids[i]);
}

static json_t *
json_ids(const int32_t *ids, int32_t n)
{
    json_t *arr = json_array();

    for (int32_t i = 0; i < n; i++)
        json_array_append_new(arr, json_integer(ids[i]));
    return arr;
}

static int
do_list_describe(tool_client_t *tc, const tool_args_t *a, char *const *topics,
                 int ntopics, bool describe)
{
    const metadata_resp_t *md;
    const metadata_resp_topic_t **sorted;
    bool json = tool_opt_has(a, "json");
    json_t *out = json ? json_array() : NULL;
    char err[512];
    int n = 0, status = 0;
    int rc =
        tool_client_metadata(tc, (const char *const *)topics,
                             ntopics ? ntopics : -1, &md, err, sizeof(err));

    if (rc != 0) {
        tool_err(CMD, "%s", err);
        json_decref(out);
        return rc;
    }
    sorted = xcalloc((size_t)md->ntopics + 1, sizeof(*sorted));
    for (int32_t i = 0; i < md->ntopics; i++) {
        const metadata_resp_topic_t *t = &md->topics[i];

        if (t->is_internal && tool_opt_has(a, "exclude-internal"))
            continue;
        if (t->error_code != 0) {
            char name[256];

            snprintf(name, sizeof(name), "%.*s", (int)t->name.len, t->name.ptr);
            if (!(t->error_code == KERR_UNKNOWN_TOPIC_OR_PARTITION &&
                  tool_opt_has(a, "if-exists"))) {
                tool_topic_error(CMD, name, t->error_code, NULL);
                status = TOOL_EXIT_FAIL;
            }
            continue;
        }
        sorted[n++] = t;
    }
    qsort(sorted, (size_t)n, sizeof(*sorted), cmp_topic);
    for (int i = 0; i < n; i++) {
        const metadata_resp_topic_t *t = sorted[i];
        char *name = xasprintf("%.*s", (int)t->name.len, t->name.ptr);
        int rf = t->npartitions > 0 ? t->partitions[0].nreplica_nodes : 0;
        tool_config_t *cfg = NULL;
        int ncfg = 0;
        int16_t ec = 0;
        arena_t ar;

        if (!describe) {
            if (json)
                json_array_append_new(out, json_string(name));
            else
                printf("%s\n", name);
            free(name);
            continue;
        }
        arena_init(&ar);
        rc = tool_describe_configs(tc, TOOL_RESOURCE_TOPIC, name, &ar, &cfg,
                                   &ncfg, &ec, err, sizeof(err));
        if (rc != 0 || ec != 0) {
            tool_err(CMD, "configs of topic '%s': %s", name, err);
            status = TOOL_EXIT_FAIL;
            ncfg = 0;
        }
        qsort(t->partitions, (size_t)t->npartitions, sizeof(*t->partitions),
              cmp_part);
        if (json) {
            json_t *jt = json_object(), *jp = json_array(), *jc = json_object();

            json_object_set_new(jt, "name", json_string(name));
            json_object_set_new(jt, "internal", json_boolean(t->is_internal));
            json_object_set_new(jt, "partition_count",
                                json_integer(t->npartitions));
            json_object_set_new(jt, "replication_factor", json_integer(rf));
            for (int c = 0; c < ncfg; c++)
                if (cfg[c].source == 1 ||
                    (cfg[c].source < 0 && !cfg[c].is_default))
                    json_object_set_new(jc, cfg[c].name,
                                        cfg[c].value ? json_string(cfg[c].value)
                                                     : json_null());
            json_object_set_new(jt, "configs", jc);
            for (int32_t p = 0; p < t->npartitions; p++) {
                const metadata_resp_partition_t *mp = &t->partitions[p];
                json_t *o = json_object();

                json_object_set_new(o, "partition",
                                    json_integer(mp->partition_index));
                json_object_set_new(o, "leader", json_integer(mp->leader_id));
                json_object_set_new(o, "leader_epoch",
                                    json_integer(mp->leader_epoch));
                json_object_set_new(
                    o, "replicas",
                    json_ids(mp->replica_nodes, mp->nreplica_nodes));
                json_object_set_new(o, "isr",
                                    json_ids(mp->isr_nodes, mp->nisr_nodes));
                json_object_set_new(
                    o, "offline",
                    json_ids(mp->offline_replicas, mp->noffline_replicas));
                json_array_append_new(jp, o);
            }
            json_object_set_new(jt, "partitions", jp);
            json_array_append_new(out, jt);
        } else {
            int shown = 0;

            printf("Topic: %s\tPartitionCount: %d\tReplicationFactor: %d\t"
                   "Configs: ",
                   name, (int)t->npartitions, rf);
            for (int c = 0; c < ncfg; c++)
                if (cfg[c].source == 1 ||
                    (cfg[c].source < 0 && !cfg[c].is_default))
                    printf("%s%s=%s", shown++ ? "," : "", cfg[c].name,
                           cfg[c].value ? cfg[c].value : "null");
            printf("\n");
            for (int32_t p = 0; p < t->npartitions; p++) {
                const metadata_resp_partition_t *mp = &t->partitions[p];

                printf("\tTopic: %s\tPartition: %d\tLeader: ", name,
                       (int)mp->partition_index);
                if (mp->leader_id < 0)
                    printf("none");
                else
                    printf("%d", (int)mp->leader_id);
                printf("\tReplicas: ");
                print_ids(mp->replica_nodes, mp->nreplica_nodes);
                printf("\tIsr: ");
                print_ids(mp->isr_nodes, mp->nisr_nodes);
                if (mp->noffline_replicas > 0) {
                    printf("\tOffline: ");
                    print_ids(mp->offline_replicas, mp->noffline_replicas);
                }
                printf("\n");
            }
        }
        arena_fini(&ar);
        free(name);
    }
    if (json) {
        json_dumpf(out, stdout, JSON_INDENT(2));
        printf("\n");
        json_decref(out);
    }
    free(sorted);
    return status;
}

int
cmd_topics(int argc, char **argv)
{
    static const char *const actions[] = {"create", "delete", "list",
                                          "describe", "alter"};
    tool_args_t a;
    tool_client_t *tc = NULL;
    const char *action = NULL;
    char *const *topics;
    int ntopics, rc;

    rc = tool_args_begin(&a, CMD,
                         "--create|--delete|--list|--describe|--alter "
                         "[--topic NAME] [options]",
                         "Creates, lists, describes, alters and deletes "
                         "topics (kafka-topics.sh).",
                         opts, NOPTS, argc, argv);
    if (rc != 0) {
        tool_args_fini(&a);
        return rc < 0 ? TOOL_EXIT_OK : rc;
    }
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (!tool_opt_has(&a, actions[i]))
            continue;
        if (action) {
            tool_err(CMD, "give only one of --%s and --%s", action, actions[i]);
            tool_args_fini(&a);
            return TOOL_EXIT_USAGE;
        }
        action = actions[i];
    }
    topics = tool_opt_all(&a, "topic", &ntopics);
    rc = TOOL_EXIT_USAGE;
    if (action == NULL)
        tool_err(CMD, "say what to do: --create, --delete, --list, "
                      "--describe or --alter (see samsa topics --help)");
    else if (a.noperands > 0)
        tool_err(CMD,
                 "unexpected argument '%s' (topic names go after "
                 "--topic)",
                 a.operands[0]);
    else if (ntopics == 0 && strcmp(action, "list") != 0 &&
             strcmp(action, "describe") != 0)
        tool_err(CMD, "--%s needs --topic NAME", action);
    else if (ntopics > 1 &&
             (strcmp(action, "create") == 0 || strcmp(action, "alter") == 0))
        tool_err(CMD, "--%s takes one --topic", action);
    else
        rc = tool_client_open_args(&a, CMD, &tc);
    if (rc == 0) {
        if (strcmp(action, "create") == 0)
            rc = do_create(tc, &a, topics[0]);
        else if (strcmp(action, "delete") == 0)
            rc = do_delete(tc, &a, topics, ntopics);
        else if (strcmp(action, "alter") == 0)
            rc = do_alter(tc, &a, topics[0]);
        else
            rc = do_list_describe(tc, &a, topics, ntopics,
                                  strcmp(action, "describe") == 0);
    }
    tool_client_close(tc);
    tool_args_fini(&a);
    return rc;
}
