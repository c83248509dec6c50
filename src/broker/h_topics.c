/*
 * h_topics.c: CreateTopics (key 19, v0-7), DeleteTopics (key 20, v0-6) and
 * CreatePartitions (key 37, v0-3).
 * Spec: protocol guide; KIP-4 (admin requests), KIP-195 (CreatePartitions),
 * KIP-464 (defaults: -1 partitions / replication factor), KIP-516 (ids).
 *
 * The handler checks what it can locally (names, duplicates), then hands the
 * rest to the controller (ctl.h), which writes ZooKeeper and calls back on
 * its own thread once the change is visible in the metadata or the request
 * timed out; the response is encoded there and posted to the connection's
 * loop. Results keep the request's order. CreateTopics v5+ answers with
 * every topic-level key's value for the new topic (tconf.h).
 */
#include <stdlib.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_createpartitions.h"
#include "samsa/p_createtopics.h"
#include "samsa/p_deletetopics.h"
#include "samsa/tconf.h"
#include "samsa/xmalloc.h"

/* error_code value meaning "the controller decides" */
#define ADMIN_FROM_CTL INT16_MIN

/* one admin request waiting for the controller */
typedef struct admin_wait {
    bdefer_t d;
    int n;
    char **names;       /* each request entry's topic name */
    uint8_t (*ids)[16]; /* DeleteTopics v6+: the id asked for */
    int16_t *errors;    /* local verdicts, or ADMIN_FROM_CTL */
    const char **messages;
    const broker_t *b;
    mc_topic_t *requested; /* CreateTopics: each entry's config overrides */
} admin_wait_t;

static admin_wait_t *
admin_wait_new(const breq_t *req, int n)
{
    admin_wait_t *aw = xcalloc(1, sizeof(*aw));

    bdefer_init(&aw->d, req);
    aw->n = n;
    aw->names = xcalloc(n + 1, sizeof(*aw->names));
    aw->ids = xcalloc(n + 1, sizeof(*aw->ids));
    aw->errors = xcalloc(n + 1, sizeof(*aw->errors));
    aw->messages = xcalloc(n + 1, sizeof(*aw->messages));
    aw->b = req->b;
    return aw;
}

static void
admin_wait_free(admin_wait_t *aw)
{
    for (int i = 0; i < aw->n; i++)
        free(aw->names[i]);
    free(aw->names);
    free(aw->ids);
    free(aw->errors);
    free(aw->messages);
    for (int i = 0; aw->requested != NULL && i < aw->n; i++) {
        for (int32_t c = 0; c < aw->requested[i].nconfigs; c++) {
            free(aw->requested[i].configs[c].key);
            free(aw->requested[i].configs[c].value);
        }
        free(aw->requested[i].configs);
    }
    free(aw->requested);
    free(aw);
}

/* local verdict on entry @i's name: invalid, duplicate, or up to ctl */
static void
admin_check_name(admin_wait_t *aw, int i, kstr_t name)
{
    const char *why;

    aw->names[i] = name.len >= 0 ? xstrndup(name.ptr, name.len) : NULL;
    aw->errors[i] = ADMIN_FROM_CTL;
    if (name.len < 0)
        return;
    why = broker_topic_name_error(name.ptr, name.len);
    if (why != NULL) {
        aw->errors[i] = KERR_INVALID_TOPIC_EXCEPTION;
        aw->messages[i] = why;
        return;
    }
    for (int j = 0; j < i; j++) {
        if (aw->names[j] != NULL && strcmp(aw->names[j], aw->names[i]) == 0) {
            aw->errors[i] = aw->errors[j] = KERR_INVALID_REQUEST;
            aw->messages[i] = aw->messages[j] =
                "the topic appears more than once in the request";
        }
    }
}

/* the controller's result for @name, or NULL */
static const ctl_result_t *
admin_result(const ctl_result_t *results, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (name != NULL && strcmp(results[i].name, name) == 0)
            return &results[i];
    return NULL;
}

/*
 * Entry @i's verdict: the local one, or the controller's result for its
 * name (NOT_CONTROLLER when the controller never answered). Returns the
 * controller's result when there is one, for the fields beyond the error.
 */
