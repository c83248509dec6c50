/*
 * test_group.c: the group state machine (src/group/group.c) and the offset
 * store (src/group/offstore.c), without sockets or ZooKeeper: replies are
 * recorded by fake group_ops_t callbacks, time is passed in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/group.h"
#include "samsa/kerr.h"
#include "samsa/offstore.h"
#include "unit.h"

typedef struct reply {
    bool done;
    int16_t err;
    char member_id[128];
    int32_t generation;
    bool leader;
    int32_t nmembers;    /* join: members listed (leader only) */
    char assignment[32]; /* sync */
} reply_t;

static int changed_calls;

static void
fake_join_done(void *waiter, const group_t *g, const group_member_t *m,
               const char *member_id, int16_t err, void *ud)
{
    reply_t *r = waiter;

    (void)ud;
    r->done = true;
    r->err = err;
    snprintf(r->member_id, sizeof(r->member_id), "%s", member_id);
    r->generation = m ? g->generation_id : -1;
    r->leader = m && g->leader_id && strcmp(g->leader_id, m->member_id) == 0;
    r->nmembers = r->leader ? g->nmembers : 0;
}

static void
fake_sync_done(void *waiter, const group_t *g, const group_member_t *m,
               int16_t err, void *ud)
{
    reply_t *r = waiter;

    (void)g;
    (void)ud;
    r->done = true;
    r->err = err;
    r->assignment[0] = 0;
    if (m != NULL && m->assignment_len > 0)
        snprintf(r->assignment, sizeof(r->assignment), "%.*s",
                 (int)m->assignment_len, (const char *)m->assignment);
}

static void
fake_changed(group_t *g, void *ud)
{
    (void)g;
    (void)ud;
    changed_calls++;
}

static group_t *
new_group(int32_t delay, int32_t max_size)
{
    group_config_t gc = {delay, max_size, 1000, 600000};
    group_ops_t ops = {fake_join_done, fake_sync_done, fake_changed, NULL};

    return group_new("g", &gc, &ops, 0);
}

static kstr_t
S(const char *s)
{
    kstr_t k = {s, s ? (int32_t)strlen(s) : -1};
    return k;
}

static void
join(group_t *g, int16_t v, const char *member_id, const char *instance,
     const char *proto, reply_t *r, int64_t now)
{
    kstr_t names[2] = {S(proto), S("roundrobin")};
    kbytes_t mds[2] = {{(const uint8_t *)"md", 2}, {(const uint8_t *)"x", 1}};
    group_join_req_t req = {
        .version = v,
        .member_id = S(member_id),
        .group_instance_id = S(instance),
        .client_id = S("cli"),
        .client_host = "/127.0.0.1",
        .session_timeout_ms = 10000,
        .rebalance_timeout_ms = 30000,
        .protocol_type = S("consumer"),
        .nprotocols = 2,
        .protocol_names = names,
        .protocol_metadata = mds,
    };

    memset(r, 0, sizeof(*r));
    group_join(g, &req, r, now);
}

static void
sync_group(group_t *g, const char *member_id, int32_t gen, int n,
           const char **ids, const char **asg, reply_t *r, int64_t now)
{
    kstr_t mids[4];
    kbytes_t as[4];
    group_sync_req_t req = {
        .version = 3,
        .generation_id = gen,
        .member_id = S(member_id),
        .group_instance_id = S(NULL),
        .protocol_type = S(NULL),
        .protocol_name = S(NULL),
        .nassignments = n,
        .assign_members = mids,
        .assignments = as,
    };

    for (int i = 0; i < n; i++) {
        mids[i] = S(ids[i]);
        as[i].ptr = (const uint8_t *)asg[i];
        as[i].len = (int32_t)strlen(asg[i]);
    }
    memset(r, 0, sizeof(*r));
    group_sync(g, &req, r, now);
}

