/*
 * p_stopreplica.c: StopReplica (key 5) v0-3 codec (see p_stopreplica.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 StopReplica*.json; v2+
 * flexible.
 */
#include "samsa/p_stopreplica.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 2)
#define VMAX 3

int
p_stopreplica_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                         stopreplica_req_t *req)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->controller_id = kread_i32(kr);
    req->controller_epoch = kread_i32(kr);
    req->broker_epoch = version >= 1 ? kread_i64(kr) : -1;
    if (version <= 2)
        req->delete_partitions = kread_bool(kr);
    if (version == 0) {
        req->nungrouped_partitions = p_rd_count(kr, flex, P_STRMIN(flex) + 4);
        req->ungrouped_partitions = p_alloc(ar, req->nungrouped_partitions,
                                            sizeof(*req->ungrouped_partitions));
        for (int32_t i = 0; i < req->nungrouped_partitions; i++) {
            req->ungrouped_partitions[i].topic_name = p_rd_str(kr, flex);
            req->ungrouped_partitions[i].partition_index = kread_i32(kr);
        }
    } else if (version <= 2) {
        req->ntopics = p_rd_count(
            kr, flex, P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex));
        req->topics = p_alloc(ar, req->ntopics, sizeof(*req->topics));
        for (int32_t i = 0; i < req->ntopics; i++) {
            stopreplica_topic_v1_t *t = &req->topics[i];

            t->name = p_rd_str(kr, flex);
            t->partition_indexes =
                p_rd_i32s(kr, flex, false, ar, &t->npartition_indexes);
            p_rd_tags(kr, flex);
        }
    } else {
        req->ntopic_states = p_rd_count(
            kr, flex, P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex));
        req->topic_states =
            p_alloc(ar, req->ntopic_states, sizeof(*req->topic_states));
        for (int32_t i = 0; i < req->ntopic_states; i++) {
            stopreplica_topic_state_t *t = &req->topic_states[i];

            t->topic_name = p_rd_str(kr, flex);
            t->npartition_states =
                p_rd_count(kr, flex, 4 + 4 + 1 + P_TAGMIN(flex));
            t->partition_states =
                p_alloc(ar, t->npartition_states, sizeof(*t->partition_states));
            for (int32_t p = 0; p < t->npartition_states; p++) {
                stopreplica_partition_state_t *ps = &t->partition_states[p];

                ps->partition_index = kread_i32(kr);
                ps->leader_epoch = kread_i32(kr);
                ps->delete_partition = kread_bool(kr);
                p_rd_tags(kr, flex);
            }
            p_rd_tags(kr, flex);
        }
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_stopreplica_req_encode(kwrite_t *kw, int16_t version,
                         const stopreplica_req_t *req)
{
    bool flex = FLEX(version);

    kwrite_i32(kw, req->controller_id);
    kwrite_i32(kw, req->controller_epoch);
    if (version >= 1)
        kwrite_i64(kw, req->broker_epoch);
    if (version <= 2)
        kwrite_bool(kw, req->delete_partitions);
    if (version == 0) {
        p_wr_count(kw, req->nungrouped_partitions, flex, false);
        for (int32_t i = 0; i < req->nungrouped_partitions; i++) {
            p_wr_str(kw, req->ungrouped_partitions[i].topic_name, flex);
            kwrite_i32(kw, req->ungrouped_partitions[i].partition_index);
        }
    } else if (version <= 2) {
        p_wr_count(kw, req->ntopics, flex, false);
        for (int32_t i = 0; i < req->ntopics; i++) {
            const stopreplica_topic_v1_t *t = &req->topics[i];

            p_wr_str(kw, t->name, flex);
            p_wr_i32s(kw, t->partition_indexes, t->npartition_indexes, flex,
                      false);
            p_wr_tags(kw, flex);
        }
    } else {
        p_wr_count(kw, req->ntopic_states, flex, false);
        for (int32_t i = 0; i < req->ntopic_states; i++) {
            const stopreplica_topic_state_t *t = &req->topic_states[i];

            p_wr_str(kw, t->topic_name, flex);
            p_wr_count(kw, t->npartition_states, flex, false);
            for (int32_t p = 0; p < t->npartition_states; p++) {
                const stopreplica_partition_state_t *ps =
                    &t->partition_states[p];

                kwrite_i32(kw, ps->partition_index);
                kwrite_i32(kw, ps->leader_epoch);
                kwrite_bool(kw, ps->delete_partition);
                p_wr_tags(kw, flex);
            }
            p_wr_tags(kw, flex);
        }
    }
    p_wr_tags(kw, flex);
}

int
p_stopreplica_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                          stopreplica_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->error_code = kread_i16(kr);
    resp->npartition_errors =
        p_rd_count(kr, flex, P_STRMIN(flex) + 4 + 2 + P_TAGMIN(flex));
    resp->partition_errors =
        p_alloc(ar, resp->npartition_errors, sizeof(*resp->partition_errors));
    for (int32_t i = 0; i < resp->npartition_errors; i++) {
        stopreplica_partition_error_t *e = &resp->partition_errors[i];

        e->topic_name = p_rd_str(kr, flex);
        e->partition_index = kread_i32(kr);
        e->error_code = kread_i16(kr);
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_stopreplica_resp_encode(kwrite_t *kw, int16_t version,
                          const stopreplica_resp_t *resp)
{
    bool flex = FLEX(version);

    kwrite_i16(kw, resp->error_code);
    p_wr_count(kw, resp->npartition_errors, flex, false);
    for (int32_t i = 0; i < resp->npartition_errors; i++) {
        const stopreplica_partition_error_t *e = &resp->partition_errors[i];

        p_wr_str(kw, e->topic_name, flex);
        kwrite_i32(kw, e->partition_index);
        kwrite_i16(kw, e->error_code);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}