static const ctl_result_t *
admin_verdict(const admin_wait_t *aw, int i, const ctl_result_t *results, int n,
              int16_t *error_code, kstr_t *error_message)
{
    const ctl_result_t *res;

    *error_message = kstr_c(aw->messages[i]);
    if (aw->errors[i] != ADMIN_FROM_CTL) {
        *error_code = aw->errors[i];
        return NULL;
    }
    res = admin_result(results, n, aw->names[i]);
    if (res == NULL) {
        *error_code = KERR_NOT_CONTROLLER;
        return NULL;
    }
    *error_code = res->error_code;
    *error_message = kstr_c(res->error_message);
    return res;
}

/* names of the entries the controller decides, for its request */
static int
admin_ctl_names(const admin_wait_t *aw, const char **out)
{
    int n = 0;

    for (int i = 0; i < aw->n; i++)
        if (aw->errors[i] == ADMIN_FROM_CTL)
            out[n++] = aw->names[i];
    return n;
}

static ctl_t *
admin_ctl(const breq_t *req)
{
    return __atomic_load_n(&req->b->ctl, __ATOMIC_ACQUIRE);
}

/* ---- CreateTopics ---------------------------------------------------- */

/* v5+: every topic-level key of the new topic, as DescribeConfigs shows */
static void
create_topics_configs(const admin_wait_t *aw, const mc_topic_t *requested,
                      arena_t *ar, createtopics_resp_topic_t *t)
{
    t->nconfigs = (int32_t)tconf_nkeys;
    t->configs = arena_calloc(ar, tconf_nkeys, sizeof(*t->configs));
    for (size_t k = 0; k < tconf_nkeys; k++) {
        const tconf_key_t *key = &tconf_keys[k];
        createtopics_resp_config_t *c = &t->configs[k];
        char buf[64];
        tconf_value_t v;

        tconf_effective(broker_conf(aw->b), key,
                        mc_topic_config(requested, key->name), buf, sizeof(buf),
                        &v);
        c->name = kstr_c(key->name);
        c->value = kstr_c(arena_strndup(ar, v.value, strlen(v.value)));
        c->config_source = v.source;
    }
}

static void
create_topics_done(const ctl_result_t *results, int n, void *ud)
{
    admin_wait_t *aw = ud;
    int16_t version = aw->d.api_version;
    createtopics_resp_t resp = {0};
    arena_t ar;
    kwrite_t *kw;

    arena_init(&ar);
    resp.ntopics = aw->n;
    resp.topics = arena_calloc(&ar, aw->n, sizeof(*resp.topics));
    for (int i = 0; i < aw->n; i++) {
        createtopics_resp_topic_t *t = &resp.topics[i];
        const ctl_result_t *res =
            admin_verdict(aw, i, results, n, &t->error_code, &t->error_message);

        t->name = kstr_c(aw->names[i]);
        t->num_partitions = -1;
        t->replication_factor = -1;
        if (res != NULL && res->error_code == KERR_NONE) {
            t->num_partitions = res->num_partitions;
            t->replication_factor = res->replication_factor;
            create_topics_configs(aw, &aw->requested[i], &ar, t);
        }
    }
    kw = bresp_begin(aw->d.correlation_id, API_CREATE_TOPICS, version);
    p_createtopics_resp_encode(kw, version, &resp);
    arena_fini(&ar);
    bdefer_reply(&aw->d, kw);
    admin_wait_free(aw);
}

