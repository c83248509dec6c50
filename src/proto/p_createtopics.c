/*
 * p_createtopics.c: CreateTopics (key 19) v0-7 codec (see
 * p_createtopics.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 CreateTopics*.json; v5+
 * flexible, with the tagged TopicConfigErrorCode (tag 0) per result topic.
 */
#include "samsa/p_createtopics.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 5)
#define VMAX 7

int
p_createtopics_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                          createtopics_req_t *req)
{
    bool flex = FLEX(version);
    size_t amin = 4 + P_ARRMIN(flex) + P_TAGMIN(flex);
    size_t cmin = 2 * P_STRMIN(flex) + P_TAGMIN(flex);
    size_t tmin = P_STRMIN(flex) + 6 + 2 * P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->ntopics = p_rd_count(kr, flex, tmin);
    req->topics = p_alloc(ar, req->ntopics, sizeof(*req->topics));
    for (int32_t i = 0; i < req->ntopics; i++) {
        createtopics_req_topic_t *t = &req->topics[i];

        t->name = p_rd_str(kr, flex);
        t->num_partitions = kread_i32(kr);
        t->replication_factor = kread_i16(kr);
        t->nassignments = p_rd_count(kr, flex, amin);
        t->assignments = p_alloc(ar, t->nassignments, sizeof(*t->assignments));
        for (int32_t j = 0; j < t->nassignments; j++) {
            createtopics_req_assignment_t *a = &t->assignments[j];

            a->partition_index = kread_i32(kr);
            a->broker_ids = p_rd_i32s(kr, flex, false, ar, &a->nbroker_ids);
            p_rd_tags(kr, flex);
        }
        t->nconfigs = p_rd_count(kr, flex, cmin);
        t->configs = p_alloc(ar, t->nconfigs, sizeof(*t->configs));
        for (int32_t j = 0; j < t->nconfigs; j++) {
            t->configs[j].name = p_rd_str(kr, flex);
            t->configs[j].value = kread_str(kr, flex);
            p_rd_tags(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    req->timeout_ms = kread_i32(kr);
    req->validate_only = version >= 1 ? kread_bool(kr) : false;
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_createtopics_req_encode(kwrite_t *kw, int16_t version,
                          const createtopics_req_t *req)
{
    bool flex = FLEX(version);

    p_wr_count(kw, req->ntopics, flex, false);
    for (int32_t i = 0; i < req->ntopics; i++) {
        const createtopics_req_topic_t *t = &req->topics[i];

        p_wr_str(kw, t->name, flex);
        kwrite_i32(kw, t->num_partitions);
        kwrite_i16(kw, t->replication_factor);
        p_wr_count(kw, t->nassignments, flex, false);
        for (int32_t j = 0; j < t->nassignments; j++) {
            const createtopics_req_assignment_t *a = &t->assignments[j];

            kwrite_i32(kw, a->partition_index);
            p_wr_i32s(kw, a->broker_ids, a->nbroker_ids, flex, false);
            p_wr_tags(kw, flex);
        }
        p_wr_count(kw, t->nconfigs, flex, false);
        for (int32_t j = 0; j < t->nconfigs; j++) {
            p_wr_str(kw, t->configs[j].name, flex);
            kwrite_str(kw, t->configs[j].value, flex);
            p_wr_tags(kw, flex);
        }
        p_wr_tags(kw, flex);
    }
    kwrite_i32(kw, req->timeout_ms);
    if (version >= 1)
        kwrite_bool(kw, req->validate_only);
    p_wr_tags(kw, flex);
}

static void
rd_topic(kread_t *kr, int16_t version, bool flex, arena_t *ar,
         createtopics_resp_topic_t *t)
{
    size_t cmin = 2 * P_STRMIN(flex) + 3 + P_TAGMIN(flex);

    t->name = p_rd_str(kr, flex);
    if (version >= 7)
        kread_uuid(kr, t->topic_id);
    t->error_code = kread_i16(kr);
    t->error_message = version >= 1 ? kread_str(kr, flex) : p_str_empty();
    t->topic_config_error_code = 0;
    t->num_partitions = -1;
    t->replication_factor = -1;
    if (version >= 5) {
        t->num_partitions = kread_i32(kr);
        t->replication_factor = kread_i16(kr);
        t->nconfigs = p_rd_ncount(kr, flex, cmin);
        t->configs = p_alloc(ar, t->nconfigs, sizeof(*t->configs));
        for (int32_t j = 0; j < t->nconfigs; j++) {
            createtopics_resp_config_t *c = &t->configs[j];

            c->name = p_rd_str(kr, flex);
            c->value = kread_str(kr, flex);
            c->read_only = kread_bool(kr);
            c->config_source = kread_i8(kr);
            c->is_sensitive = kread_bool(kr);
            p_rd_tags(kr, flex);
        }
    }
    if (flex) {
        uint32_t ntags = kread_uvarint(kr);

        for (uint32_t i = 0; i < ntags && !kr->err; i++) {
            kread_t f;

            if (kread_tag(kr, &f) == 0) {
                t->topic_config_error_code = kread_i16(&f);
                if (f.err)
                    kread_fail(kr);
            }
        }
    }
}

int
p_createtopics_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                           createtopics_resp_t *resp)
{
    bool flex = FLEX(version);
    size_t tmin = P_STRMIN(flex) + (version >= 7 ? 16 : 0) + 2 +
                  (version >= 1 ? P_STRMIN(flex) : 0) +
                  (version >= 5 ? 6 + P_ARRMIN(flex) : 0) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = version >= 2 ? kread_i32(kr) : 0;
    resp->ntopics = p_rd_count(kr, flex, tmin);
    resp->topics = p_alloc(ar, resp->ntopics, sizeof(*resp->topics));
    for (int32_t i = 0; i < resp->ntopics; i++)
        rd_topic(kr, version, flex, ar, &resp->topics[i]);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

static void
wr_topic(kwrite_t *kw, int16_t version, bool flex,
         const createtopics_resp_topic_t *t)
{
    p_wr_str(kw, t->name, flex);
    if (version >= 7)
        kwrite_uuid(kw, t->topic_id);
    kwrite_i16(kw, t->error_code);
    if (version >= 1)
        kwrite_str(kw, t->error_message, flex);
    if (version >= 5) {
        kwrite_i32(kw, t->num_partitions);
        kwrite_i16(kw, t->replication_factor);
        kwrite_array(kw, t->nconfigs, flex);
        for (int32_t j = 0; j < t->nconfigs; j++) {
            const createtopics_resp_config_t *c = &t->configs[j];

            p_wr_str(kw, c->name, flex);
            kwrite_str(kw, c->value, flex);
            kwrite_bool(kw, c->read_only);
            kwrite_i8(kw, c->config_source);
            kwrite_bool(kw, c->is_sensitive);
            p_wr_tags(kw, flex);
        }
    }
    if (flex) {
        if (t->topic_config_error_code != 0) {
            kwrite_t f;

            kwrite_init(&f);
            kwrite_i16(&f, t->topic_config_error_code);
            kwrite_uvarint(kw, 1);
            p_wr_tag(kw, 0, &f);
            kwrite_fini(&f);
        } else {
            kwrite_tags_empty(kw);
        }
    }
}

void
p_createtopics_resp_encode(kwrite_t *kw, int16_t version,
                           const createtopics_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version >= 2)
        kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_count(kw, resp->ntopics, flex, false);
    for (int32_t i = 0; i < resp->ntopics; i++)
        wr_topic(kw, version, flex, &resp->topics[i]);
    p_wr_tags(kw, flex);
}
