/*
 * cmd_delete-records.c: samsa delete-records, after
 * kafka-delete-records.sh: raises the log start offset of the partitions
 * a JSON file names (DeleteRecords, key 21, sent to each partition's
 * leader), so records below it can no longer be read and whole segments
 * below it are deleted.
 *
 * The file is Kafka's: {"partitions": [{"topic": "t", "partition": 0,
 * "offset": 5}, ...], "version": 1}; offset -1 means the high watermark
 * (delete everything readable). A partition named twice is refused, as
 * Kafka's tool does. Output: Kafka's lines, "partition: t-0
 * low_watermark: 5" or "partition: t-0  error: ...", in the file's order.
 * Retriable errors (leader moved) refresh the metadata and try again,
 * three times.
 *
 * Spec: Kafka 2.8 DeleteRecordsCommand; KIP-107.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_deleterecords.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

#define CMD "delete-records"
#define ATTEMPTS 3

static const tool_opt_t opts[] = {
    {"bootstrap-server", "HOST:PORT[,...]",
     "brokers to contact (default $SAMSA_BOOTSTRAP_SERVERS)"},
    {"offset-json-file", "FILE",
     "the partitions and the offset to delete below, as Kafka's JSON"},
    {"request-timeout-ms", "MS",
     "bound for each broker answer (default 30000)"},
    {"help", NULL, "print this help"},
};

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

typedef struct drpart {
    char *topic;
    int32_t partition;
    int64_t offset;
    int32_t leader;
    bool done;
    int16_t error; /* -1: no answer (why in msg) */
    int64_t low_watermark;
    char msg[512];
} drpart_t;

/* reads Kafka's offset JSON; 0 or TOOL_EXIT_USAGE (message printed) */
static int
read_json(const char *path, drpart_t **out, int *nout)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr), *parts, *v;
    drpart_t *dp = NULL;
    size_t n;
    int rc = 0;

    *out = NULL;
    *nout = 0;
    if (root == NULL) {
        tool_err(CMD, "%s:%d: %s", path, jerr.line, jerr.text);
        return TOOL_EXIT_USAGE;
    }
    v = json_object_get(root, "version");
    if (v != NULL && (!json_is_integer(v) || json_integer_value(v) != 1)) {
        tool_err(CMD,
                 "%s: not supported version field value; use "
                 "\"version\": 1",
                 path);
        json_decref(root);
        return TOOL_EXIT_USAGE;
    }
    parts = json_object_get(root, "partitions");
    if (!json_is_array(parts)) {
        tool_err(CMD,
                 "%s: expected {\"partitions\": [{\"topic\": \"t\", "
                 "\"partition\": 0, \"offset\": 5}, ...], "
                 "\"version\": 1}",
                 path);
        json_decref(root);
        return TOOL_EXIT_USAGE;
    }
    n = json_array_size(parts);
    if (n == 0) {
        tool_err(CMD, "%s: the partitions list is empty", path);
        json_decref(root);
        return TOOL_EXIT_USAGE;
    }
    dp = xcalloc(n, sizeof(*dp));
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *e = json_array_get(parts, i);
        json_t *t = json_object_get(e, "topic");
        json_t *p = json_object_get(e, "partition");
        json_t *o = json_object_get(e, "offset");

        if (!json_is_string(t) || !json_is_integer(p) || !json_is_integer(o) ||
            json_integer_value(p) < 0 || json_integer_value(p) > INT32_MAX) {
            tool_err(CMD,
                     "%s: partitions[%zu] needs \"topic\" (a string), "
                     "\"partition\" and \"offset\" (integers)",
                     path, i);
            rc = TOOL_EXIT_USAGE;
            break;
        }
        dp[i].topic = xstrdup(json_string_value(t));
        dp[i].partition = (int32_t)json_integer_value(p);
        dp[i].offset = (int64_t)json_integer_value(o);
        dp[i].leader = -1;
        dp[i].error = -1;
        dp[i].low_watermark = -1;
        *nout = (int)i + 1;
        for (size_t j = 0; j < i; j++)
            if (dp[j].partition == dp[i].partition &&
                strcmp(dp[j].topic, dp[i].topic) == 0) {
                tool_err(CMD,
                         "%s: offset json file contains duplicate "
                         "topic partitions: %s-%d",
                         path, dp[i].topic, (int)dp[i].partition);
                rc = TOOL_EXIT_USAGE;
            }
    }
    json_decref(root);
    *out = dp;
    return rc;
}

