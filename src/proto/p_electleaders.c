/*
 * p_electleaders.c: ElectLeaders (key 43) v0-2 codec (see
 * p_electleaders.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 ElectLeaders*.json;
 * flexible from v2.
 */
#include "samsa/p_electleaders.h"

#include "p_int.h"

#define VMAX 2
#define FLEX(v) ((v) >= 2)

#define REQ_TOPIC_MIN(f) (P_STRMIN(f) + P_ARRMIN(f) + P_TAGMIN(f))
#define RESP_PART_MIN(f) (4 + 2 + P_STRMIN(f) + P_TAGMIN(f))

int
p_electleaders_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                          electleaders_req_t *req)
{
    bool f = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->election_type = version >= 1 ? kread_i8(kr) : ELECTION_PREFERRED;
    req->ntopic_partitions = p_rd_ncount(kr, f, REQ_TOPIC_MIN(f));
    req->topic_partitions =
        p_alloc(ar, req->ntopic_partitions, sizeof(*req->topic_partitions));
    for (int32_t t = 0; t < req->ntopic_partitions && !kr->err; t++) {
        electleaders_req_topic_t *tp = &req->topic_partitions[t];

        tp->topic = p_rd_str(kr, f);
        tp->partitions = p_rd_i32s(kr, f, false, ar, &tp->npartitions);
        p_rd_tags(kr, f);
    }
    req->timeout_ms = kread_i32(kr);
    p_rd_tags(kr, f);
    return kr->err ? ERR_PROTO : 0;
}

void
p_electleaders_req_encode(kwrite_t *kw, int16_t version,
                          const electleaders_req_t *req)
{
    bool f = FLEX(version);

    if (version >= 1)
        kwrite_i8(kw, req->election_type);
    p_wr_count(kw, req->ntopic_partitions, f, true);
    for (int32_t t = 0; t < req->ntopic_partitions; t++) {
        const electleaders_req_topic_t *tp = &req->topic_partitions[t];

        p_wr_str(kw, tp->topic, f);
        p_wr_i32s(kw, tp->partitions, tp->npartitions, f, false);
        p_wr_tags(kw, f);
    }
    kwrite_i32(kw, req->timeout_ms);
    p_wr_tags(kw, f);
}

int
p_electleaders_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                           electleaders_resp_t *resp)
{
    bool f = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = kread_i32(kr);
    if (version >= 1)
        resp->error_code = kread_i16(kr);
    resp->nreplica_election_results = p_rd_count(kr, f, REQ_TOPIC_MIN(f));
    resp->replica_election_results =
        p_alloc(ar, resp->nreplica_election_results,
                sizeof(*resp->replica_election_results));
    for (int32_t t = 0; t < resp->nreplica_election_results && !kr->err; t++) {
        electleaders_resp_topic_t *tp = &resp->replica_election_results[t];

        tp->topic = p_rd_str(kr, f);
        tp->npartition_result = p_rd_count(kr, f, RESP_PART_MIN(f));
        tp->partition_result =
            p_alloc(ar, tp->npartition_result, sizeof(*tp->partition_result));
        for (int32_t p = 0; p < tp->npartition_result && !kr->err; p++) {
            electleaders_resp_partition_t *pp = &tp->partition_result[p];

            pp->partition_id = kread_i32(kr);
            pp->error_code = kread_i16(kr);
            pp->error_message = kread_str(kr, f);
            p_rd_tags(kr, f);
        }
        p_rd_tags(kr, f);
    }
    p_rd_tags(kr, f);
    return kr->err ? ERR_PROTO : 0;
}

void
p_electleaders_resp_encode(kwrite_t *kw, int16_t version,
                           const electleaders_resp_t *resp)
{
    bool f = FLEX(version);

    kwrite_i32(kw, resp->throttle_time_ms);
    if (version >= 1)
        kwrite_i16(kw, resp->error_code);
    p_wr_count(kw, resp->nreplica_election_results, f, false);
    for (int32_t t = 0; t < resp->nreplica_election_results; t++) {
        const electleaders_resp_topic_t *tp =
            &resp->replica_election_results[t];

        p_wr_str(kw, tp->topic, f);
        p_wr_count(kw, tp->npartition_result, f, false);
        for (int32_t p = 0; p < tp->npartition_result; p++) {
            const electleaders_resp_partition_t *pp = &tp->partition_result[p];

            kwrite_i32(kw, pp->partition_id);
            kwrite_i16(kw, pp->error_code);
            kwrite_str(kw, pp->error_message, f);
            p_wr_tags(kw, f);
        }
        p_wr_tags(kw, f);
    }
    p_wr_tags(kw, f);
}
