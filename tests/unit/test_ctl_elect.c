/*
 * test_ctl_elect.c: the pure parts of leader election (ctl_elect.c: the
 * choice of a leader for preferred and unclean elections, the auto
 * rebalance trigger) and the ElectLeaders codec (p_electleaders.c).
 * Elections against a cluster: tests/integration/65-leader-election.sh.
 */
#include <string.h>

#include "../../src/controller/ctl_int.h"
#include "samsa/err.h"
#include "samsa/kerr.h"
#include "samsa/p_electleaders.h"
#include "unit.h"

static void
test_preferred_elects_first_replica_in_isr(void)
{
    int32_t reps[] = {1, 2, 3}, isr[] = {2, 3, 1}, nisr, out[4], leader;
    bool el[] = {true, true, true};

    CU_ASSERT_EQUAL(
        ctl_elect_choose(0, reps, 3, el, isr, 3, 2, &leader, out, &nisr),
        KERR_NONE);
    CU_ASSERT_EQUAL(leader, 1);
    CU_ASSERT_EQUAL(nisr, 3);
    CU_ASSERT_EQUAL(memcmp(out, isr, sizeof(isr)), 0);
}

static void
test_preferred_not_needed_when_it_leads(void)
{
    int32_t reps[] = {1, 2}, isr[] = {1, 2}, nisr, out[3], leader;
    bool el[] = {true, true};

    CU_ASSERT_EQUAL(
        ctl_elect_choose(0, reps, 2, el, isr, 2, 1, &leader, out, &nisr),
        KERR_ELECTION_NOT_NEEDED);
}

static void
test_preferred_unavailable_when_dead_or_out_of_isr(void)
{
    int32_t reps[] = {1, 2}, isr[] = {2}, isr2[] = {1, 2}, nisr, out[3], l;
    bool live[] = {true, true}, dead[] = {false, true};

    CU_ASSERT_EQUAL(
        ctl_elect_choose(0, reps, 2, live, isr, 1, 2, &l, out, &nisr),
        KERR_PREFERRED_LEADER_NOT_AVAILABLE);
    CU_ASSERT_EQUAL(
        ctl_elect_choose(0, reps, 2, dead, isr2, 2, 2, &l, out, &nisr),
        KERR_PREFERRED_LEADER_NOT_AVAILABLE);
}

static void
test_unclean_not_needed_with_live_leader(void)
{
    int32_t reps[] = {1, 2}, isr[] = {1}, nisr, out[2], l;
    bool el[] = {true, true};

    CU_ASSERT_EQUAL(ctl_elect_choose(1, reps, 2, el, isr, 1, 1, &l, out, &nisr),
                    KERR_ELECTION_NOT_NEEDED);
}

static void
test_unclean_prefers_isr_then_any_live_replica(void)
{
    int32_t reps[] = {1, 2, 3}, isr[] = {1}, isr2[] = {1, 3}, nisr, out[3], l;
    bool el[] = {false, true, true};

    /* ISR member 3 is live: a clean choice */
    CU_ASSERT_EQUAL(
        ctl_elect_choose(1, reps, 3, el, isr2, 2, -1, &l, out, &nisr),
        KERR_NONE);
    CU_ASSERT_EQUAL(l, 3);
    CU_ASSERT_EQUAL(nisr, 2);
    /* only 1 in the ISR and it is dead: the first live replica */
    CU_ASSERT_EQUAL(
        ctl_elect_choose(1, reps, 3, el, isr, 1, -1, &l, out, &nisr),
        KERR_NONE);
    CU_ASSERT_EQUAL(l, 2);
    CU_ASSERT_EQUAL(nisr, 1);
    CU_ASSERT_EQUAL(out[0], 2);
}

static void
test_unclean_fails_without_live_replicas(void)
{
    int32_t reps[] = {1, 2}, isr[] = {1}, nisr, out[2], l;
    bool el[] = {false, false};

    CU_ASSERT_EQUAL(ctl_elect_choose(1, reps, 2, el, isr, 1, 1, &l, out, &nisr),
                    KERR_ELIGIBLE_LEADERS_NOT_AVAILABLE);
    CU_ASSERT_EQUAL(l, -1);
}

static void
test_imbalance_trigger_is_strictly_above_percentage(void)
{
    CU_ASSERT_FALSE(ctl_elect_imbalanced(1, 10, 10)); /* 10%: not above */
    CU_ASSERT_TRUE(ctl_elect_imbalanced(2, 10, 10));
    CU_ASSERT_TRUE(ctl_elect_imbalanced(1, 1, 10));
    CU_ASSERT_FALSE(ctl_elect_imbalanced(0, 0, 10));
    CU_ASSERT_TRUE(ctl_elect_imbalanced(1, 100, 0));
}

/* kafka-leader-election --election-type preferred --topic t --partition 1
 * as Kafka 2.8's admin client encodes it (v1): type, topics, timeout */