/* fills each pending partition's leader (-1 with an error when none) */
static int
find_leaders(tool_client_t *tc, drpart_t *dp, int n)
{
    const char **topics = xcalloc((size_t)n, sizeof(*topics));
    const metadata_resp_t *md;
    char err[512];
    int nt = 0, rc;

    for (int i = 0; i < n; i++) {
        bool seen = false;

        for (int j = 0; j < nt; j++)
            seen = seen || strcmp(topics[j], dp[i].topic) == 0;
        if (!seen && !dp[i].done)
            topics[nt++] = dp[i].topic;
    }
    rc = nt ? tool_client_metadata(tc, topics, nt, &md, err, sizeof(err)) : 0;
    free(topics);
    if (rc != 0) {
        tool_err(CMD, "%s", err);
        return rc;
    }
    for (int i = 0; i < n && nt; i++) {
        drpart_t *d = &dp[i];

        if (d->done)
            continue;
        d->leader = -1;
        d->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        for (int32_t t = 0; t < md->ntopics; t++) {
            const metadata_resp_topic_t *mt = &md->topics[t];

            if (mt->name.len != (int32_t)strlen(d->topic) ||
                memcmp(mt->name.ptr, d->topic, (size_t)mt->name.len) != 0)
                continue;
            if (mt->error_code != 0) {
                d->error = mt->error_code;
                continue;
            }
            for (int32_t p = 0; p < mt->npartitions; p++)
                if (mt->partitions[p].partition_index == d->partition) {
                    d->leader = mt->partitions[p].leader_id;
                    d->error =
                        d->leader >= 0 ? KERR_NONE : KERR_LEADER_NOT_AVAILABLE;
                }
        }
    }
    return 0;
}

/* one DeleteRecords request to @leader for its pending partitions */
static int
send_to_leader(tool_client_t *tc, drpart_t *dp, int n, int32_t leader)
{
    deleterecords_req_topic_t *rt = xcalloc((size_t)n, sizeof(*rt));
    deleterecords_req_partition_t *rp = xcalloc((size_t)n, sizeof(*rp));
    deleterecords_req_t req = {0};
    deleterecords_resp_t resp;
    buf_t frame = BUF_INIT;
    char err[512];
    tool_req_t r;
    kread_t kr;
    arena_t ar;
    int16_t v;
    int np = 0, rc;

    /* topics in order, each with its partitions */
    for (int i = 0; i < n; i++) {
        deleterecords_req_topic_t *t = NULL;

        if (dp[i].done || dp[i].leader != leader || dp[i].error != 0)
            continue;
        for (int32_t k = 0; k < req.ntopics && !t; k++)
            if (rt[k].name.len == (int32_t)strlen(dp[i].topic) &&
                memcmp(rt[k].name.ptr, dp[i].topic, (size_t)rt[k].name.len) ==
                    0)
                t = &rt[k];
        if (t == NULL) {
            t = &rt[req.ntopics++];
            t->name = (kstr_t){dp[i].topic, (int32_t)strlen(dp[i].topic)};
            t->partitions = rp + np;
            /* this topic's partitions are laid out contiguously below */
            for (int j = i; j < n; j++)
                if (!dp[j].done && dp[j].leader == leader && dp[j].error == 0 &&
                    strcmp(dp[j].topic, dp[i].topic) == 0)
                    rp[np++] = (deleterecords_req_partition_t){dp[j].partition,
                                                               dp[j].offset};
            t->npartitions = (int32_t)(rp + np - t->partitions);
        }
    }
    req.topics = rt;
    /* the broker waits for the followers up to this (then answers
     * REQUEST_TIMED_OUT, which is retried): a margin under our own wait
     * so its answer arrives before we give up */
    req.timeout_ms = tool_client_timeout(tc) - tool_client_timeout(tc) / 4;
    arena_init(&ar);
    rc = tool_client_version(tc, leader, API_DELETE_RECORDS, &v, err,
                             sizeof(err));
    if (rc == 0) {
        tool_req_begin(tc, &r, leader, API_DELETE_RECORDS, v);
        p_deleterecords_req_encode(&r.kw, v, &req);
        rc = tool_req_call(tc, &r, &frame, &kr, err, sizeof(err));
    }
    if (rc == 0 && p_deleterecords_resp_decode(&kr, v, &ar, &resp) != 0) {
        snprintf(err, sizeof(err), "malformed DeleteRecords response");
        rc = TOOL_EXIT_FAIL;
    }
    for (int i = 0; i < n; i++) {
        drpart_t *d = &dp[i];

        if (d->done || d->leader != leader || d->error != 0)
            continue;
        d->error = -1;
        snprintf(d->msg, sizeof(d->msg), "%s",
                 rc != 0 ? err : "the broker did not answer for it");
        for (int32_t t = 0; rc == 0 && t < resp.ntopics; t++) {
            const deleterecords_resp_topic_t *ot = &resp.topics[t];

            if (ot->name.len != (int32_t)strlen(d->topic) ||
                memcmp(ot->name.ptr, d->topic, (size_t)ot->name.len) != 0)
                continue;
            for (int32_t p = 0; p < ot->npartitions; p++)
                if (ot->partitions[p].partition_index == d->partition) {
                    d->error = ot->partitions[p].error_code;
                    d->low_watermark = ot->partitions[p].low_watermark;
                }
        }
    }
    arena_fini(&ar);
    buf_fini(&frame);
    free(rt);
    free(rp);
    return rc == TOOL_EXIT_CONNECT ? 0 : rc; /* per-partition errors */
}

