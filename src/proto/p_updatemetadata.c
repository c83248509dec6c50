/*
 * p_updatemetadata.c: UpdateMetadata (key 6) v0-7 codec (see
 * p_updatemetadata.h), with samsa's topic-config tag.
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 UpdateMetadata*.json; v6+
 * flexible.
 */
#include "samsa/p_updatemetadata.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 6)
#define VMAX 7

static size_t
um_state_min(int16_t v, bool flex)
{
    return (v <= 4 ? P_STRMIN(flex) : 0) + 4 * 4 + 2 * P_ARRMIN(flex) + 4 +
           (v >= 4 ? P_ARRMIN(flex) : 0) + P_TAGMIN(flex);
}

static void
um_state_decode(kread_t *kr, int16_t v, bool ungrouped, arena_t *ar,
                updatemetadata_partition_state_t *ps)
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
    if (v >= 4)
        ps->offline_replicas =
            p_rd_i32s(kr, flex, false, ar, &ps->noffline_replicas);
    p_rd_tags(kr, flex);
}

static void
um_state_encode(kwrite_t *kw, int16_t v, bool ungrouped,
                const updatemetadata_partition_state_t *ps)
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
    if (v >= 4)
        p_wr_i32s(kw, ps->offline_replicas, ps->noffline_replicas, flex, false);
    p_wr_tags(kw, flex);
}

/* the topic state's tagged fields: samsa's configs, others skipped */
static void
um_topic_tags_decode(kread_t *kr, arena_t *ar, updatemetadata_topic_state_t *t)
{
    uint32_t n = kread_uvarint(kr);

    for (uint32_t i = 0; i < n && !kr->err; i++) {
        kread_t field;

        if (kread_tag(kr, &field) != UPDATEMETADATA_TAG_TOPIC_CONFIGS ||
            kr->err)
            continue;
        t->nconfigs = p_rd_count(&field, true, 2 + P_TAGMIN(true));
        t->configs = p_alloc(ar, t->nconfigs, sizeof(*t->configs));
        for (int32_t k = 0; k < t->nconfigs; k++) {
            t->configs[k].key = p_rd_str(&field, true);
            t->configs[k].value = p_rd_str(&field, true);
            p_rd_tags(&field, true);
        }
        if (field.err)
            kread_fail(kr);
    }
}

static void
um_topic_tags_encode(kwrite_t *kw, const updatemetadata_topic_state_t *t)
{
    kwrite_t f;

    if (t->nconfigs <= 0) {
        kwrite_tags_empty(kw);
        return;
    }
    kwrite_init(&f);
    p_wr_count(&f, t->nconfigs, true, false);
    for (int32_t k = 0; k < t->nconfigs; k++) {
        p_wr_str(&f, t->configs[k].key, true);
        p_wr_str(&f, t->configs[k].value, true);
        p_wr_tags(&f, true);
    }
    kwrite_uvarint(kw, 1);
    p_wr_tag(kw, UPDATEMETADATA_TAG_TOPIC_CONFIGS, &f);
    kwrite_fini(&f);
}