/* KIP-394, initial delay, leader, protocol, sync, Stable */
static void
test_group_two_members_join_sync_and_become_stable(void)
{
    group_t *g = new_group(3000, 100);
    reply_t r1, r2, s1, s2;
    char id1[128], id2[128];
    const char *ids[2], *asg[2] = {"A1", "A2"};

    join(g, 5, "", NULL, "range", &r1, 0);
    CU_ASSERT_TRUE(r1.done);
    CU_ASSERT_EQUAL(r1.err, KERR_MEMBER_ID_REQUIRED);
    CU_ASSERT(strncmp(r1.member_id, "cli-", 4) == 0);
    strcpy(id1, r1.member_id);
    join(g, 5, id1, NULL, "range", &r1, 10);
    CU_ASSERT_FALSE(r1.done); /* parked: initial delay */
    CU_ASSERT_EQUAL(g->state, GROUP_PREPARING_REBALANCE);
    join(g, 5, "", NULL, "range", &r2, 20);
    strcpy(id2, r2.member_id);
    join(g, 5, id2, NULL, "range", &r2, 30);
    CU_ASSERT_FALSE(r2.done);
    group_tick(g, 2000);
    CU_ASSERT_FALSE(r1.done);
    group_tick(g, 3100);
    CU_ASSERT_TRUE(r1.done && r2.done);
    CU_ASSERT_EQUAL(g->state, GROUP_COMPLETING_REBALANCE);
    CU_ASSERT_EQUAL(r1.generation, 1);
    CU_ASSERT_TRUE(r1.leader);
    CU_ASSERT_EQUAL(r1.nmembers, 2);
    CU_ASSERT_FALSE(r2.leader);
    CU_ASSERT_STRING_EQUAL(g->protocol_name, "range");
    sync_group(g, id2, 1, 0, NULL, NULL, &s2, 3200);
    CU_ASSERT_FALSE(s2.done); /* waits for the leader */
    ids[0] = id1;
    ids[1] = id2;
    sync_group(g, id1, 1, 2, ids, asg, &s1, 3300);
    CU_ASSERT_TRUE(s1.done && s2.done);
    CU_ASSERT_STRING_EQUAL(s1.assignment, "A1");
    CU_ASSERT_STRING_EQUAL(s2.assignment, "A2");
    CU_ASSERT_EQUAL(g->state, GROUP_STABLE);
    CU_ASSERT_EQUAL(group_heartbeat(g, 1, S(id2), S(NULL), 4000), KERR_NONE);
    CU_ASSERT_EQUAL(group_heartbeat(g, 0, S(id2), S(NULL), 4000),
                    KERR_ILLEGAL_GENERATION);
    CU_ASSERT_EQUAL(group_heartbeat(g, 1, S("nobody"), S(NULL), 4000),
                    KERR_UNKNOWN_MEMBER_ID);
    CU_ASSERT_EQUAL(group_commit_check(g, 1, S(id1), S(NULL), 4000), KERR_NONE);
    CU_ASSERT_EQUAL(group_commit_check(g, 0, S(id1), S(NULL), 4000),
                    KERR_ILLEGAL_GENERATION);
    group_shutdown(g, KERR_NOT_COORDINATOR);
    group_free(g);
}

/* a member that stops heartbeating is removed and the group rebalances */
static void
test_group_session_timeout_removes_member(void)
{
    group_t *g = new_group(0, 100);
    reply_t r1, r2, s;
    char id1[128], id2[128];

    join(g, 3, "", NULL, "range", &r1, 0); /* v3: no MEMBER_ID_REQUIRED */
    strcpy(id1, r1.member_id);
    CU_ASSERT_TRUE(r1.done);
    CU_ASSERT_EQUAL(r1.err, KERR_NONE);
    CU_ASSERT_EQUAL(r1.generation, 1);
    sync_group(g, id1, 1, 0, NULL, NULL, &s, 10);
    CU_ASSERT_EQUAL(g->state, GROUP_STABLE);
    join(g, 3, "", NULL, "range", &r2, 100);
    CU_ASSERT_FALSE(r2.done);
    CU_ASSERT_EQUAL(group_heartbeat(g, 1, S(id1), S(NULL), 200),
                    KERR_REBALANCE_IN_PROGRESS);
    join(g, 3, id1, NULL, "range", &r1, 300);
    CU_ASSERT_TRUE(r1.done && r2.done);
    CU_ASSERT_EQUAL(r2.generation, 2);
    strcpy(id2, r2.member_id);
    sync_group(g, id1, 2, 0, NULL, NULL, &s, 400);
    CU_ASSERT_EQUAL(g->state, GROUP_STABLE);
    /* id2 never heartbeats again; id1 does */
    for (int64_t t = 1000; t <= 12000; t += 1000)
        group_heartbeat(g, 2, S(id1), S(NULL), t);
    group_tick(g, 12000);
    CU_ASSERT_EQUAL(g->nmembers, 1);
    CU_ASSERT_EQUAL(g->state, GROUP_PREPARING_REBALANCE);
    join(g, 3, id1, NULL, "range", &r1, 12100);
    CU_ASSERT_TRUE(r1.done);
    CU_ASSERT_EQUAL(r1.generation, 3);
    group_shutdown(g, KERR_NOT_COORDINATOR);
    group_free(g);
}

