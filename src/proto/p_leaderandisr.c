/*
 * p_leaderandisr.c: LeaderAndIsr (key 4) v0-5 codec (see
 * p_leaderandisr.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 LeaderAndIsr*.json; v4+
 * flexible.
 */
#include "samsa/p_leaderandisr.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 4)
#define VMAX 5

/* smallest partition state: index, epochs, leader, two arrays, zk version */
static size_t
lai_state_min(int16_t v, bool flex)
{
    return (v <= 1 ? P_STRMIN(flex) : 0) + 4 * 4 + 2 * P_ARRMIN(flex) + 4 +
           (v >= 3 ? 2 * P_ARRMIN(flex) : 0) + (v >= 1 ? 1 : 0) +
           P_TAGMIN(flex);
}

static void
lai_state_decode(kread_t *kr, int16_t v, bool ungrouped, arena_t *ar,
                 leaderandisr_partition_state_t *ps)
{
    bool flex = FLEX(v);

    ps->topic_name = ungrouped ? p_rd_str(kr, flex) : p_str_null();
    ps->partition_index = kread_i32(kr);
    ps->controller_epoch = kread_i32(kr);
    ps->leader = kread_i32(kr);
    ps->leader_epoch = kread_i32(kr);
    ps->isr = p_rd_i32s(kr, flex, false, ar, &ps->nisr);
    ps->zk_version = kread_i32(kr);
    ps->replicas = p_rd_i32s(kr, flex, false, ar, &ps->nreplicas);
    if (v >= 3) {
        ps->adding_replicas =
            p_rd_i32s(kr, flex, false, ar, &ps->nadding_replicas);
        ps->removing_replicas =
            p_rd_i32s(kr, flex, false, ar, &ps->nremoving_replicas);
    }
    ps->is_new = v >= 1 ? kread_bool(kr) : false;
    p_rd_tags(kr, flex);
}

static void
lai_state_encode(kwrite_t *kw, int16_t v, bool ungrouped,
                 const leaderandisr_partition_state_t *ps)
{
    bool flex = FLEX(v);

    if (ungrouped)
        p_wr_str(kw, ps->topic_name, flex);
    kwrite_i32(kw, ps->partition_index);
    kwrite_i32(kw, ps->controller_epoch);
    kwrite_i32(kw, ps->leader);
    kwrite_i32(kw, ps->leader_epoch);
    p_wr_i32s(kw, ps->isr, ps->nisr, flex, false);
    kwrite_i32(kw, ps->zk_version);
    p_wr_i32s(kw, ps->replicas, ps->nreplicas, flex, false);
    if (v >= 3) {
        p_wr_i32s(kw, ps->adding_replicas, ps->nadding_replicas, flex, false);
        p_wr_i32s(kw, ps->removing_replicas, ps->nremoving_replicas, flex,
                  false);
    }
    if (v >= 1)
        kwrite_bool(kw, ps->is_new);
    p_wr_tags(kw, flex);
}