int
h_create_topics(breq_t *req, kread_t *kr)
{
    createtopics_req_t r;
    admin_wait_t *aw;
    ctl_topic_spec_t *specs;
    ctl_t *ctl = admin_ctl(req);
    int n = 0;

    if (p_createtopics_req_decode(kr, req->hdr.request_api_version, req->ar,
                                  &r) != 0)
        return ERR_PROTO;
    aw = admin_wait_new(req, r.ntopics);
    aw->requested = xcalloc(r.ntopics + 1, sizeof(*aw->requested));
    specs = arena_calloc(req->ar, r.ntopics, sizeof(*specs));
    for (int32_t i = 0; i < r.ntopics; i++) {
        const createtopics_req_topic_t *t = &r.topics[i];
        ctl_topic_spec_t *s = &specs[n];
        const int32_t **assign;
        int32_t *lens;
        const char **keys, **values;

        admin_check_name(aw, i, t->name);
        if (aw->errors[i] != ADMIN_FROM_CTL)
            continue;
        s->name = aw->names[i];
        s->num_partitions = t->num_partitions;
        s->replication_factor = t->replication_factor;
        assign = arena_calloc(req->ar, t->nassignments, sizeof(*assign));
        lens = arena_calloc(req->ar, t->nassignments, sizeof(*lens));
        for (int32_t a = 0; a < t->nassignments; a++) {
            int32_t p = t->assignments[a].partition_index;

            if (p < 0 || p >= t->nassignments || assign[p] != NULL) {
                aw->errors[i] = KERR_INVALID_REPLICA_ASSIGNMENT;
                aw->messages[i] = "partitions in the replica assignment "
                                  "must be 0..N-1, each once";
                break;
            }
            assign[p] = t->assignments[a].broker_ids;
            lens[p] = t->assignments[a].nbroker_ids;
        }
        if (aw->errors[i] != ADMIN_FROM_CTL)
            continue;
        s->nassignments = t->nassignments;
        s->assignments = assign;
        s->assignment_lens = lens;
        keys = arena_calloc(req->ar, t->nconfigs, sizeof(*keys));
        values = arena_calloc(req->ar, t->nconfigs, sizeof(*values));
        aw->requested[i].configs =
            xcalloc(t->nconfigs + 1, sizeof(*aw->requested[i].configs));
        for (int32_t c = 0; c < t->nconfigs; c++) {
            kstr_t k = t->configs[c].name, v = t->configs[c].value;
            mc_config_t *kept = &aw->requested[i].configs[c];

            keys[c] = arena_strndup(req->ar, k.ptr, k.len > 0 ? k.len : 0);
            values[c] =
                v.len >= 0 ? arena_strndup(req->ar, v.ptr, v.len) : NULL;
            kept->key = xstrdup(keys[c]);
            kept->value = values[c] ? xstrdup(values[c]) : NULL;
        }
        aw->requested[i].nconfigs = t->nconfigs;
        s->nconfigs = t->nconfigs;
        s->config_keys = keys;
        s->config_values = values;
        n++;
    }
    if (ctl == NULL || n == 0) {
        create_topics_done(NULL, 0, aw);
        return 0;
    }
    ctl_create_topics(ctl, specs, n, r.validate_only, r.timeout_ms,
                      create_topics_done, aw);
    return 0;
}

/* ---- DeleteTopics ---------------------------------------------------- */

static void
delete_topics_done(const ctl_result_t *results, int n, void *ud)
{
    admin_wait_t *aw = ud;
    int16_t version = aw->d.api_version;
    deletetopics_resp_t resp = {0};
    arena_t ar;
    kwrite_t *kw;

    arena_init(&ar);
    resp.nresponses = aw->n;
    resp.responses = arena_calloc(&ar, aw->n, sizeof(*resp.responses));
    for (int i = 0; i < aw->n; i++) {
        deletetopics_resp_topic_t *t = &resp.responses[i];

        admin_verdict(aw, i, results, n, &t->error_code, &t->error_message);
        t->name = kstr_c(aw->names[i]);
        memcpy(t->topic_id, aw->ids[i], 16);
    }
    kw = bresp_begin(aw->d.correlation_id, API_DELETE_TOPICS, version);
    p_deletetopics_resp_encode(kw, version, &resp);
    arena_fini(&ar);
    bdefer_reply(&aw->d, kw);
    admin_wait_free(aw);
}

static const mc_topic_t *
delete_topic_by_id(const mc_snapshot_t *snap, const uint8_t id[16])
{
    static const uint8_t zero[16];

    if (memcmp(id, zero, 16) == 0)
        return NULL;
    for (int32_t i = 0; i < snap->ntopics; i++)
        if (memcmp(snap->topics[i].id, id, 16) == 0)
            return &snap->topics[i];
    return NULL;
}