int
p_updatemetadata_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                            updatemetadata_req_t *req)
{
    bool flex = FLEX(version);
    size_t smin = um_state_min(version, flex);
    size_t bmin;

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->controller_id = kread_i32(kr);
    req->controller_epoch = kread_i32(kr);
    req->broker_epoch = version >= 5 ? kread_i64(kr) : -1;
    if (version <= 4) {
        req->nungrouped_partition_states = p_rd_count(kr, flex, smin);
        req->ungrouped_partition_states =
            p_alloc(ar, req->nungrouped_partition_states,
                    sizeof(*req->ungrouped_partition_states));
        for (int32_t i = 0; i < req->nungrouped_partition_states; i++)
            um_state_decode(kr, version, true, ar,
                            &req->ungrouped_partition_states[i]);
    } else {
        req->ntopic_states =
            p_rd_count(kr, flex,
                       P_STRMIN(flex) + (version >= 7 ? 16 : 0) +
                           P_ARRMIN(flex) + P_TAGMIN(flex));
        req->topic_states =
            p_alloc(ar, req->ntopic_states, sizeof(*req->topic_states));
        for (int32_t i = 0; i < req->ntopic_states; i++) {
            updatemetadata_topic_state_t *t = &req->topic_states[i];

            t->topic_name = p_rd_str(kr, flex);
            if (version >= 7)
                kread_uuid(kr, t->topic_id);
            t->npartition_states = p_rd_count(kr, flex, smin);
            t->partition_states =
                p_alloc(ar, t->npartition_states, sizeof(*t->partition_states));
            for (int32_t p = 0; p < t->npartition_states; p++)
                um_state_decode(kr, version, false, ar,
                                &t->partition_states[p]);
            if (flex)
                um_topic_tags_decode(kr, ar, t);
        }
    }
    bmin = 4 + (version == 0 ? P_STRMIN(flex) + 4 : P_ARRMIN(flex)) +
           (version >= 2 ? P_STRMIN(flex) : 0) + P_TAGMIN(flex);
    req->nlive_brokers = p_rd_count(kr, flex, bmin);
    req->live_brokers =
        p_alloc(ar, req->nlive_brokers, sizeof(*req->live_brokers));
    for (int32_t i = 0; i < req->nlive_brokers; i++) {
        updatemetadata_broker_t *b = &req->live_brokers[i];

        b->id = kread_i32(kr);
        b->v0_host = p_str_null();
        b->rack = p_str_null();
        if (version == 0) {
            b->v0_host = p_rd_str(kr, flex);
            b->v0_port = kread_i32(kr);
        } else {
            b->nendpoints = p_rd_count(kr, flex,
                                       4 + P_STRMIN(flex) +
                                           (version >= 3 ? P_STRMIN(flex) : 0) +
                                           2 + P_TAGMIN(flex));
            b->endpoints = p_alloc(ar, b->nendpoints, sizeof(*b->endpoints));
            for (int32_t e = 0; e < b->nendpoints; e++) {
                updatemetadata_endpoint_t *ep = &b->endpoints[e];

                ep->port = kread_i32(kr);
                ep->host = p_rd_str(kr, flex);
                ep->listener =
                    version >= 3 ? p_rd_str(kr, flex) : p_str_empty();
                ep->security_protocol = kread_i16(kr);
                p_rd_tags(kr, flex);
            }
        }
        if (version >= 2)
            b->rack = kread_str(kr, flex);
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_updatemetadata_req_encode(kwrite_t *kw, int16_t version,
                            const updatemetadata_req_t *req)
{
    bool flex = FLEX(version);

    kwrite_i32(kw, req->controller_id);
    kwrite_i32(kw, req->controller_epoch);
    if (version >= 5)
        kwrite_i64(kw, req->broker_epoch);
    if (version <= 4) {
        p_wr_count(kw, req->nungrouped_partition_states, flex, false);
        for (int32_t i = 0; i < req->nungrouped_partition_states; i++)
            um_state_encode(kw, version, true,
                            &req->ungrouped_partition_states[i]);
    } else {
        p_wr_count(kw, req->ntopic_states, flex, false);
        for (int32_t i = 0; i < req->ntopic_states; i++) {
            const updatemetadata_topic_state_t *t = &req->topic_states[i];

            p_wr_str(kw, t->topic_name, flex);
            if (version >= 7)
                kwrite_uuid(kw, t->topic_id);
            p_wr_count(kw, t->npartition_states, flex, false);
            for (int32_t p = 0; p < t->npartition_states; p++)
                um_state_encode(kw, version, false, &t->partition_states[p]);
            if (flex)
                um_topic_tags_encode(kw, t);
        }
    }
    p_wr_count(kw, req->nlive_brokers, flex, false);
    for (int32_t i = 0; i < req->nlive_brokers; i++) {
        const updatemetadata_broker_t *b = &req->live_brokers[i];

        kwrite_i32(kw, b->id);
        if (version == 0) {
            p_wr_str(kw, b->v0_host, flex);
            kwrite_i32(kw, b->v0_port);
        } else {
            p_wr_count(kw, b->nendpoints, flex, false);
            for (int32_t e = 0; e < b->nendpoints; e++) {
                const updatemetadata_endpoint_t *ep = &b->endpoints[e];

                kwrite_i32(kw, ep->port);
                p_wr_str(kw, ep->host, flex);
                if (version >= 3)
                    p_wr_str(kw, ep->listener, flex);
                kwrite_i16(kw, ep->security_protocol);
                p_wr_tags(kw, flex);
            }
        }
        if (version >= 2)
            kwrite_str(kw, b->rack, flex);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}

int
p_updatemetadata_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                             updatemetadata_resp_t *resp)
{
    (void)ar;
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->error_code = kread_i16(kr);
    p_rd_tags(kr, FLEX(version));
    return kr->err ? ERR_PROTO : 0;
}

void
p_updatemetadata_resp_encode(kwrite_t *kw, int16_t version,
                             const updatemetadata_resp_t *resp)
{
    kwrite_i16(kw, resp->error_code);
    p_wr_tags(kw, FLEX(version));
}
