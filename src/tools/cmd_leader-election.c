/*
 * cmd_leader-election.c: samsa leader-election, after
 * kafka-leader-election.sh: asks the controller to elect leaders
 * (ElectLeaders, key 43): the preferred replica (the first of the
 * assignment) when it is live and in the ISR, or, with --election-type
 * unclean, any live replica for partitions that have no live leader.
 *
 * The partitions come from --topic and --partition, from
 * --all-topic-partitions, or from Kafka's JSON file
 * {"partitions": [{"topic": "t", "partition": 0}, ...]}. Output is
 * Kafka's: "Successfully completed leader election (PREFERRED) for
 * partitions t-0, t-1", "Valid replica already elected for partitions
 * ..." and, per failure, "Error completing leader election (PREFERRED)
 * for partition: t-0: ...". Exit status 1 when a partition failed.
 *
 * Spec: Kafka 2.8 LeaderElectionCommand; KIP-183, KIP-460.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_electleaders.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

#define CMD "leader-election"

static const tool_opt_t opts[] = {
    {"bootstrap-server", "HOST:PORT[,...]",
     "brokers to contact (default $SAMSA_BOOTSTRAP_SERVERS)"},
    {"election-type", "preferred|unclean", "the kind of election (required)"},
    {"topic", "TOPIC", "the topic of --partition"},
    {"partition", "N", "the partition of --topic to elect a leader for"},
    {"all-topic-partitions", NULL, "elect leaders for every partition"},
    {"path-to-json-file", "FILE",
     "the partitions, as {\"partitions\": [{\"topic\": \"t\", "
     "\"partition\": 0}]}"},
    {"request-timeout-ms", "MS",
     "bound for the controller's answer (default 30000)"},
    {"help", NULL, "print this help"},
};

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

typedef struct tpl {
    int n, cap;
    char **topics;
    int32_t *parts;
} tpl_t;

static void
tpl_add(tpl_t *l, const char *topic, int32_t p)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->topics = xrealloc(l->topics, sizeof(char *) * l->cap);
        l->parts = xrealloc(l->parts, sizeof(int32_t) * l->cap);
    }
    l->topics[l->n] = xstrdup(topic);
    l->parts[l->n] = p;
    l->n++;
}

static void
tpl_fini(tpl_t *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->topics[i]);
    free(l->topics);
    free(l->parts);
}

static int
read_json(const char *path, tpl_t *l)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr), *parts;
    int rc = 0;

    if (root == NULL) {
        tool_err(CMD, "%s:%d: %s", path, jerr.line, jerr.text);
        return TOOL_EXIT_USAGE;
    }
    parts = json_object_get(root, "partitions");
    if (!json_is_array(parts) || json_array_size(parts) == 0) {
        tool_err(CMD,
                 "%s: expected {\"partitions\": [{\"topic\": \"t\", "
                 "\"partition\": 0}, ...]}",
                 path);
        json_decref(root);
        return TOOL_EXIT_USAGE;
    }
    for (size_t i = 0; i < json_array_size(parts); i++) {
        json_t *e = json_array_get(parts, i);
        json_t *t = json_object_get(e, "topic");
        json_t *p = json_object_get(e, "partition");

        if (!json_is_string(t) || !json_is_integer(p) ||
            json_integer_value(p) < 0 || json_integer_value(p) > INT32_MAX) {
            tool_err(CMD,
                     "%s: partitions[%zu] needs \"topic\" (a string) "
                     "and \"partition\" (an integer)",
                     path, i);
            rc = TOOL_EXIT_USAGE;
            break;
        }
        for (int j = 0; j < l->n; j++)
            if (l->parts[j] == json_integer_value(p) &&
                strcmp(l->topics[j], json_string_value(t)) == 0) {
                tool_err(CMD, "%s: duplicate partition %s-%d", path,
                         json_string_value(t), (int)json_integer_value(p));
                rc = TOOL_EXIT_USAGE;
            }
        if (rc != 0)
            break;
        tpl_add(l, json_string_value(t), (int32_t)json_integer_value(p));
    }
    json_decref(root);
    return rc;
}

/* appends ", t-p" (or "t-p" first) to @s */
static void
list_add(char **s, size_t *len, kstr_t topic, int32_t p)
{
    char one[400];
    int n = snprintf(one, sizeof(one), "%s%.*s-%d", *len ? ", " : "",
                     (int)topic.len, topic.ptr, (int)p);

    *s = xrealloc(*s, *len + (size_t)n + 1);
    memcpy(*s + *len, one, (size_t)n + 1);
    *len += (size_t)n;
}