static void
test_group_errors_max_size_protocol_fencing_and_leave(void)
{
    group_t *g = new_group(0, 1);
    reply_t r1, r2;
    char id1[128];
    kstr_t none = S(NULL);

    join(g, 5, "", "inst-1", "range", &r1, 0); /* static: no id round */
    CU_ASSERT_TRUE(r1.done);
    CU_ASSERT_EQUAL(r1.err, KERR_NONE);
    strcpy(id1, r1.member_id);
    CU_ASSERT(strncmp(id1, "inst-1-", 7) == 0);
    join(g, 5, "", NULL, "range", &r2, 10);
    CU_ASSERT_EQUAL(r2.err, KERR_GROUP_MAX_SIZE_REACHED);
    g->conf.max_size = 10;
    join(g, 5, "", NULL, "sticky", &r2, 10);
    /* "sticky"+"roundrobin": roundrobin is common, so it fits */
    CU_ASSERT_NOT_EQUAL(r2.err, KERR_INCONSISTENT_GROUP_PROTOCOL);
    CU_ASSERT_EQUAL(
        group_heartbeat(g, r1.generation, S("someone-else"), S("inst-1"), 20),
        KERR_FENCED_INSTANCE_ID);
    CU_ASSERT_EQUAL(group_leave(g, S("x"), S("inst-1"), 30),
                    KERR_FENCED_INSTANCE_ID);
    CU_ASSERT_EQUAL(group_leave(g, S(""), S("inst-1"), 30), KERR_NONE);
    CU_ASSERT_EQUAL(group_leave(g, S("nobody"), none, 30),
                    KERR_UNKNOWN_MEMBER_ID);
    group_shutdown(g, KERR_NOT_COORDINATOR);
    group_free(g);
}

/* KIP-345: a static member that restarts (no member id, same instance id)
 * while the group is Stable gets a new member id and its old assignment
 * without a rebalance; the old id is fenced; changed metadata rebalances */
static void
test_group_static_member_rejoins_stable_group_without_rebalance(void)
{
    group_t *g = new_group(0, 10);
    reply_t r1, r2, s1, s2, r3, s3;
    char id1[128], id2[128], id3[128];
    const char *ids[2], *asg[2] = {"A1", "A2"};

    join(g, 5, "", "inst-1", "range", &r1, 0);
    strcpy(id1, r1.member_id);
    CU_ASSERT_EQUAL(r1.err, KERR_NONE);
    CU_ASSERT_EQUAL(g->state, GROUP_COMPLETING_REBALANCE);
    sync_group(g, id1, 1, 1, (const char *[]){id1}, asg, &s1, 10);
    CU_ASSERT_EQUAL(g->state, GROUP_STABLE);
    join(g, 5, "", "inst-2", "range", &r2, 20);
    CU_ASSERT_FALSE(r2.done);
    join(g, 5, id1, "inst-1", "range", &r1, 30);
    CU_ASSERT_TRUE(r1.done && r2.done);
    strcpy(id2, r2.member_id);
    CU_ASSERT_EQUAL(r1.generation, 2);
    ids[0] = id1;
    ids[1] = id2;
    sync_group(g, id2, 2, 0, NULL, NULL, &s2, 40);
    sync_group(g, id1, 2, 2, ids, asg, &s1, 50);
    CU_ASSERT_EQUAL(g->state, GROUP_STABLE);
    CU_ASSERT_STRING_EQUAL(s2.assignment, "A2");
    changed_calls = 0;

    /* inst-2 restarts: new id, generation 2, no rebalance */
    join(g, 5, "", "inst-2", "range", &r3, 1000);
    CU_ASSERT_TRUE(r3.done);
    CU_ASSERT_EQUAL(r3.err, KERR_NONE);
    CU_ASSERT_EQUAL(r3.generation, 2);
    CU_ASSERT_FALSE(r3.leader);
    strcpy(id3, r3.member_id);
    CU_ASSERT_STRING_NOT_EQUAL(id3, id2);
    CU_ASSERT(strncmp(id3, "inst-2-", 7) == 0);
    CU_ASSERT_EQUAL(g->state, GROUP_STABLE);
    CU_ASSERT_EQUAL(g->generation_id, 2);
    CU_ASSERT_EQUAL(g->nmembers, 2);
    sync_group(g, id3, 2, 0, NULL, NULL, &s3, 1010);
    CU_ASSERT_TRUE(s3.done);
    CU_ASSERT_EQUAL(s3.err, KERR_NONE);
    CU_ASSERT_STRING_EQUAL(s3.assignment, "A2");
    CU_ASSERT_EQUAL(group_heartbeat(g, 2, S(id3), S("inst-2"), 1020),
                    KERR_NONE);
    CU_ASSERT_EQUAL(group_heartbeat(g, 2, S(id2), S("inst-2"), 1020),
                    KERR_FENCED_INSTANCE_ID);
    CU_ASSERT_EQUAL(group_commit_check(g, 2, S(id3), S("inst-2"), 1030),
                    KERR_NONE);
    CU_ASSERT_EQUAL(group_heartbeat(g, 2, S(id1), S("inst-1"), 1040),
                    KERR_NONE);

    /* the leader restarts: still no rebalance, and the answer does not
     * make it leader (it would compute an assignment nobody gets) */
    join(g, 5, "", "inst-1", "range", &r1, 2000);
    CU_ASSERT_TRUE(r1.done);
    CU_ASSERT_EQUAL(r1.err, KERR_NONE);
    CU_ASSERT_EQUAL(r1.generation, 2);
    CU_ASSERT_FALSE(r1.leader);
    CU_ASSERT_EQUAL(g->state, GROUP_STABLE);
    CU_ASSERT_STRING_EQUAL(g->leader_id, r1.member_id);
    strcpy(id1, r1.member_id);
    sync_group(g, id1, 2, 0, NULL, NULL, &s1, 2010);
    CU_ASSERT_STRING_EQUAL(s1.assignment, "A1");

    /* a restart with other protocols (subscription changed) rebalances */
    join(g, 5, "", "inst-2", "sticky", &r3, 3000);
    CU_ASSERT_FALSE(r3.done);
    CU_ASSERT_EQUAL(g->state, GROUP_PREPARING_REBALANCE);
    join(g, 5, id1, "inst-1", "range", &r1, 3010);
    CU_ASSERT_TRUE(r1.done && r3.done);
    CU_ASSERT_EQUAL(r3.generation, 3);
    group_shutdown(g, KERR_NOT_COORDINATOR);
    group_free(g);
}