int
p_leaderandisr_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                          leaderandisr_req_t *req)
{
    bool flex = FLEX(version);
    size_t smin = lai_state_min(version, flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->controller_id = kread_i32(kr);
    req->controller_epoch = kread_i32(kr);
    req->broker_epoch = version >= 2 ? kread_i64(kr) : -1;
    req->type = version >= 5 ? kread_i8(kr) : 0;
    if (version <= 1) {
        req->nungrouped_partition_states = p_rd_count(kr, flex, smin);
        req->ungrouped_partition_states =
            p_alloc(ar, req->nungrouped_partition_states,
                    sizeof(*req->ungrouped_partition_states));
        for (int32_t i = 0; i < req->nungrouped_partition_states; i++)
            lai_state_decode(kr, version, true, ar,
                             &req->ungrouped_partition_states[i]);
    } else {
        req->ntopic_states =
            p_rd_count(kr, flex,
                       P_STRMIN(flex) + (version >= 5 ? 16 : 0) +
                           P_ARRMIN(flex) + P_TAGMIN(flex));
        req->topic_states =
            p_alloc(ar, req->ntopic_states, sizeof(*req->topic_states));
        for (int32_t i = 0; i < req->ntopic_states; i++) {
            leaderandisr_topic_state_t *t = &req->topic_states[i];

            t->topic_name = p_rd_str(kr, flex);
            if (version >= 5)
                kread_uuid(kr, t->topic_id);
            t->npartition_states = p_rd_count(kr, flex, smin);
            t->partition_states =
                p_alloc(ar, t->npartition_states, sizeof(*t->partition_states));
            for (int32_t p = 0; p < t->npartition_states; p++)
                lai_state_decode(kr, version, false, ar,
                                 &t->partition_states[p]);
            p_rd_tags(kr, flex);
        }
    }
    req->nlive_leaders =
        p_rd_count(kr, flex, 4 + P_STRMIN(flex) + 4 + P_TAGMIN(flex));
    req->live_leaders =
        p_alloc(ar, req->nlive_leaders, sizeof(*req->live_leaders));
    for (int32_t i = 0; i < req->nlive_leaders; i++) {
        leaderandisr_live_leader_t *l = &req->live_leaders[i];

        l->broker_id = kread_i32(kr);
        l->host_name = p_rd_str(kr, flex);
        l->port = kread_i32(kr);
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_leaderandisr_req_encode(kwrite_t *kw, int16_t version,
                          const leaderandisr_req_t *req)
{
    bool flex = FLEX(version);

    kwrite_i32(kw, req->controller_id);
    kwrite_i32(kw, req->controller_epoch);
    if (version >= 2)
        kwrite_i64(kw, req->broker_epoch);
    if (version >= 5)
        kwrite_i8(kw, req->type);
    if (version <= 1) {
        p_wr_count(kw, req->nungrouped_partition_states, flex, false);
        for (int32_t i = 0; i < req->nungrouped_partition_states; i++)
            lai_state_encode(kw, version, true,
                             &req->ungrouped_partition_states[i]);
    } else {
        p_wr_count(kw, req->ntopic_states, flex, false);
        for (int32_t i = 0; i < req->ntopic_states; i++) {
            const leaderandisr_topic_state_t *t = &req->topic_states[i];

            p_wr_str(kw, t->topic_name, flex);
            if (version >= 5)
                kwrite_uuid(kw, t->topic_id);
            p_wr_count(kw, t->npartition_states, flex, false);
            for (int32_t p = 0; p < t->npartition_states; p++)
                lai_state_encode(kw, version, false, &t->partition_states[p]);
            p_wr_tags(kw, flex);
        }
    }
    p_wr_count(kw, req->nlive_leaders, flex, false);
    for (int32_t i = 0; i < req->nlive_leaders; i++) {
        const leaderandisr_live_leader_t *l = &req->live_leaders[i];

        kwrite_i32(kw, l->broker_id);
        p_wr_str(kw, l->host_name, flex);
        kwrite_i32(kw, l->port);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}

static leaderandisr_partition_error_t *
lai_errors_decode(kread_t *kr, int16_t v, arena_t *ar, int32_t *n)
{
    bool flex = FLEX(v);
    leaderandisr_partition_error_t *e;

    *n = p_rd_count(kr, flex,
                    (v <= 4 ? P_STRMIN(flex) : 0) + 4 + 2 + P_TAGMIN(flex));
    e = p_alloc(ar, *n, sizeof(*e));
    for (int32_t i = 0; i < *n; i++) {
        e[i].topic_name = v <= 4 ? p_rd_str(kr, flex) : p_str_null();
        e[i].partition_index = kread_i32(kr);
        e[i].error_code = kread_i16(kr);
        p_rd_tags(kr, flex);
    }
    return e;
}

static void
lai_errors_encode(kwrite_t *kw, int16_t v,
                  const leaderandisr_partition_error_t *e, int32_t n)
{
    bool flex = FLEX(v);

    p_wr_count(kw, n, flex, false);
    for (int32_t i = 0; i < n; i++) {
        if (v <= 4)
            p_wr_str(kw, e[i].topic_name, flex);
        kwrite_i32(kw, e[i].partition_index);
        kwrite_i16(kw, e[i].error_code);
        p_wr_tags(kw, flex);
    }
}

int
p_leaderandisr_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                           leaderandisr_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->error_code = kread_i16(kr);
    if (version <= 4) {
        resp->partition_errors =
            lai_errors_decode(kr, version, ar, &resp->npartition_errors);
    } else {
        resp->ntopics =
            p_rd_count(kr, flex, 16 + P_ARRMIN(flex) + P_TAGMIN(flex));
        resp->topics = p_alloc(ar, resp->ntopics, sizeof(*resp->topics));
        for (int32_t i = 0; i < resp->ntopics; i++) {
            leaderandisr_resp_topic_t *t = &resp->topics[i];

            kread_uuid(kr, t->topic_id);
            t->partition_errors =
                lai_errors_decode(kr, version, ar, &t->npartition_errors);
            p_rd_tags(kr, flex);
        }
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_leaderandisr_resp_encode(kwrite_t *kw, int16_t version,
                           const leaderandisr_resp_t *resp)
{
    bool flex = FLEX(version);

    kwrite_i16(kw, resp->error_code);
    if (version <= 4) {
        lai_errors_encode(kw, version, resp->partition_errors,
                          resp->npartition_errors);
    } else {
        p_wr_count(kw, resp->ntopics, flex, false);
        for (int32_t i = 0; i < resp->ntopics; i++) {
            const leaderandisr_resp_topic_t *t = &resp->topics[i];

            kwrite_uuid(kw, t->topic_id);
            lai_errors_encode(kw, version, t->partition_errors,
                              t->npartition_errors);
            p_wr_tags(kw, flex);
        }
    }
    p_wr_tags(kw, flex);
}