static int
elect(tool_client_t *tc, int8_t type, const tpl_t *l, bool all)
{
    electleaders_req_topic_t *rt = xcalloc((size_t)l->n + 1, sizeof(*rt));
    electleaders_req_t req = {type, all ? -1 : 0, rt, tool_client_timeout(tc)};
    const char *tname = type == ELECTION_PREFERRED ? "PREFERRED" : "UNCLEAN";
    char *ok = NULL, *noop = NULL, err[512];
    size_t okl = 0, noopl = 0;
    electleaders_resp_t resp;
    buf_t frame = BUF_INIT;
    int32_t node;
    tool_req_t r;
    kread_t kr;
    arena_t ar;
    int16_t v;
    int rc, failed = 0;

    /* one entry per partition: the controller accepts repeated topics */
    for (int i = 0; !all && i < l->n; i++) {
        rt[i].topic = (kstr_t){l->topics[i], (int32_t)strlen(l->topics[i])};
        rt[i].npartitions = 1;
        rt[i].partitions = &l->parts[i];
        req.ntopic_partitions++;
    }
    arena_init(&ar);
    rc = tool_client_controller_node(tc, &node, err, sizeof(err));
    if (rc == 0)
        rc = tool_client_version(tc, node, API_ELECT_LEADERS, &v, err,
                                 sizeof(err));
    if (rc == 0 && v < 1 && type != ELECTION_PREFERRED) {
        snprintf(err, sizeof(err),
                 "the controller only does preferred "
                 "elections (ElectLeaders v0)");
        rc = TOOL_EXIT_FAIL;
    }
    if (rc == 0) {
        tool_req_begin(tc, &r, node, API_ELECT_LEADERS, v);
        p_electleaders_req_encode(&r.kw, v, &req);
        rc = tool_req_call(tc, &r, &frame, &kr, err, sizeof(err));
    }
    if (rc == 0 && p_electleaders_resp_decode(&kr, v, &ar, &resp) != 0) {
        snprintf(err, sizeof(err), "malformed ElectLeaders response");
        rc = TOOL_EXIT_FAIL;
    }
    if (rc == 0 && resp.error_code != KERR_NONE) {
        snprintf(err, sizeof(err), "%s", kerr_name(resp.error_code));
        rc = TOOL_EXIT_FAIL;
    }
    if (rc != 0) {
        tool_err(CMD, "%s", err);
        goto out;
    }
    for (int32_t t = 0; t < resp.nreplica_election_results; t++) {
        const electleaders_resp_topic_t *ot = &resp.replica_election_results[t];

        for (int32_t p = 0; p < ot->npartition_result; p++) {
            const electleaders_resp_partition_t *pp = &ot->partition_result[p];

            if (pp->error_code == KERR_NONE)
                list_add(&ok, &okl, ot->topic, pp->partition_id);
            else if (pp->error_code == KERR_ELECTION_NOT_NEEDED)
                list_add(&noop, &noopl, ot->topic, pp->partition_id);
        }
    }
    if (ok != NULL)
        printf("Successfully completed leader election (%s) for partitions "
               "%s\n",
               tname, ok);
    if (noop != NULL)
        printf("Valid replica already elected for partitions %s\n", noop);
    if (ok == NULL && noop == NULL && all)
        printf("No partitions need a leader election (%s)\n", tname);
    for (int32_t t = 0; t < resp.nreplica_election_results; t++) {
        const electleaders_resp_topic_t *ot = &resp.replica_election_results[t];

        for (int32_t p = 0; p < ot->npartition_result; p++) {
            const electleaders_resp_partition_t *pp = &ot->partition_result[p];

            if (pp->error_code == KERR_NONE ||
                pp->error_code == KERR_ELECTION_NOT_NEEDED)
                continue;
            failed++;
            printf("Error completing leader election (%s) for partition: "
                   "%.*s-%d: %s%s%.*s\n",
                   tname, (int)ot->topic.len, ot->topic.ptr,
                   (int)pp->partition_id, kerr_name(pp->error_code),
                   pp->error_message.len > 0 ? ": " : "",
                   pp->error_message.len > 0 ? (int)pp->error_message.len : 0,
                   pp->error_message.len > 0 ? pp->error_message.ptr : "");
        }
    }
    if (failed > 0) {
        tool_err(CMD, "%d partition(s) failed the election", failed);
        rc = TOOL_EXIT_FAIL;
    }
out:
    free(ok);
    free(noop);
    arena_fini(&ar);
    buf_fini(&frame);
    free(rt);
    return rc;
}