static bool
retriable(int16_t ec)
{
    return ec == -1 || ec == KERR_NOT_LEADER_OR_FOLLOWER ||
           ec == KERR_LEADER_NOT_AVAILABLE || ec == KERR_REQUEST_TIMED_OUT;
}

static int
delete_records(tool_client_t *tc, drpart_t *dp, int n)
{
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        bool again = false;
        int rc = find_leaders(tc, dp, n);

        if (rc != 0)
            return rc;
        for (int i = 0; i < n; i++) {
            bool first = true;

            if (dp[i].done || dp[i].error != 0)
                continue;
            for (int j = 0; j < i; j++)
                first = first && !(!dp[j].done && dp[j].error == 0 &&
                                   dp[j].leader == dp[i].leader);
            if (first && (rc = send_to_leader(tc, dp, n, dp[i].leader)) != 0)
                return rc;
        }
        for (int i = 0; i < n; i++) {
            if (dp[i].done)
                continue;
            if (attempt + 1 < ATTEMPTS && retriable(dp[i].error))
                again = true;
            else
                dp[i].done = true;
        }
        if (!again)
            break;
        usleep(200000u << attempt);
    }
    return 0;
}

static const char *
describe(int16_t ec)
{
    switch (ec) {
    case KERR_OFFSET_OUT_OF_RANGE:
        return "the offset is above the high watermark (see samsa "
               "get-offsets)";
    case KERR_UNKNOWN_TOPIC_OR_PARTITION: return "no such topic or partition";
    case KERR_INVALID_TOPIC_EXCEPTION:
        return "records of internal topics cannot be deleted";
    default: return NULL;
    }
}

int
cmd_delete_records(int argc, char **argv)
{
    tool_client_t *tc = NULL;
    drpart_t *dp = NULL;
    const char *file;
    tool_args_t a;
    int n = 0, failed = 0, rc;

    rc = tool_args_begin(&a, CMD, "--offset-json-file FILE [options]",
                         "Deletes the records of partitions below an offset "
                         "(kafka-delete-records.sh).",
                         opts, NOPTS, argc, argv);
    if (rc != 0) {
        tool_args_fini(&a);
        return rc < 0 ? TOOL_EXIT_OK : rc;
    }
    file = tool_opt_get(&a, "offset-json-file");
    if (file == NULL) {
        tool_err(CMD, "--offset-json-file FILE is required");
        rc = TOOL_EXIT_USAGE;
    } else if (a.noperands > 0) {
        tool_err(CMD, "unexpected argument '%s'", a.operands[0]);
        rc = TOOL_EXIT_USAGE;
    }
    if (rc == 0)
        rc = read_json(file, &dp, &n);
    if (rc == 0)
        rc = tool_client_open_args(&a, CMD, &tc);
    if (rc == 0) {
        printf("Executing records delete operation\n");
        fflush(stdout);
        rc = delete_records(tc, dp, n);
    }
    if (rc == 0) {
        printf("Records delete operation completed:\n");
        for (int i = 0; i < n; i++) {
            const drpart_t *d = &dp[i];

            if (d->error == 0) {
                printf("partition: %s-%d\tlow_watermark: %lld\n", d->topic,
                       (int)d->partition, (long long)d->low_watermark);
                continue;
            }
            failed++;
            if (d->error == -1)
                printf("partition: %s-%d\terror: %s\n", d->topic,
                       (int)d->partition, d->msg);
            else
                printf("partition: %s-%d\terror: %s%s%s\n", d->topic,
                       (int)d->partition, kerr_name(d->error),
                       describe(d->error) ? ": " : "",
                       describe(d->error) ? describe(d->error) : "");
        }
        if (failed > 0)
            rc = TOOL_EXIT_FAIL;
    }
    for (int i = 0; i < n; i++)
        free(dp[i].topic);
    free(dp);
    tool_client_close(tc);
    tool_args_fini(&a);
    return rc;
}