static void
test_group_simple_consumer_commits_only_when_empty(void)
{
    group_t *g = new_group(0, 10);

    CU_ASSERT_EQUAL(group_commit_check(g, -1, S(""), S(NULL), 0), KERR_NONE);
    CU_ASSERT_EQUAL(group_commit_check(g, 3, S("m"), S(NULL), 0),
                    KERR_UNKNOWN_MEMBER_ID);
    group_free(g);
}

static void
test_offstore_json_round_trip(void)
{
    offstore_t os, back;
    offstore_group_info_t info = {7, "consumer", "range", 1700000000000LL};
    offstore_group_info_t got;
    offstore_entry_t *e;
    char err[128], *json;
    int64_t off;

    offstore_init(&os);
    offstore_init(&back);
    e = offstore_get(&os, "orders", 3);
    e->offset = 42;
    e->leader_epoch = 5;
    e->commit_timestamp = 123;
    offstore_set_metadata(e, "quote\" back\\slash \x01");
    e = offstore_get(&os, "clicks", 0);
    e->offset = 7;
    offstore_get(&os, "none", 1); /* offset -1: not written */
    json = offstore_json_encode(&info, &os);
    CU_ASSERT_EQUAL_FATAL(
        offstore_json_decode(json, strlen(json), &got, &back, err, sizeof(err)),
        0);
    CU_ASSERT_EQUAL(got.generation, 7);
    CU_ASSERT_STRING_EQUAL(got.protocol_type, "consumer");
    CU_ASSERT_STRING_EQUAL(got.protocol, "range");
    CU_ASSERT_EQUAL(got.state_timestamp, 1700000000000LL);
    CU_ASSERT_EQUAL(back.n, 2);
    e = offstore_find(&back, "orders", 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->leader_epoch, 5);
    CU_ASSERT_EQUAL(e->commit_timestamp, 123);
    CU_ASSERT_STRING_EQUAL(e->metadata, "quote\" back\\slash \x01");
    CU_ASSERT_PTR_NULL(offstore_find(&back, "clicks", 0)->metadata);
    offstore_group_info_fini(&got);
    CU_ASSERT_NOT_EQUAL(offstore_json_decode("{\"offsets\":[{]}", 15, &got,
                                             &back, err, sizeof(err)),
                        0);
    CU_ASSERT_EQUAL(offstore_parse_offset("12345", 5, &off), 0);
    CU_ASSERT_EQUAL(off, 12345);
    CU_ASSERT_NOT_EQUAL(offstore_parse_offset("12a", 3, &off), 0);
    free(json);
    offstore_group_info_fini(&got);
    offstore_fini(&os);
    offstore_fini(&back);
}

void
suite_group(void)
{
    CU_pSuite s = unit_suite("group");
    UNIT_TEST(s, test_group_two_members_join_sync_and_become_stable);
    UNIT_TEST(s, test_group_session_timeout_removes_member);
    UNIT_TEST(s, test_group_errors_max_size_protocol_fencing_and_leave);
    UNIT_TEST(s, test_group_simple_consumer_commits_only_when_empty);
    UNIT_TEST(s,
              test_group_static_member_rejoins_stable_group_without_rebalance);
    UNIT_TEST(s, test_offstore_json_round_trip);
}
