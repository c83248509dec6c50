/*
 * test_ctl_reassign.c: the pure parts of partition reassignment
 * (ctl_reassign.c, KIP-455 replica sets and completion) and the
 * AlterPartitionReassignments / ListPartitionReassignments codecs
 * (p_reassignments.c).
 */
#include <string.h>

#include "../../src/controller/ctl_int.h"
#include "samsa/err.h"
#include "samsa/kerr.h"
#include "samsa/p_reassignments.h"
#include "unit.h"

#define EQ_INTS(got, n, ...)                                                   \
    do {                                                                       \
        static const int32_t want_[] = {__VA_ARGS__};                          \
        CU_ASSERT_EQUAL_FATAL((n), (int32_t)(sizeof(want_) / 4));              \
        CU_ASSERT_EQUAL(memcmp((got), want_, sizeof(want_)), 0);               \
    } while (0)

/* Kafka's ReplicaAssignment.fromOriginalAndTarget: target first */
static void
test_plan_moves_rf1_to_another_broker(void)
{
    int32_t o[] = {1}, t[] = {2}, full[2], add[2], rem[2], nf, na, nr;

    ctl_reassign_plan(o, 1, t, 1, full, &nf, add, &na, rem, &nr);
    EQ_INTS(full, nf, 2, 1);
    EQ_INTS(add, na, 2);
    EQ_INTS(rem, nr, 1);
}

static void
test_plan_expansion_adds_without_removing(void)
{
    int32_t o[] = {1, 2}, t[] = {1, 2, 3}, full[5], add[5], rem[5], nf, na, nr;

    ctl_reassign_plan(o, 2, t, 3, full, &nf, add, &na, rem, &nr);
    EQ_INTS(full, nf, 1, 2, 3);
    EQ_INTS(add, na, 3);
    CU_ASSERT_EQUAL(nr, 0);
}

static void
test_plan_reorder_only_changes_nothing_but_order(void)
{
    int32_t o[] = {1, 2, 3}, t[] = {3, 1, 2}, full[6], add[6], rem[6], nf, na,
            nr;

    ctl_reassign_plan(o, 3, t, 3, full, &nf, add, &na, rem, &nr);
    EQ_INTS(full, nf, 3, 1, 2);
    CU_ASSERT_EQUAL(na, 0);
    CU_ASSERT_EQUAL(nr, 0);
}

static void
test_cancel_returns_to_original_and_target_drops_removing(void)
{
    int32_t full[] = {4, 5, 1, 2}, add[] = {4, 5}, rem[] = {1, 2}, out[4], n;

    ctl_reassign_original(full, 4, add, 2, out, &n);
    EQ_INTS(out, n, 1, 2);
    ctl_reassign_target(full, 4, rem, 2, out, &n);
    EQ_INTS(out, n, 4, 5);
}

static void
test_caught_up_needs_every_target_replica_in_isr(void)
{
    int32_t t[] = {2, 3}, isr1[] = {1, 2}, isr2[] = {3, 1, 2};

    CU_ASSERT_FALSE(ctl_reassign_caught_up(t, 2, isr1, 2));
    CU_ASSERT_TRUE(ctl_reassign_caught_up(t, 2, isr2, 3));
    CU_ASSERT_FALSE(ctl_reassign_caught_up(t, 0, isr2, 3));
}

static void
test_finish_keeps_leader_in_target_else_elects_from_it(void)
{
    int32_t t[] = {2, 3}, isr[] = {1, 2, 3}, nisr, out[3], l;
    bool el[] = {true, true}, el2[] = {false, true};

    /* the leader 1 leaves: the first eligible target ISR member leads */
    CU_ASSERT_EQUAL(ctl_reassign_finish(t, 2, el, isr, 3, 1, &l, out, &nisr),
                    KERR_NONE);
    CU_ASSERT_EQUAL(l, 2);
    EQ_INTS(out, nisr, 2, 3);
    /* the leader 3 stays */
    CU_ASSERT_EQUAL(ctl_reassign_finish(t, 2, el, isr, 3, 3, &l, out, &nisr),
                    KERR_NONE);
    CU_ASSERT_EQUAL(l, 3);
    /* 2 cannot lead (shutting down): 3 */
    CU_ASSERT_EQUAL(ctl_reassign_finish(t, 2, el2, isr, 3, 1, &l, out, &nisr),
                    KERR_NONE);
    CU_ASSERT_EQUAL(l, 3);
}

