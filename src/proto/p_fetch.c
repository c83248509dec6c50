/*
 * p_fetch.c: Fetch (key 1) v4-12 codec (see p_fetch.h).
 *
 * Owns the body layout only; record data stays opaque bytes (or a file
 * range on encode, for sendfile). Spec: Kafka 2.8.0 Fetch*.json; v12+
 * flexible with tagged fields ClusterId (request, tag 0) and
 * DivergingEpoch/CurrentLeader/SnapshotId (response partition, tags 0-2).
 */
#include "samsa/p_fetch.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 12)
#define VMIN 4
#define VMAX 12

int
p_fetch_req_decode(kread_t *kr, int16_t version, arena_t *ar, fetch_req_t *req)
{
    bool flex = FLEX(version);
    size_t pmin = 4 + 8 + 4 + (version >= 9 ? 4 : 0) + (version >= 12 ? 4 : 0) +
                  (version >= 5 ? 8 : 0) + P_TAGMIN(flex);
    size_t tmin = P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < VMIN || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->cluster_id = p_str_null();
    req->replica_id = kread_i32(kr);
    req->max_wait_ms = kread_i32(kr);
    req->min_bytes = kread_i32(kr);
    req->max_bytes = kread_i32(kr);
    req->isolation_level = kread_i8(kr);
    req->session_id = version >= 7 ? kread_i32(kr) : 0;
    req->session_epoch = version >= 7 ? kread_i32(kr) : -1;
    req->ntopics = p_rd_count(kr, flex, tmin);
    req->topics = p_alloc(ar, req->ntopics, sizeof(*req->topics));
    for (int32_t i = 0; i < req->ntopics; i++) {
        fetch_req_topic_t *t = &req->topics[i];

        t->topic = p_rd_str(kr, flex);
        t->npartitions = p_rd_count(kr, flex, pmin);
        t->partitions = p_alloc(ar, t->npartitions, sizeof(*t->partitions));
        for (int32_t j = 0; j < t->npartitions; j++) {
            fetch_req_partition_t *p = &t->partitions[j];

            p->partition = kread_i32(kr);
            p->current_leader_epoch = version >= 9 ? kread_i32(kr) : -1;
            p->fetch_offset = kread_i64(kr);
            p->last_fetched_epoch = version >= 12 ? kread_i32(kr) : -1;
            p->log_start_offset = version >= 5 ? kread_i64(kr) : -1;
            p->partition_max_bytes = kread_i32(kr);
            p_rd_tags(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    if (version >= 7) {
        size_t fmin = P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex);

        req->nforgotten_topics_data = p_rd_count(kr, flex, fmin);
        req->forgotten_topics_data =
            p_alloc(ar, req->nforgotten_topics_data,
                    sizeof(*req->forgotten_topics_data));
        for (int32_t i = 0; i < req->nforgotten_topics_data; i++) {
            fetch_req_forgotten_t *f = &req->forgotten_topics_data[i];

            f->topic = p_rd_str(kr, flex);
            f->partitions = p_rd_i32s(kr, flex, false, ar, &f->npartitions);
            p_rd_tags(kr, flex);
        }
    }
    req->rack_id = version >= 11 ? p_rd_str(kr, flex) : p_str_empty();
    if (flex) {
        uint32_t ntags = kread_uvarint(kr);

        for (uint32_t i = 0; i < ntags && !kr->err; i++) {
            kread_t field;

            if (kread_tag(kr, &field) == 0) {
                req->cluster_id = kread_str(&field, true);
                if (field.err)
                    kread_fail(kr);
            }
        }
    }
    return kr->err ? ERR_PROTO : 0;
}

void
p_fetch_req_encode(kwrite_t *kw, int16_t version, const fetch_req_t *req)
{
    bool flex = FLEX(version);

    kwrite_i32(kw, req->replica_id);
    kwrite_i32(kw, req->max_wait_ms);
    kwrite_i32(kw, req->min_bytes);
    kwrite_i32(kw, req->max_bytes);
    kwrite_i8(kw, req->isolation_level);
    if (version >= 7) {
        kwrite_i32(kw, req->session_id);
        kwrite_i32(kw, req->session_epoch);
    }
    p_wr_count(kw, req->ntopics, flex, false);
    for (int32_t i = 0; i < req->ntopics; i++) {
        const fetch_req_topic_t *t = &req->topics[i];

        p_wr_str(kw, t->topic, flex);
        p_wr_count(kw, t->npartitions, flex, false);
        for (int32_t j = 0; j < t->npartitions; j++) {
            const fetch_req_partition_t *p = &t->partitions[j];

            kwrite_i32(kw, p->partition);
            if (version >= 9)
                kwrite_i32(kw, p->current_leader_epoch);
            kwrite_i64(kw, p->fetch_offset);
            if (version >= 12)
                kwrite_i32(kw, p->last_fetched_epoch);
            if (version >= 5)
                kwrite_i64(kw, p->log_start_offset);
            kwrite_i32(kw, p->partition_max_bytes);
            p_wr_tags(kw, flex);
        }
        p_wr_tags(kw, flex);
    }
    if (version >= 7) {
        p_wr_count(kw, req->nforgotten_topics_data, flex, false);
        for (int32_t i = 0; i < req->nforgotten_topics_data; i++) {
            const fetch_req_forgotten_t *f = &req->forgotten_topics_data[i];

            p_wr_str(kw, f->topic, flex);
            p_wr_i32s(kw, f->partitions, f->npartitions, flex, false);
            p_wr_tags(kw, flex);
        }
    }
    if (version >= 11)
        p_wr_str(kw, req->rack_id, flex);
    if (flex) {
        if (req->cluster_id.len >= 0) {
            kwrite_t field;

            kwrite_init(&field);
            kwrite_str(&field, req->cluster_id, true);
            kwrite_uvarint(kw, 1);
            p_wr_tag(kw, 0, &field);
            kwrite_fini(&field);
        } else {
            kwrite_tags_empty(kw);
        }
    }
}

void
p_fetch_resp_partition_init(fetch_resp_partition_t *part)
{
    memset(part, 0, sizeof(*part));
    part->last_stable_offset = -1;
    part->log_start_offset = -1;
    part->diverging_epoch.epoch = -1;
    part->diverging_epoch.end_offset = -1;
    part->current_leader.leader_id = -1;
    part->current_leader.leader_epoch = -1;
    part->snapshot_id.end_offset = -1;
    part->snapshot_id.epoch = -1;
    part->naborted_transactions = -1;
    part->preferred_read_replica = -1;
    part->records.ptr = NULL;
    part->records.len = -1;
    part->records_file.fd = -1;
}

/* the partition's tagged fields (v12+); each is a flexible struct */
static void
rd_partition_tags(kread_t *kr, fetch_resp_partition_t *p)
{
    uint32_t ntags = kread_uvarint(kr);

    for (uint32_t i = 0; i < ntags && !kr->err; i++) {
        kread_t f;

        switch (kread_tag(kr, &f)) {
        case 0:
            p->diverging_epoch.epoch = kread_i32(&f);
            p->diverging_epoch.end_offset = kread_i64(&f);
            kread_tags(&f);
            break;
        case 1:
            p->current_leader.leader_id = kread_i32(&f);
            p->current_leader.leader_epoch = kread_i32(&f);
            kread_tags(&f);
            break;
        case 2:
            p->snapshot_id.end_offset = kread_i64(&f);
            p->snapshot_id.epoch = kread_i32(&f);
            kread_tags(&f);
            break;
        default: break;
        }
        if (f.err)
            kread_fail(kr);
    }
}

static void
rd_partition(kread_t *kr, int16_t version, bool flex, arena_t *ar,
             fetch_resp_partition_t *p)
{
    p_fetch_resp_partition_init(p);
    p->partition_index = kread_i32(kr);
    p->error_code = kread_i16(kr);
    p->high_watermark = kread_i64(kr);
    p->last_stable_offset = kread_i64(kr);
    if (version >= 5)
        p->log_start_offset = kread_i64(kr);
    p->naborted_transactions = p_rd_ncount(kr, flex, 16 + P_TAGMIN(flex));
    p->aborted_transactions =
        p_alloc(ar, p->naborted_transactions, sizeof(*p->aborted_transactions));
    for (int32_t k = 0; k < p->naborted_transactions; k++) {
        p->aborted_transactions[k].producer_id = kread_i64(kr);
        p->aborted_transactions[k].first_offset = kread_i64(kr);
        p_rd_tags(kr, flex);
    }
    if (version >= 11)
        p->preferred_read_replica = kread_i32(kr);
    p->records = kread_bytes(kr, flex);
    if (flex)
        rd_partition_tags(kr, p);
}

int
p_fetch_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                    fetch_resp_t *resp)
{
    bool flex = FLEX(version);
    size_t pmin = 4 + 2 + 8 + 8 + (version >= 5 ? 8 : 0) + P_ARRMIN(flex) +
                  (version >= 11 ? 4 : 0) + P_ARRMIN(flex) + P_TAGMIN(flex);
    size_t tmin = P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < VMIN || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = kread_i32(kr);
    if (version >= 7) {
        resp->error_code = kread_i16(kr);
        resp->session_id = kread_i32(kr);
    }
    resp->nresponses = p_rd_count(kr, flex, tmin);
    resp->responses = p_alloc(ar, resp->nresponses, sizeof(*resp->responses));
    for (int32_t i = 0; i < resp->nresponses; i++) {
        fetch_resp_topic_t *t = &resp->responses[i];

        t->topic = p_rd_str(kr, flex);
        t->npartitions = p_rd_count(kr, flex, pmin);
        t->partitions = p_alloc(ar, t->npartitions, sizeof(*t->partitions));
        for (int32_t j = 0; j < t->npartitions; j++)
            rd_partition(kr, version, flex, ar, &t->partitions[j]);
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

static void
wr_partition_tags(kwrite_t *kw, const fetch_resp_partition_t *p)
{
    bool has0 =
        p->diverging_epoch.epoch != -1 || p->diverging_epoch.end_offset != -1;
    bool has1 = p->current_leader.leader_id != -1 ||
                p->current_leader.leader_epoch != -1;
    bool has2 = p->snapshot_id.end_offset != -1 || p->snapshot_id.epoch != -1;
    kwrite_t f;

    kwrite_uvarint(kw, (uint32_t)has0 + has1 + has2);
    kwrite_init(&f);
    if (has0) {
        kwrite_i32(&f, p->diverging_epoch.epoch);
        kwrite_i64(&f, p->diverging_epoch.end_offset);
        kwrite_tags_empty(&f);
        p_wr_tag(kw, 0, &f);
        kwrite_reset(&f);
    }
    if (has1) {
        kwrite_i32(&f, p->current_leader.leader_id);
        kwrite_i32(&f, p->current_leader.leader_epoch);
        kwrite_tags_empty(&f);
        p_wr_tag(kw, 1, &f);
        kwrite_reset(&f);
    }
    if (has2) {
        kwrite_i64(&f, p->snapshot_id.end_offset);
        kwrite_i32(&f, p->snapshot_id.epoch);
        kwrite_tags_empty(&f);
        p_wr_tag(kw, 2, &f);
    }
    kwrite_fini(&f);
}

static void
wr_records(kwrite_t *kw, bool flex, const fetch_resp_partition_t *p)
{
    if (p->records_file.fd >= 0) {
        int32_t len = (int32_t)p->records_file.len;

        if (flex)
            kwrite_uvarint(kw, (uint32_t)len + 1);
        else
            kwrite_i32(kw, len);
        kwrite_file(kw, &p->records_file);
    } else {
        p_wr_bytes(kw, p->records, flex);
    }
}

static void
wr_partition(kwrite_t *kw, int16_t version, bool flex,
             const fetch_resp_partition_t *p)
{
    kwrite_i32(kw, p->partition_index);
    kwrite_i16(kw, p->error_code);
    kwrite_i64(kw, p->high_watermark);
    kwrite_i64(kw, p->last_stable_offset);
    if (version >= 5)
        kwrite_i64(kw, p->log_start_offset);
    kwrite_array(kw, p->naborted_transactions, flex);
    for (int32_t k = 0; k < p->naborted_transactions; k++) {
        kwrite_i64(kw, p->aborted_transactions[k].producer_id);
        kwrite_i64(kw, p->aborted_transactions[k].first_offset);
        p_wr_tags(kw, flex);
    }
    if (version >= 11)
        kwrite_i32(kw, p->preferred_read_replica);
    wr_records(kw, flex, p);
    if (flex)
        wr_partition_tags(kw, p);
}

void
p_fetch_resp_encode(kwrite_t *kw, int16_t version, const fetch_resp_t *resp)
{
    bool flex = FLEX(version);

    kwrite_i32(kw, resp->throttle_time_ms);
    if (version >= 7) {
        kwrite_i16(kw, resp->error_code);
        kwrite_i32(kw, resp->session_id);
    }
    p_wr_count(kw, resp->nresponses, flex, false);
    for (int32_t i = 0; i < resp->nresponses; i++) {
        const fetch_resp_topic_t *t = &resp->responses[i];

        p_wr_str(kw, t->topic, flex);
        p_wr_count(kw, t->npartitions, flex, false);
        for (int32_t j = 0; j < t->npartitions; j++)
            wr_partition(kw, version, flex, &t->partitions[j]);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}