int
h_delete_topics(breq_t *req, kread_t *kr)
{
    int16_t version = req->hdr.request_api_version;
    deletetopics_req_t r;
    admin_wait_t *aw;
    ctl_t *ctl = admin_ctl(req);
    const char **names;
    int n, count;

    if (p_deletetopics_req_decode(kr, version, req->ar, &r) != 0)
        return ERR_PROTO;
    count = version >= 6 ? r.ntopics : r.ntopic_names;
    aw = admin_wait_new(req, count);
    for (int i = 0; i < count; i++) {
        kstr_t name = version >= 6 ? r.topics[i].name : r.topic_names[i];

        if (version >= 6 && name.len < 0) {
            const mc_topic_t *t =
                delete_topic_by_id(req->snap, r.topics[i].topic_id);

            memcpy(aw->ids[i], r.topics[i].topic_id, 16);
            if (t == NULL) {
                aw->errors[i] = KERR_UNKNOWN_TOPIC_ID;
                continue;
            }
            name = kstr_c(t->name);
        }
        admin_check_name(aw, i, name);
        if (version >= 6 && r.topics[i].name.len >= 0) {
            const mc_topic_t *t = mc_topic_find(req->snap, name.ptr, name.len);

            if (t != NULL)
                memcpy(aw->ids[i], t->id, 16);
        }
        if (aw->errors[i] == ADMIN_FROM_CTL &&
            !req->b->conf->delete_topic_enable) {
            aw->errors[i] = KERR_TOPIC_DELETION_DISABLED;
            aw->messages[i] = "delete.topic.enable is false on this broker";
        }
    }
    names = arena_calloc(req->ar, count, sizeof(*names));
    n = admin_ctl_names(aw, names);
    if (ctl == NULL || n == 0) {
        delete_topics_done(NULL, 0, aw);
        return 0;
    }
    ctl_delete_topics(ctl, names, n, r.timeout_ms, delete_topics_done, aw);
    return 0;
}

/* ---- CreatePartitions ------------------------------------------------ */

static void
create_partitions_done(const ctl_result_t *results, int n, void *ud)
{
    admin_wait_t *aw = ud;
    int16_t version = aw->d.api_version;
    createpartitions_resp_t resp = {0};
    arena_t ar;
    kwrite_t *kw;

    arena_init(&ar);
    resp.nresults = aw->n;
    resp.results = arena_calloc(&ar, aw->n, sizeof(*resp.results));
    for (int i = 0; i < aw->n; i++) {
        createpartitions_resp_result_t *t = &resp.results[i];

        admin_verdict(aw, i, results, n, &t->error_code, &t->error_message);
        t->name = kstr_c(aw->names[i]);
    }
    kw = bresp_begin(aw->d.correlation_id, API_CREATE_PARTITIONS, version);
    p_createpartitions_resp_encode(kw, version, &resp);
    arena_fini(&ar);
    bdefer_reply(&aw->d, kw);
    admin_wait_free(aw);
}

int
h_create_partitions(breq_t *req, kread_t *kr)
{
    createpartitions_req_t r;
    admin_wait_t *aw;
    ctl_t *ctl = admin_ctl(req);
    const char **names;
    int32_t *counts;
    int n = 0;

    if (p_createpartitions_req_decode(kr, req->hdr.request_api_version, req->ar,
                                      &r) != 0)
        return ERR_PROTO;
    aw = admin_wait_new(req, r.ntopics);
    names = arena_calloc(req->ar, r.ntopics, sizeof(*names));
    counts = arena_calloc(req->ar, r.ntopics, sizeof(*counts));
    for (int32_t i = 0; i < r.ntopics; i++) {
        admin_check_name(aw, i, r.topics[i].name);
        if (aw->errors[i] == ADMIN_FROM_CTL && r.topics[i].nassignments > 0) {
            /* placement is the controller's round robin for now */
            aw->errors[i] = KERR_INVALID_REPLICA_ASSIGNMENT;
            aw->messages[i] = "manual assignment of new partitions is not "
                              "supported yet; omit the assignment";
        }
        if (aw->errors[i] != ADMIN_FROM_CTL)
            continue;
        names[n] = aw->names[i];
        counts[n] = r.topics[i].count;
        n++;
    }
    if (ctl == NULL || n == 0) {
        create_partitions_done(NULL, 0, aw);
        return 0;
    }
    ctl_create_partitions(ctl, names, counts, n, r.validate_only, r.timeout_ms,
                          create_partitions_done, aw);
    return 0;
}