static void
test_check_refuses_empty_duplicate_and_unknown_brokers(void)
{
    int32_t ok[] = {1, 2}, dup[] = {1, 1}, neg[] = {-1}, brokers[] = {1, 2};
    int32_t unknown[] = {1, 7};

    CU_ASSERT_EQUAL(ctl_reassign_check(ok, 2, brokers, 2), KERR_NONE);
    CU_ASSERT_EQUAL(ctl_reassign_check(ok, 0, brokers, 2),
                    KERR_INVALID_REPLICA_ASSIGNMENT);
    CU_ASSERT_EQUAL(ctl_reassign_check(dup, 2, brokers, 2),
                    KERR_INVALID_REPLICA_ASSIGNMENT);
    CU_ASSERT_EQUAL(ctl_reassign_check(neg, 1, NULL, 0),
                    KERR_INVALID_REPLICA_ASSIGNMENT);
    CU_ASSERT_EQUAL(ctl_reassign_check(unknown, 2, brokers, 2),
                    KERR_INVALID_REPLICA_ASSIGNMENT);
}

/* AlterPartitionReassignments v0 (flexible): timeout, one topic "t" with
 * partition 0 -> [2] and partition 1 cancelled (null replicas) */
static void
test_apr_v0_request_bytes_with_a_cancel(void)
{
    static const uint8_t want[] = {
        0x00, 0x00, 0x75, 0x30,       /* timeout 30000 */
        0x02,                         /* one topic (compact: n + 1) */
        0x02, 't',                    /* "t" */
        0x03,                         /* two partitions */
        0x00, 0x00, 0x00, 0x00,       /* partition 0 */
        0x02, 0x00, 0x00, 0x00, 0x02, /* replicas [2] */
        0x00,                         /* tags */
        0x00, 0x00, 0x00, 0x01,       /* partition 1 */
        0x00,                         /* replicas null */
        0x00,                         /* tags */
        0x00,                         /* topic tags */
        0x00,                         /* request tags */
    };
    int32_t r0[] = {2};
    apr_req_partition_t ps[2] = {{0, 1, r0}, {1, -1, NULL}};
    apr_req_topic_t t = {{"t", 1}, 2, ps};
    apr_req_t req = {30000, 1, &t}, got;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;

    kwrite_init(&kw);
    p_apr_req_encode(&kw, 0, &req);
    CU_ASSERT_EQUAL_FATAL(kw.buf.len, sizeof(want));
    CU_ASSERT_EQUAL(memcmp(kw.buf.data, want, sizeof(want)), 0);
    arena_init(&ar);
    kread_init(&kr, want, sizeof(want));
    CU_ASSERT_EQUAL_FATAL(p_apr_req_decode(&kr, 0, &ar, &got), 0);
    CU_ASSERT_EQUAL_FATAL(got.ntopics, 1);
    CU_ASSERT_EQUAL_FATAL(got.topics[0].npartitions, 2);
    CU_ASSERT_EQUAL(got.topics[0].partitions[0].nreplicas, 1);
    CU_ASSERT_EQUAL(got.topics[0].partitions[0].replicas[0], 2);
    CU_ASSERT_EQUAL(got.topics[0].partitions[1].nreplicas, -1);
    for (size_t cut = 0; cut < sizeof(want); cut++) {
        kread_init(&kr, want, cut);
        CU_ASSERT_EQUAL(p_apr_req_decode(&kr, 0, &ar, &got), ERR_PROTO);
    }
    arena_fini(&ar);
    kwrite_fini(&kw);
}