static void
test_electleaders_v1_request_bytes(void)
{
    static const uint8_t want[] = {
        0x00,                   /* election type: preferred */
        0x00, 0x00, 0x00, 0x01, /* one topic */
        0x00, 0x01, 't',        /* "t" */
        0x00, 0x00, 0x00, 0x01, /* one partition */
        0x00, 0x00, 0x00, 0x01, /* 1 */
        0x00, 0x00, 0x75, 0x30, /* timeout 30000 */
    };
    int32_t parts[] = {1};
    electleaders_req_topic_t t = {{"t", 1}, 1, parts};
    electleaders_req_t req = {0, 1, &t, 30000}, got;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;

    kwrite_init(&kw);
    p_electleaders_req_encode(&kw, 1, &req);
    CU_ASSERT_EQUAL_FATAL(kw.buf.len, sizeof(want));
    CU_ASSERT_EQUAL(memcmp(kw.buf.data, want, sizeof(want)), 0);
    arena_init(&ar);
    kread_init(&kr, want, sizeof(want));
    CU_ASSERT_EQUAL_FATAL(p_electleaders_req_decode(&kr, 1, &ar, &got), 0);
    CU_ASSERT_EQUAL(got.ntopic_partitions, 1);
    CU_ASSERT(kstr_eq(got.topic_partitions[0].topic, "t"));
    CU_ASSERT_EQUAL(got.topic_partitions[0].partitions[0], 1);
    CU_ASSERT_EQUAL(got.timeout_ms, 30000);
    arena_fini(&ar);
    kwrite_fini(&kw);
}

static void
test_electleaders_every_version_round_trips(void)
{
    for (int16_t v = 0; v <= 2; v++) {
        electleaders_req_t req = {1, -1, NULL, 5000}, rq;
        electleaders_resp_partition_t ps[2] = {
            {0, KERR_NONE, {NULL, -1}},
            {3, KERR_ELECTION_NOT_NEEDED, {"no", 2}}};
        electleaders_resp_topic_t t = {{"orders", 6}, 2, ps};
        electleaders_resp_t resp = {7, KERR_NONE, 1, &t}, rs;
        kwrite_t kw;
        kread_t kr;
        arena_t ar;

        arena_init(&ar);
        kwrite_init(&kw);
        p_electleaders_req_encode(&kw, v, &req);
        kread_init(&kr, kw.buf.data, kw.buf.len);
        CU_ASSERT_EQUAL_FATAL(p_electleaders_req_decode(&kr, v, &ar, &rq), 0);
        CU_ASSERT_EQUAL(rq.election_type, v >= 1 ? 1 : 0);
        CU_ASSERT_EQUAL(rq.ntopic_partitions, -1);
        CU_ASSERT_EQUAL(rq.timeout_ms, 5000);
        CU_ASSERT_EQUAL(kread_left(&kr), 0);
        kwrite_fini(&kw);

        kwrite_init(&kw);
        p_electleaders_resp_encode(&kw, v, &resp);
        kread_init(&kr, kw.buf.data, kw.buf.len);
        CU_ASSERT_EQUAL_FATAL(p_electleaders_resp_decode(&kr, v, &ar, &rs), 0);
        CU_ASSERT_EQUAL(rs.throttle_time_ms, 7);
        CU_ASSERT_EQUAL_FATAL(rs.nreplica_election_results, 1);
        CU_ASSERT(kstr_eq(rs.replica_election_results[0].topic, "orders"));
        CU_ASSERT_EQUAL_FATAL(rs.replica_election_results[0].npartition_result,
                              2);
        CU_ASSERT_EQUAL(
            rs.replica_election_results[0].partition_result[1].partition_id, 3);
        CU_ASSERT_EQUAL(
            rs.replica_election_results[0].partition_result[1].error_code,
            KERR_ELECTION_NOT_NEEDED);
        CU_ASSERT_EQUAL(rs.replica_election_results[0]
                            .partition_result[0]
                            .error_message.len,
                        -1);
        CU_ASSERT_EQUAL(kread_left(&kr), 0);
        /* every truncation fails */
        for (size_t cut = 0; cut < kw.buf.len; cut++) {
            kread_init(&kr, kw.buf.data, cut);
            CU_ASSERT_EQUAL(p_electleaders_resp_decode(&kr, v, &ar, &rs),
                            ERR_PROTO);
        }
        kwrite_fini(&kw);
        arena_fini(&ar);
    }
}

void
suite_ctl_elect(void)
{
    CU_pSuite s = unit_suite("ctl_elect");

    UNIT_TEST(s, test_preferred_elects_first_replica_in_isr);
    UNIT_TEST(s, test_preferred_not_needed_when_it_leads);
    UNIT_TEST(s, test_preferred_unavailable_when_dead_or_out_of_isr);
    UNIT_TEST(s, test_unclean_not_needed_with_live_leader);
    UNIT_TEST(s, test_unclean_prefers_isr_then_any_live_replica);
    UNIT_TEST(s, test_unclean_fails_without_live_replicas);
    UNIT_TEST(s, test_imbalance_trigger_is_strictly_above_percentage);
    UNIT_TEST(s, test_electleaders_v1_request_bytes);
    UNIT_TEST(s, test_electleaders_every_version_round_trips);
}