int
cmd_leader_election(int argc, char **argv)
{
    tool_client_t *tc = NULL;
    const char *type_s, *topic, *part, *file;
    bool all;
    int8_t type = ELECTION_PREFERRED;
    tpl_t l = {0};
    tool_args_t a;
    int rc, nsrc;

    rc = tool_args_begin(&a, CMD,
                         "--election-type preferred|unclean (--topic T "
                         "--partition P | --all-topic-partitions | "
                         "--path-to-json-file FILE) [options]",
                         "Elects partition leaders (kafka-leader-election.sh).",
                         opts, NOPTS, argc, argv);
    if (rc != 0) {
        tool_args_fini(&a);
        return rc < 0 ? TOOL_EXIT_OK : rc;
    }
    type_s = tool_opt_get(&a, "election-type");
    topic = tool_opt_get(&a, "topic");
    part = tool_opt_get(&a, "partition");
    file = tool_opt_get(&a, "path-to-json-file");
    all = tool_opt_has(&a, "all-topic-partitions");
    nsrc = (topic != NULL || part != NULL) + all + (file != NULL);
    if (type_s == NULL) {
        tool_err(CMD, "--election-type preferred|unclean is required");
        rc = TOOL_EXIT_USAGE;
    } else if (strcmp(type_s, "preferred") == 0 ||
               strcmp(type_s, "PREFERRED") == 0) {
        type = ELECTION_PREFERRED;
    } else if (strcmp(type_s, "unclean") == 0 ||
               strcmp(type_s, "UNCLEAN") == 0) {
        type = ELECTION_UNCLEAN;
    } else {
        tool_err(CMD, "--election-type: '%s' is not preferred or unclean",
                 type_s);
        rc = TOOL_EXIT_USAGE;
    }
    if (rc == 0 && nsrc != 1) {
        tool_err(CMD, "give exactly one of --topic with --partition, "
                      "--all-topic-partitions or --path-to-json-file");
        rc = TOOL_EXIT_USAGE;
    } else if (rc == 0 && (topic != NULL || part != NULL)) {
        int64_t p;
        char perr[256];

        if (topic == NULL || part == NULL) {
            tool_err(CMD, "--topic and --partition go together");
            rc = TOOL_EXIT_USAGE;
        } else if ((rc = tool_parse_int("partition", part, 0, INT32_MAX, &p,
                                        perr, sizeof(perr))) != 0) {
            tool_err(CMD, "%s", perr);
        } else {
            tpl_add(&l, topic, (int32_t)p);
        }
    } else if (rc == 0 && file != NULL) {
        rc = read_json(file, &l);
    }
    if (rc == 0 && a.noperands > 0) {
        tool_err(CMD, "unexpected argument '%s'", a.operands[0]);
        rc = TOOL_EXIT_USAGE;
    }
    if (rc == 0)
        rc = tool_client_open_args(&a, CMD, &tc);
    if (rc == 0)
        rc = elect(tc, type, &l, all);
    tpl_fini(&l);
    tool_client_close(tc);
    tool_args_fini(&a);
    return rc;
}