static void
test_reassignment_responses_round_trip(void)
{
    apr_resp_partition_t ap[1] = {
        {3, KERR_NO_REASSIGNMENT_IN_PROGRESS, {"none", 4}}};
    apr_resp_topic_t at = {{"orders", 6}, 1, ap};
    apr_resp_t aresp = {0, KERR_NONE, {NULL, -1}, 1, &at}, agot;
    int32_t reps[] = {1, 2, 3}, add[] = {3}, rem[] = {1};
    lpr_resp_partition_t lp = {0, 3, reps, 1, add, 1, rem};
    lpr_resp_topic_t lt = {{"orders", 6}, 1, &lp};
    lpr_resp_t lresp = {0, KERR_NONE, {NULL, -1}, 1, &lt}, lgot;
    lpr_req_t lreq = {1000, -1, NULL}, lrgot;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;

    arena_init(&ar);
    kwrite_init(&kw);
    p_apr_resp_encode(&kw, 0, &aresp);
    kread_init(&kr, kw.buf.data, kw.buf.len);
    CU_ASSERT_EQUAL_FATAL(p_apr_resp_decode(&kr, 0, &ar, &agot), 0);
    CU_ASSERT_EQUAL(agot.error_message.len, -1);
    CU_ASSERT_EQUAL_FATAL(agot.nresponses, 1);
    CU_ASSERT_EQUAL(agot.responses[0].partitions[0].error_code,
                    KERR_NO_REASSIGNMENT_IN_PROGRESS);
    CU_ASSERT_EQUAL(kread_left(&kr), 0);
    kwrite_fini(&kw);

    kwrite_init(&kw);
    p_lpr_req_encode(&kw, 0, &lreq);
    kread_init(&kr, kw.buf.data, kw.buf.len);
    CU_ASSERT_EQUAL_FATAL(p_lpr_req_decode(&kr, 0, &ar, &lrgot), 0);
    CU_ASSERT_EQUAL(lrgot.ntopics, -1);
    CU_ASSERT_EQUAL(lrgot.timeout_ms, 1000);
    kwrite_fini(&kw);

    kwrite_init(&kw);
    p_lpr_resp_encode(&kw, 0, &lresp);
    kread_init(&kr, kw.buf.data, kw.buf.len);
    CU_ASSERT_EQUAL_FATAL(p_lpr_resp_decode(&kr, 0, &ar, &lgot), 0);
    CU_ASSERT_EQUAL_FATAL(lgot.ntopics, 1);
    CU_ASSERT(kstr_eq(lgot.topics[0].name, "orders"));
    CU_ASSERT_EQUAL(lgot.topics[0].partitions[0].nreplicas, 3);
    CU_ASSERT_EQUAL(lgot.topics[0].partitions[0].adding_replicas[0], 3);
    CU_ASSERT_EQUAL(lgot.topics[0].partitions[0].removing_replicas[0], 1);
    CU_ASSERT_EQUAL(kread_left(&kr), 0);
    for (size_t cut = 0; cut < kw.buf.len; cut++) {
        kread_init(&kr, kw.buf.data, cut);
        CU_ASSERT_EQUAL(p_lpr_resp_decode(&kr, 0, &ar, &lgot), ERR_PROTO);
    }
    kwrite_fini(&kw);
    arena_fini(&ar);
}

void
suite_ctl_reassign(void)
{
    CU_pSuite s = unit_suite("ctl_reassign");

    UNIT_TEST(s, test_plan_moves_rf1_to_another_broker);
    UNIT_TEST(s, test_plan_expansion_adds_without_removing);
    UNIT_TEST(s, test_plan_reorder_only_changes_nothing_but_order);
    UNIT_TEST(s, test_cancel_returns_to_original_and_target_drops_removing);
    UNIT_TEST(s, test_caught_up_needs_every_target_replica_in_isr);
    UNIT_TEST(s, test_finish_keeps_leader_in_target_else_elects_from_it);
    UNIT_TEST(s, test_check_refuses_empty_duplicate_and_unknown_brokers);
    UNIT_TEST(s, test_apr_v0_request_bytes_with_a_cancel);
    UNIT_TEST(s, test_reassignment_responses_round_trip);
}
