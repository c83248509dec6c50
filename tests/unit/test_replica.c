/*
 * test_replica.c: the leader-epoch cache (persist, reload, truncate), the
 * replica manager's rules (high watermark, truncation, roles, acks=all)
 * and the follower append of the partition log (plog I9), with the
 * OffsetForLeaderEpoch codec. Tests name the invariant they check
 * (replmgr.c R1-R11, plog.c I9), and the AlterIsr codec.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/batch.h"
#include "samsa/epoch_cache.h"
#include "samsa/err.h"
#include "samsa/kerr.h"
#include "samsa/kapi.h"
#include "samsa/metacache.h"
#include "samsa/p_alterisr.h"
#include "samsa/p_offsetforleaderepoch.h"
#include "samsa/plog.h"
#include "samsa/replmgr.h"
#include "unit.h"

static epoch_cache_t *
open_cache(const char *dir)
{
    char err[256];
    epoch_cache_t *ec = NULL;

    CU_ASSERT_EQUAL_FATAL(epoch_cache_open(&ec, dir, err, sizeof(err)), 0);
    return ec;
}

static void
test_epoch_cache_persists_and_reloads(void)
{
    char *dir = unit_tmpdir("epochs");
    epoch_cache_t *ec = open_cache(dir);
    epoch_entry_t e[4];

    CU_ASSERT_EQUAL(epoch_cache_latest_epoch(ec), EPOCH_UNDEFINED);
    CU_ASSERT_TRUE(epoch_cache_assign(ec, 0, 0));
    CU_ASSERT_FALSE(epoch_cache_assign(ec, 0, 10)); /* same epoch: no-op */
    CU_ASSERT_TRUE(epoch_cache_assign(ec, 2, 100));
    CU_ASSERT_FALSE(epoch_cache_assign(ec, 1, 150)); /* older epoch */
    CU_ASSERT_TRUE(epoch_cache_assign(ec, 5, 300));
    epoch_cache_free(ec);

    ec = open_cache(dir);
    CU_ASSERT_EQUAL_FATAL(epoch_cache_entries(ec, e, 4), 3);
    CU_ASSERT_EQUAL(e[0].epoch, 0);
    CU_ASSERT_EQUAL(e[1].epoch, 2);
    CU_ASSERT_EQUAL(e[1].start_offset, 100);
    CU_ASSERT_EQUAL(e[2].epoch, 5);
    CU_ASSERT_EQUAL(e[2].start_offset, 300);
    CU_ASSERT_EQUAL(epoch_cache_latest_epoch(ec), 5);
    CU_ASSERT_EQUAL(epoch_cache_start_offset(ec, 2), 100);
    /* a new epoch starting below a cached one replaces that tail */
    CU_ASSERT_TRUE(epoch_cache_assign(ec, 6, 200));
    CU_ASSERT_EQUAL(epoch_cache_entries(ec, e, 4), 3);
    CU_ASSERT_EQUAL(e[2].epoch, 6);
    CU_ASSERT_EQUAL(e[2].start_offset, 200);
    epoch_cache_free(ec);
    unit_rmtree(dir);
    free(dir);
}

static void
test_epoch_cache_rejects_a_corrupt_file(void)
{
    char *dir = unit_tmpdir("epochs");
    char path[4096], err[256];
    epoch_cache_t *ec = NULL;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, EPOCH_CACHE_FILE);
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("0\n2\n3 100\n1 200\n", f); /* epochs going down */
    fclose(f);
    CU_ASSERT_EQUAL(epoch_cache_open(&ec, dir, err, sizeof(err)), ERR_CORRUPT);
    unit_rmtree(dir);
    free(dir);
}

/* KIP-101/279 lookups, as Kafka's LeaderEpochFileCache.endOffsetFor */
static void
test_epoch_cache_end_offset_for(void)
{
    char *dir = unit_tmpdir("epochs");
    epoch_cache_t *ec = open_cache(dir);
    int32_t e;
    int64_t off;

    epoch_cache_end_offset_for(ec, 0, 10, &e, &off); /* empty */
    CU_ASSERT_EQUAL(e, EPOCH_UNDEFINED);
    CU_ASSERT_EQUAL(off, EPOCH_OFFSET_UNDEFINED);
    epoch_cache_assign(ec, 1, 0);
    epoch_cache_assign(ec, 3, 50);
    epoch_cache_assign(ec, 4, 80);
    epoch_cache_end_offset_for(ec, 4, 120, &e, &off); /* latest: the LEO */
    CU_ASSERT_EQUAL(e, 4);
    CU_ASSERT_EQUAL(off, 120);
    epoch_cache_end_offset_for(ec, 3, 120, &e, &off);
    CU_ASSERT_EQUAL(e, 3);
    CU_ASSERT_EQUAL(off, 80);
    epoch_cache_end_offset_for(ec, 2, 120, &e, &off); /* unknown: floor */
    CU_ASSERT_EQUAL(e, 1);
    CU_ASSERT_EQUAL(off, 50);
    epoch_cache_end_offset_for(ec, 0, 120, &e, &off); /* below all */
    CU_ASSERT_EQUAL(e, 0);
    CU_ASSERT_EQUAL(off, 0);
    epoch_cache_end_offset_for(ec, 9, 120, &e, &off); /* above all */
    CU_ASSERT_EQUAL(e, EPOCH_UNDEFINED);
    epoch_cache_end_offset_for(ec, EPOCH_UNDEFINED, 120, &e, &off);
    CU_ASSERT_EQUAL(off, EPOCH_OFFSET_UNDEFINED);
    epoch_cache_free(ec);
    unit_rmtree(dir);
    free(dir);
}

/* R7: truncation cuts the cache with the log, and it stays cut on disk */
static void
test_epoch_cache_truncates_from_end_and_start_R7(void)
{
    char *dir = unit_tmpdir("epochs");
    epoch_cache_t *ec = open_cache(dir);
    epoch_entry_t e[4];

    epoch_cache_assign(ec, 1, 0);
    epoch_cache_assign(ec, 3, 50);
    epoch_cache_assign(ec, 4, 80);
    epoch_cache_truncate_from_end(ec, 80);
    CU_ASSERT_EQUAL(epoch_cache_latest_epoch(ec), 3);
    epoch_cache_truncate_from_start(ec, 60);
    epoch_cache_free(ec);
    ec = open_cache(dir);
    CU_ASSERT_EQUAL_FATAL(epoch_cache_entries(ec, e, 4), 1);
    CU_ASSERT_EQUAL(e[0].epoch, 3);
    CU_ASSERT_EQUAL(e[0].start_offset, 60);
    epoch_cache_free(ec);
    unit_rmtree(dir);
    free(dir);
}

/* R3: min LEO over the ISR, forward only, unknown holds it */
static void
test_hw_is_min_leo_over_isr_and_only_moves_forward_R3(void)
{
    int32_t isr[3] = {1, 2, 3};
    int64_t leo[3] = {0, 7, 9};
    int32_t alone[1] = {1};

    CU_ASSERT_EQUAL(replmgr_compute_hw(1, 10, 0, isr, leo, 3), 7);
    CU_ASSERT_EQUAL(replmgr_compute_hw(1, 10, 8, isr, leo, 3), 8);
    leo[2] = -1; /* not fetched in this epoch yet */
    CU_ASSERT_EQUAL(replmgr_compute_hw(1, 10, 5, isr, leo, 3), 5);
    leo[2] = 20; /* a follower cannot be ahead of the leader's LEO */
    CU_ASSERT_EQUAL(replmgr_compute_hw(1, 10, 5, isr, leo, 3), 7);
    CU_ASSERT_EQUAL(replmgr_compute_hw(1, 10, 5, alone, leo, 1), 10);
}

/* R6: Kafka's getOffsetTruncationState */
static void
test_follower_truncation_offset_R6(void)
{
    char *dir = unit_tmpdir("epochs");
    epoch_cache_t *ec = open_cache(dir);
    bool done;

    epoch_cache_assign(ec, 0, 0);
    epoch_cache_assign(ec, 2, 100);
    /* the leader has our latest epoch and it ends at 150: keep to 150 */
    CU_ASSERT_EQUAL(replmgr_truncation_offset(ec, 180, 90, 2, 150, &done), 150);
    CU_ASSERT_TRUE(done);
    /* it ends beyond our log: nothing to cut */
    CU_ASSERT_EQUAL(replmgr_truncation_offset(ec, 180, 90, 2, 400, &done), 180);
    /* the leader never had epoch 2; its epoch 1 ends at 80: our epoch
     * <= 1 is 0, which ends at 100 here: cut to 80, ask again */
    CU_ASSERT_EQUAL(replmgr_truncation_offset(ec, 180, 90, 1, 80, &done), 80);
    CU_ASSERT_FALSE(done);
    /* the leader knows nothing: our high watermark */
    CU_ASSERT_EQUAL(replmgr_truncation_offset(ec, 180, 90, -1, -1, &done), 90);
    CU_ASSERT_TRUE(done);
    epoch_cache_free(ec);
    unit_rmtree(dir);
    free(dir);
}

/* ------------------------------------------------------------------ */
/* with a real log                                                     */

static size_t
make_batch(uint8_t *out, size_t cap, int n)
{
    batch_build_record_t recs[8];
    buf_t b = BUF_INIT;
    size_t len;

    memset(recs, 0, sizeof(recs));
    for (int i = 0; i < n; i++) {
        recs[i].value = (const uint8_t *)"v";
        recs[i].value_len = 1;
    }
    CU_ASSERT_EQUAL_FATAL(batch_build(&b, BATCH_CODEC_NONE, 0, recs, n), 0);
    len = b.len;
    CU_ASSERT_FATAL(len <= cap);
    memcpy(out, b.data, len);
    buf_fini(&b);
    return len;
}

static plog_t *
open_log(const char *dir)
{
    char err[256];
    log_config_t lc;
    plog_open_opts_t oo = {.clean = true, .log_start_offset = -1};
    plog_t *plog = NULL;

    log_config_defaults(&lc);
    CU_ASSERT_EQUAL_FATAL(
        plog_open(&plog, dir, "t", 0, &lc, &oo, err, sizeof(err)), 0);
    return plog;
}

/* I9: a follower keeps the leader's offsets and refuses a gap or overlap */
static void
test_plog_append_replica_keeps_offsets_I9(void)
{
    char *dir = unit_tmpdir("replica-log");
    plog_t *plog = open_log(dir);
    uint8_t a[512], bb[512];
    size_t alen = make_batch(a, sizeof(a), 3), blen;
    plog_append_info_t info;
    batch_hdr_t h;

    batch_set_base_offset(a, 0);
    batch_set_leader_epoch(a, 7);
    CU_ASSERT_EQUAL(plog_append_replica(plog, a, alen, &info), 0);
    CU_ASSERT_EQUAL(info.base_offset, 0);
    CU_ASSERT_EQUAL(info.last_offset, 2);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 3);
    CU_ASSERT_EQUAL(plog_high_watermark(plog), 0); /* not ours to move */
    batch_hdr_parse(a, alen, &h);
    CU_ASSERT_EQUAL(h.partition_leader_epoch, 7); /* kept */
    blen = make_batch(bb, sizeof(bb), 2);
    batch_set_base_offset(bb, 5); /* a gap */
    CU_ASSERT_EQUAL(plog_append_replica(plog, bb, blen, NULL), ERR_RANGE);
    batch_set_base_offset(bb, 2); /* an overlap */
    CU_ASSERT_EQUAL(plog_append_replica(plog, bb, blen, NULL), ERR_RANGE);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 3);
    batch_set_base_offset(bb, 3);
    CU_ASSERT_EQUAL(plog_append_replica(plog, bb, blen, NULL), 0);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 5);
    /* truncating fully restarts the log at a later offset */
    CU_ASSERT_EQUAL(plog_truncate_fully(plog, 40), 0);
    CU_ASSERT_EQUAL(plog_log_start_offset(plog), 40);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 40);
    batch_set_base_offset(bb, 40);
    CU_ASSERT_EQUAL(plog_append_replica(plog, bb, blen, NULL), 0);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 42);
    plog_close(plog);
    plog_unref(plog);
    unit_rmtree(dir);
    free(dir);
}

static int changes;

static void
count_change(const char *topic, int32_t partition, void *ud)
{
    (void)topic;
    (void)partition;
    (void)ud;
    changes++;
}

/* R1-R5 on one leader partition with two followers (no network) */
static void
test_leader_hw_follows_the_isr_and_acks_all_waits_R1_R5(void)
{
    char *dir = unit_tmpdir("replica-leader");
    plog_t *plog = open_log(dir);
    replmgr_config_t cfg;
    replmgr_t *rm;
    int32_t replicas[3] = {1, 2, 3};
    ctl_partition_state_t ps = {.topic = "t",
                                .partition = 0,
                                .leader = 1,
                                .leader_epoch = 4,
                                .nisr = 3,
                                .isr = replicas,
                                .nreplicas = 3,
                                .replicas = replicas};
    plog_append_info_t info;
    uint8_t a[512];
    size_t alen = make_batch(a, sizeof(a), 5);
    int32_t de, epoch;
    int64_t dend, end;
    int rc;

    replmgr_config_defaults(&cfg);
    cfg.broker_id = 1;
    cfg.on_change = count_change;
    rm = replmgr_new(&cfg);
    CU_ASSERT_EQUAL_FATAL(replmgr_become(rm, &ps, plog), 0);
    CU_ASSERT_EQUAL(replmgr_role(rm, "t", 1, 0, &epoch, NULL), REPLMGR_LEADER);
    CU_ASSERT_EQUAL(epoch, 4);
    /* min.insync.replicas 4 > ISR 3: refused before the append */
    CU_ASSERT_EQUAL(
        replmgr_append_leader(rm, "t", 1, 0, a, alen, 4, &info, &rc),
        KERR_NOT_ENOUGH_REPLICAS);
    CU_ASSERT_EQUAL(
        replmgr_append_leader(rm, "t", 1, 0, a, alen, 2, &info, &rc),
        KERR_NONE);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 5);
    CU_ASSERT_EQUAL(plog_high_watermark(plog), 0); /* R3: followers lag */
    CU_ASSERT_EQUAL(replmgr_acks_check(rm, "t", 1, 0, 5, 2), -1);
    /* the follower fetches: its LEO is the fetch offset (R4) */
    CU_ASSERT_EQUAL(
        replmgr_follower_fetch(rm, "t", 1, 0, 2, 4, 5, 0, 4, &de, &dend),
        KERR_NONE);
    CU_ASSERT_EQUAL(de, -1);
    CU_ASSERT_EQUAL(plog_high_watermark(plog), 0); /* broker 3 unknown */
    changes = 0;
    CU_ASSERT_EQUAL(
        replmgr_follower_fetch(rm, "t", 1, 0, 3, 4, 3, 0, -1, &de, &dend),
        KERR_NONE);
    CU_ASSERT_EQUAL(plog_high_watermark(plog), 3);
    CU_ASSERT_EQUAL(changes, 1); /* the purgatory is told */
    CU_ASSERT_EQUAL(
        replmgr_follower_fetch(rm, "t", 1, 0, 3, 4, 5, 0, -1, &de, &dend),
        KERR_NONE);
    CU_ASSERT_EQUAL(plog_high_watermark(plog), 5);
    CU_ASSERT_EQUAL(replmgr_acks_check(rm, "t", 1, 0, 5, 2), KERR_NONE);
    /* fencing (KIP-320) */
    CU_ASSERT_EQUAL(
        replmgr_follower_fetch(rm, "t", 1, 0, 3, 3, 5, 0, -1, &de, &dend),
        KERR_FENCED_LEADER_EPOCH);
    CU_ASSERT_EQUAL(
        replmgr_follower_fetch(rm, "t", 1, 0, 3, 5, 5, 0, -1, &de, &dend),
        KERR_UNKNOWN_LEADER_EPOCH);
    /* a follower whose last epoch 2 the leader never had: diverging,
     * ends where epoch 4 began (offset 0, R2) */
    CU_ASSERT_EQUAL(
        replmgr_follower_fetch(rm, "t", 1, 0, 2, 4, 5, 0, 2, &de, &dend),
        KERR_NONE);
    CU_ASSERT_EQUAL(de, 2);
    CU_ASSERT_EQUAL(dend, 0);
    /* OffsetForLeaderEpoch on the leader */
    CU_ASSERT_EQUAL(replmgr_end_offset_for(rm, "t", 1, 0, 4, 4, &epoch, &end),
                    KERR_NONE);
    CU_ASSERT_EQUAL(epoch, 4);
    CU_ASSERT_EQUAL(end, 5);
    /* the ISR shrinks to one below min.insync.replicas 2 (same epoch
     * bump as Kafka 2.8's controller): acks=all after the append */
    CU_ASSERT_EQUAL(
        replmgr_append_leader(rm, "t", 1, 0, a, alen, 1, &info, &rc),
        KERR_NONE);
    ps.leader_epoch = 5;
    ps.nisr = 1;
    CU_ASSERT_EQUAL(replmgr_become(rm, &ps, plog), 0);
    CU_ASSERT_EQUAL(plog_high_watermark(plog), 10); /* ISR = leader */
    CU_ASSERT_EQUAL(replmgr_acks_check(rm, "t", 1, 0, 10, 2),
                    KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    /* R1: an older epoch is refused */
    ps.leader_epoch = 3;
    CU_ASSERT_EQUAL(replmgr_become(rm, &ps, plog), ERR_STATE);
    /* losing the leadership */
    ps.leader_epoch = 6;
    ps.leader = -1;
    CU_ASSERT_EQUAL(replmgr_become(rm, &ps, plog), 0);
    CU_ASSERT_EQUAL(replmgr_acks_check(rm, "t", 1, 0, 10, 1),
                    KERR_NOT_LEADER_OR_FOLLOWER);
    CU_ASSERT_EQUAL(
        replmgr_append_leader(rm, "t", 1, 0, a, alen, 0, &info, &rc),
        KERR_NOT_LEADER_OR_FOLLOWER);
    replmgr_free(rm);
    plog_close(plog);
    plog_unref(plog);
    unit_rmtree(dir);
    free(dir);
}

/* R7: a leadership taken and lost without an append (the preferred
 * election of a SIGSTOPped broker) leaves no epoch at the LEO once a
 * follower; kept, it is the latest epoch every fetch reports, the new
 * leader never had it and answers a divergence at our LEO forever: the
 * follower never fetches again nor rejoins the ISR */
static void
test_follower_drops_an_empty_epoch_it_led_R7(void)
{
    char *dir = unit_tmpdir("replica-empty-epoch");
    plog_t *plog = open_log(dir);
    replmgr_config_t cfg;
    replmgr_t *rm;
    int32_t replicas[3] = {1, 2, 3};
    ctl_partition_state_t ps = {.topic = "t",
                                .partition = 0,
                                .leader = 1,
                                .leader_epoch = 2,
                                .nisr = 3,
                                .isr = replicas,
                                .nreplicas = 3,
                                .replicas = replicas};
    plog_append_info_t info;
    uint8_t a[512];
    size_t alen = make_batch(a, sizeof(a), 5);
    epoch_cache_t *ec;
    int32_t e;
    int64_t end;
    bool done;
    int rc;

    metacache_init(); /* the follower's fetcher looks its leader up */
    replmgr_config_defaults(&cfg);
    cfg.broker_id = 1;
    rm = replmgr_new(&cfg);
    CU_ASSERT_EQUAL_FATAL(replmgr_become(rm, &ps, plog), 0);
    CU_ASSERT_EQUAL(
        replmgr_append_leader(rm, "t", 1, 0, a, alen, 1, &info, &rc),
        KERR_NONE);
    /* leader at epoch 3, nothing appended: epoch 3 starts at the LEO */
    ps.leader_epoch = 3;
    CU_ASSERT_EQUAL_FATAL(replmgr_become(rm, &ps, plog), 0);
    ec = open_cache(plog_dir(plog));
    CU_ASSERT_EQUAL(epoch_cache_latest_epoch(ec), 3);
    epoch_cache_free(ec);
    /* follower of broker 2 at epoch 4: epoch 3 names no batch */
    ps.leader = 2;
    ps.leader_epoch = 4;
    CU_ASSERT_EQUAL_FATAL(replmgr_become(rm, &ps, plog), 0);
    ec = open_cache(plog_dir(plog));
    CU_ASSERT_EQUAL(epoch_cache_latest_epoch(ec), 2);
    /* so it fetches with epoch 2, which broker 2 (epochs 2 at 0, 4 at 5)
     * ends at 5, our LEO: no divergence, nothing to cut */
    epoch_cache_end_offset_for(ec, 2, plog_log_end_offset(plog), &e, &end);
    CU_ASSERT_EQUAL(e, 2);
    CU_ASSERT_EQUAL(end, 5);
    CU_ASSERT_EQUAL(replmgr_truncation_offset(ec, 5, 5, 2, 5, &done), 5);
    CU_ASSERT_TRUE(done);
    epoch_cache_free(ec);
    replmgr_free(rm);
    metacache_fini();
    plog_close(plog);
    plog_unref(plog);
    unit_rmtree(dir);
    free(dir);
}

/* ---- DeleteRecords: the low watermark (R11) ---- */

static void
test_low_watermark_is_min_log_start_over_live_replicas_R11(void)
{
    mc_broker_t all[3] = {{.id = 1}, {.id = 2}, {.id = 3}};
    mc_snapshot_t live = {.nbrokers = 3, .brokers = all};
    mc_snapshot_t two = {.nbrokers = 2, .brokers = all}; /* 3 is gone */
    replmgr_follower_state_t fol[2] = {{.id = 2, .log_start = 10},
                                       {.id = 3, .log_start = 5}};

    CU_ASSERT_EQUAL(replmgr_compute_low_watermark(20, fol, 2, &live), 5);
    /* a follower whose broker left the metadata holds nothing back */
    CU_ASSERT_EQUAL(replmgr_compute_low_watermark(20, fol, 2, &two), 10);
    /* the leader's own log start when it is the lowest, or alone */
    CU_ASSERT_EQUAL(replmgr_compute_low_watermark(3, fol, 2, &live), 3);
    CU_ASSERT_EQUAL(replmgr_compute_low_watermark(20, NULL, 0, &live), 20);
    /* a live follower that has not fetched in this epoch: -1 */
    fol[1].log_start = -1;
    CU_ASSERT_EQUAL(replmgr_compute_low_watermark(20, fol, 2, &live), -1);
    CU_ASSERT_EQUAL(replmgr_compute_low_watermark(20, fol, 2, &two), 10);
}

/* R11 through the replica manager: DeleteRecords raises the leader's
 * log start at once; the low watermark follows the followers' fetches */
static void
test_delete_records_low_watermark_follows_follower_fetches_R11(void)
{
    char *dir = unit_tmpdir("replica-delete-records");
    plog_t *plog = open_log(dir);
    replmgr_config_t cfg;
    replmgr_t *rm;
    int32_t replicas[3] = {1, 2, 3};
    ctl_partition_state_t ps = {.topic = "t",
                                .partition = 0,
                                .leader = 1,
                                .leader_epoch = 4,
                                .nisr = 3,
                                .isr = replicas,
                                .nreplicas = 3,
                                .replicas = replicas};
    mc_broker_t all[3] = {{.id = 1}, {.id = 2}, {.id = 3}};
    mc_snapshot_t live = {.nbrokers = 3, .brokers = all};
    mc_snapshot_t two = {.nbrokers = 2, .brokers = all};
    plog_append_info_t info;
    uint8_t a[512];
    size_t alen = make_batch(a, sizeof(a), 8);
    int64_t req, lw, dend;
    int32_t de;
    int rc;

    replmgr_config_defaults(&cfg);
    cfg.broker_id = 1;
    cfg.on_change = count_change;
    rm = replmgr_new(&cfg);
    CU_ASSERT_EQUAL_FATAL(replmgr_become(rm, &ps, plog), 0);
    CU_ASSERT_EQUAL(
        replmgr_append_leader(rm, "t", 1, 0, a, alen, 1, &info, &rc),
        KERR_NONE);
    /* nobody fetched in this epoch: the followers hold it at -1 */
    CU_ASSERT_EQUAL(replmgr_low_watermark(rm, "t", 1, 0, &live, &lw),
                    KERR_NONE);
    CU_ASSERT_EQUAL(lw, -1);
    CU_ASSERT_EQUAL(
        replmgr_follower_fetch(rm, "t", 1, 0, 2, 4, 8, 0, -1, &de, &dend),
        KERR_NONE);
    CU_ASSERT_EQUAL(
        replmgr_follower_fetch(rm, "t", 1, 0, 3, 4, 8, 0, -1, &de, &dend),
        KERR_NONE);
    CU_ASSERT_EQUAL(plog_high_watermark(plog), 8);
    CU_ASSERT_EQUAL(replmgr_low_watermark(rm, "t", 1, 0, &live, &lw),
                    KERR_NONE);
    CU_ASSERT_EQUAL(lw, 0);
    /* above the high watermark, or negative but not -1 */
    CU_ASSERT_EQUAL(replmgr_delete_records(rm, "t", 1, 0, 9, &live, &req, &lw),
                    KERR_OFFSET_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(replmgr_delete_records(rm, "t", 1, 0, -2, &live, &req, &lw),
                    KERR_OFFSET_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(plog_log_start_offset(plog), 0);
    /* the leader moves at once; the followers have not */
    CU_ASSERT_EQUAL(replmgr_delete_records(rm, "t", 1, 0, 3, &live, &req, &lw),
                    KERR_NONE);
    CU_ASSERT_EQUAL(req, 3);
    CU_ASSERT_EQUAL(lw, 0);
    CU_ASSERT_EQUAL(plog_log_start_offset(plog), 3);
    /* a follower reporting its new log start wakes the purgatory */
    changes = 0;
    CU_ASSERT_EQUAL(
        replmgr_follower_fetch(rm, "t", 1, 0, 2, 4, 8, 3, -1, &de, &dend),
        KERR_NONE);
    CU_ASSERT_EQUAL(changes, 1);
    CU_ASSERT_EQUAL(replmgr_low_watermark(rm, "t", 1, 0, &live, &lw),
                    KERR_NONE);
    CU_ASSERT_EQUAL(lw, 0); /* 3 still at 0 */
    /* the same log start again: nothing to tell */
    CU_ASSERT_EQUAL(
        replmgr_follower_fetch(rm, "t", 1, 0, 2, 4, 8, 3, -1, &de, &dend),
        KERR_NONE);
    CU_ASSERT_EQUAL(changes, 1);
    /* broker 3 left the metadata: it no longer counts */
    CU_ASSERT_EQUAL(replmgr_low_watermark(rm, "t", 1, 0, &two, &lw), KERR_NONE);
    CU_ASSERT_EQUAL(lw, 3);
    /* a diverging fetch records nothing (R4) */
    CU_ASSERT_EQUAL(
        replmgr_follower_fetch(rm, "t", 1, 0, 3, 4, 8, 3, 2, &de, &dend),
        KERR_NONE);
    CU_ASSERT_EQUAL(de, 2);
    CU_ASSERT_EQUAL(replmgr_low_watermark(rm, "t", 1, 0, &live, &lw),
                    KERR_NONE);
    CU_ASSERT_EQUAL(lw, 0);
    CU_ASSERT_EQUAL(
        replmgr_follower_fetch(rm, "t", 1, 0, 3, 4, 8, 3, -1, &de, &dend),
        KERR_NONE);
    CU_ASSERT_EQUAL(replmgr_low_watermark(rm, "t", 1, 0, &live, &lw),
                    KERR_NONE);
    CU_ASSERT_EQUAL(lw, 3);
    /* -1: the high watermark; a lower offset leaves the log start */
    CU_ASSERT_EQUAL(replmgr_delete_records(rm, "t", 1, 0, -1, &live, &req, &lw),
                    KERR_NONE);
    CU_ASSERT_EQUAL(req, 8);
    CU_ASSERT_EQUAL(lw, 3);
    CU_ASSERT_EQUAL(replmgr_delete_records(rm, "t", 1, 0, 2, &live, &req, &lw),
                    KERR_NONE);
    CU_ASSERT_EQUAL(req, 2);
    CU_ASSERT_EQUAL(plog_log_start_offset(plog), 8);
    /* the same epoch again keeps what the followers reported */
    CU_ASSERT_EQUAL(replmgr_become(rm, &ps, plog), 0);
    CU_ASSERT_EQUAL(replmgr_low_watermark(rm, "t", 1, 0, &live, &lw),
                    KERR_NONE);
    CU_ASSERT_EQUAL(lw, 3);
    /* a new epoch forgets it, as Kafka's makeLeader */
    ps.leader_epoch = 5;
    CU_ASSERT_EQUAL(replmgr_become(rm, &ps, plog), 0);
    CU_ASSERT_EQUAL(replmgr_low_watermark(rm, "t", 1, 0, &live, &lw),
                    KERR_NONE);
    CU_ASSERT_EQUAL(lw, -1);
    /* no longer the leader (DelayedDeleteRecords.tryComplete) */
    ps.leader_epoch = 6;
    ps.leader = -1;
    CU_ASSERT_EQUAL(replmgr_become(rm, &ps, plog), 0);
    CU_ASSERT_EQUAL(replmgr_low_watermark(rm, "t", 1, 0, &live, &lw),
                    KERR_NOT_LEADER_OR_FOLLOWER);
    CU_ASSERT_EQUAL(lw, -1);
    CU_ASSERT_EQUAL(replmgr_delete_records(rm, "t", 1, 0, 8, &live, &req, &lw),
                    KERR_NOT_LEADER_OR_FOLLOWER);
    /* no longer replicated here (StopReplica) */
    replmgr_stop(rm, "t", 0);
    CU_ASSERT_EQUAL(replmgr_low_watermark(rm, "t", 1, 0, &live, &lw),
                    KERR_UNKNOWN_TOPIC_OR_PARTITION);
    replmgr_free(rm);
    plog_close(plog);
    plog_unref(plog);
    unit_rmtree(dir);
    free(dir);
}

static void
test_offset_for_leader_epoch_codec_round_trips(void)
{
    ofle_req_partition_t rp = {
        .partition = 3, .current_leader_epoch = 7, .leader_epoch = 6};
    ofle_req_topic_t rt = {
        .topic = {"orders", 6}, .npartitions = 1, .partitions = &rp};
    ofle_req_t req = {.replica_id = 2, .ntopics = 1, .topics = &rt}, dreq;
    ofle_resp_partition_t sp = {
        .error_code = 0, .partition = 3, .leader_epoch = 6, .end_offset = 1234};
    ofle_resp_topic_t st = {
        .topic = {"orders", 6}, .npartitions = 1, .partitions = &sp};
    ofle_resp_t resp = {.throttle_time_ms = 0, .ntopics = 1, .topics = &st},
                dresp;

    for (int16_t v = 0; v <= 4; v++) {
        buf_t flat = BUF_INIT;
        kwrite_t kw;
        kread_t kr;
        arena_t ar;

        arena_init(&ar);
        kwrite_init(&kw);
        p_offsetforleaderepoch_req_encode(&kw, v, &req);
        CU_ASSERT_EQUAL_FATAL(kwrite_flatten(&kw, &flat), 0);
        kwrite_fini(&kw);
        kread_init(&kr, flat.data, flat.len);
        CU_ASSERT_EQUAL_FATAL(
            p_offsetforleaderepoch_req_decode(&kr, v, &ar, &dreq), 0);
        CU_ASSERT_EQUAL(dreq.replica_id, v >= 3 ? 2 : -2);
        CU_ASSERT_EQUAL_FATAL(dreq.ntopics, 1);
        CU_ASSERT_EQUAL(dreq.topics[0].partitions[0].current_leader_epoch,
                        v >= 2 ? 7 : -1);
        CU_ASSERT_EQUAL(dreq.topics[0].partitions[0].leader_epoch, 6);
        buf_reset(&flat);
        kwrite_init(&kw);
        p_offsetforleaderepoch_resp_encode(&kw, v, &resp);
        CU_ASSERT_EQUAL_FATAL(kwrite_flatten(&kw, &flat), 0);
        kwrite_fini(&kw);
        kread_init(&kr, flat.data, flat.len);
        CU_ASSERT_EQUAL_FATAL(
            p_offsetforleaderepoch_resp_decode(&kr, v, &ar, &dresp), 0);
        CU_ASSERT_EQUAL(dresp.topics[0].partitions[0].end_offset, 1234);
        CU_ASSERT_EQUAL(dresp.topics[0].partitions[0].leader_epoch,
                        v >= 1 ? 6 : -1);
        /* truncated input is refused, never overread */
        kread_init(&kr, flat.data, flat.len - 3);
        CU_ASSERT_EQUAL(p_offsetforleaderepoch_resp_decode(&kr, v, &ar, &dresp),
                        ERR_PROTO);
        buf_fini(&flat);
        arena_fini(&ar);
    }
}

/* ---- ISR changes through AlterIsr (R9, R10) ---- */

static bool
isr_is(const int32_t *got, int32_t n, const int32_t *want, int32_t nwant)
{
    return n == nwant && memcmp(got, want, sizeof(*got) * n) == 0;
}

static void
test_isr_shrink_proposes_dropping_a_follower_lagging_too_long_R9(void)
{
    int32_t isr[3] = {1, 2, 3}, out[8], n;
    replmgr_follower_state_t fol[2] = {{2, 10, 1000, -1, 0, 0},
                                       {3, 5, 1000, -1, 0, 0}};
    static const int32_t want[2] = {1, 2};

    /* 3 is behind but caught up 3000 ms ago: not past the lag yet */
    CU_ASSERT_FALSE(
        replmgr_isr_propose(1, isr, 3, fol, 2, 10, 5, 0, 4000, 3000, out, &n));
    CU_ASSERT_TRUE(isr_is(out, n, isr, 3));
    /* one more ms: 3 goes; 2 is at our LEO, so it stays however long */
    CU_ASSERT_TRUE(
        replmgr_isr_propose(1, isr, 3, fol, 2, 10, 5, 0, 4001, 3000, out, &n));
    CU_ASSERT_TRUE(isr_is(out, n, want, 2));
    /* the leader never drops itself, even alone */
    CU_ASSERT_FALSE(replmgr_isr_propose(1, isr, 1, NULL, 0, 10, 10, 0, 999999,
                                        3000, out, &n));
    CU_ASSERT_TRUE(n == 1 && out[0] == 1);
    /* a follower that never fetched this epoch leaves after the lag */
    fol[0].leo = -1;
    fol[1].last_caught_up_ms = 9000;
    CU_ASSERT_TRUE(
        replmgr_isr_propose(1, isr, 3, fol, 2, 10, 5, 0, 9000, 3000, out, &n));
    CU_ASSERT_TRUE(n == 2 && out[0] == 1 && out[1] == 3);
}

static void
test_isr_expand_proposes_a_follower_caught_up_in_this_epoch_R9(void)
{
    int32_t isr[2] = {1, 2}, out[8], n;
    replmgr_follower_state_t fol[2] = {{2, 20, 0, -1, 0, 0},
                                       {3, 7, 0, -1, 0, 0}};
    static const int32_t want[3] = {1, 2, 3};

    /* 3 below the high watermark: stays out */
    CU_ASSERT_FALSE(
        replmgr_isr_propose(1, isr, 2, fol, 2, 20, 8, 5, 0, 3000, out, &n));
    CU_ASSERT_TRUE(isr_is(out, n, isr, 2));
    /* at the high watermark, past the epoch start: joins */
    fol[1].leo = 8;
    CU_ASSERT_TRUE(
        replmgr_isr_propose(1, isr, 2, fol, 2, 20, 8, 5, 0, 3000, out, &n));
    CU_ASSERT_TRUE(isr_is(out, n, want, 3));
    /* at the high watermark but before this epoch's start: not yet */
    CU_ASSERT_FALSE(
        replmgr_isr_propose(1, isr, 2, fol, 2, 20, 8, 12, 0, 3000, out, &n));
    /* never fetched in this epoch */
    fol[1].leo = -1;
    CU_ASSERT_FALSE(
        replmgr_isr_propose(1, isr, 2, fol, 2, 20, 0, 0, 0, 3000, out, &n));
}

static void
test_maximal_isr_counts_additions_at_once_and_removals_when_committed_R10(void)
{
    int32_t cur[3] = {1, 2, 3}, shrink[2] = {1, 2}, out[8], n;
    int32_t two[2] = {1, 2}, expand[3] = {1, 2, 3};
    int64_t leos[3] = {0, 50, 30};

    /* a shrink in flight: the maximal ISR is still the current one, so
     * the lagging 3 still holds the high watermark */
    n = replmgr_maximal_isr(cur, 3, shrink, 2, out);
    CU_ASSERT_TRUE(isr_is(out, n, cur, 3));
    CU_ASSERT_EQUAL(replmgr_compute_hw(1, 50, 10, out, leos, n), 30);
    /* once committed (ISR {1, 2}), the high watermark moves */
    CU_ASSERT_EQUAL(replmgr_compute_hw(1, 50, 30, shrink, leos, 2), 50);
    /* an expansion in flight counts at once */
    n = replmgr_maximal_isr(two, 2, expand, 3, out);
    CU_ASSERT_TRUE(isr_is(out, n, expand, 3));
    /* nothing in flight */
    n = replmgr_maximal_isr(two, 2, NULL, 0, out);
    CU_ASSERT_TRUE(isr_is(out, n, two, 2));
}

static void
test_alter_isr_codec_round_trips_and_rejects_truncation(void)
{
    int32_t isr[2] = {1, 3}, risr[3] = {1, 2, 3};
    alterisr_req_partition_t rp = {7, 12, 2, isr, 41};
    alterisr_req_topic_t rt = {{"orders", 6}, 1, &rp};
    alterisr_req_t req = {5, 0x500000001LL, 1, &rt}, dreq;
    alterisr_resp_partition_t sp[2] = {
        {7, 0, 5, 12, 3, risr, 42},
        {8, KERR_INVALID_UPDATE_VERSION, -1, -1, 0, NULL, -1}};
    alterisr_resp_topic_t st = {{"orders", 6}, 2, sp};
    alterisr_resp_t resp = {0, 0, 1, &st}, dresp;
    buf_t flat = BUF_INIT;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;

    arena_init(&ar);
    kwrite_init(&kw);
    p_alterisr_req_encode(&kw, 0, &req);
    CU_ASSERT_EQUAL_FATAL(kwrite_flatten(&kw, &flat), 0);
    kwrite_fini(&kw);
    kread_init(&kr, flat.data, flat.len);
    CU_ASSERT_EQUAL_FATAL(p_alterisr_req_decode(&kr, 0, &ar, &dreq), 0);
    CU_ASSERT_EQUAL(kread_left(&kr), 0);
    CU_ASSERT_EQUAL(dreq.broker_id, 5);
    CU_ASSERT_EQUAL(dreq.broker_epoch, 0x500000001LL);
    CU_ASSERT_EQUAL_FATAL(dreq.ntopics, 1);
    CU_ASSERT_EQUAL(dreq.topics[0].name.len, 6);
    CU_ASSERT_EQUAL_FATAL(dreq.topics[0].npartitions, 1);
    CU_ASSERT_EQUAL(dreq.topics[0].partitions[0].partition_index, 7);
    CU_ASSERT_EQUAL(dreq.topics[0].partitions[0].leader_epoch, 12);
    CU_ASSERT_EQUAL_FATAL(dreq.topics[0].partitions[0].nnew_isr, 2);
    CU_ASSERT_EQUAL(dreq.topics[0].partitions[0].new_isr[1], 3);
    CU_ASSERT_EQUAL(dreq.topics[0].partitions[0].current_isr_version, 41);
    for (size_t len = 0; len < flat.len; len++) {
        kread_init(&kr, flat.data, len);
        CU_ASSERT_EQUAL(p_alterisr_req_decode(&kr, 0, &ar, &dreq), ERR_PROTO);
    }
    kread_init(&kr, flat.data, flat.len);
    CU_ASSERT_EQUAL(p_alterisr_req_decode(&kr, 1, &ar, &dreq), ERR_PROTO);

    buf_reset(&flat);
    kwrite_init(&kw);
    p_alterisr_resp_encode(&kw, 0, &resp);
    CU_ASSERT_EQUAL_FATAL(kwrite_flatten(&kw, &flat), 0);
    kwrite_fini(&kw);
    kread_init(&kr, flat.data, flat.len);
    CU_ASSERT_EQUAL_FATAL(p_alterisr_resp_decode(&kr, 0, &ar, &dresp), 0);
    CU_ASSERT_EQUAL(kread_left(&kr), 0);
    CU_ASSERT_EQUAL_FATAL(dresp.ntopics, 1);
    CU_ASSERT_EQUAL_FATAL(dresp.topics[0].npartitions, 2);
    CU_ASSERT_EQUAL(dresp.topics[0].partitions[0].leader_id, 5);
    CU_ASSERT_EQUAL_FATAL(dresp.topics[0].partitions[0].nisr, 3);
    CU_ASSERT_EQUAL(dresp.topics[0].partitions[0].isr[2], 3);
    CU_ASSERT_EQUAL(dresp.topics[0].partitions[0].current_isr_version, 42);
    CU_ASSERT_EQUAL(dresp.topics[0].partitions[1].error_code,
                    KERR_INVALID_UPDATE_VERSION);
    CU_ASSERT_EQUAL(dresp.topics[0].partitions[1].nisr, 0);
    for (size_t len = 0; len < flat.len; len++) {
        kread_init(&kr, flat.data, len);
        CU_ASSERT_EQUAL(p_alterisr_resp_decode(&kr, 0, &ar, &dresp), ERR_PROTO);
    }
    /* flexible v0, as in Kafka 2.8 */
    CU_ASSERT_TRUE(kapi_flexible(API_ALTER_ISR, 0));
    buf_fini(&flat);
    arena_fini(&ar);
}

void
suite_replica(void)
{
    CU_pSuite s = unit_suite("replica");

    UNIT_TEST(s, test_epoch_cache_persists_and_reloads);
    UNIT_TEST(s, test_epoch_cache_rejects_a_corrupt_file);
    UNIT_TEST(s, test_epoch_cache_end_offset_for);
    UNIT_TEST(s, test_epoch_cache_truncates_from_end_and_start_R7);
    UNIT_TEST(s, test_hw_is_min_leo_over_isr_and_only_moves_forward_R3);
    UNIT_TEST(s, test_follower_truncation_offset_R6);
    UNIT_TEST(s, test_plog_append_replica_keeps_offsets_I9);
    UNIT_TEST(s, test_leader_hw_follows_the_isr_and_acks_all_waits_R1_R5);
    UNIT_TEST(s, test_follower_drops_an_empty_epoch_it_led_R7);
    UNIT_TEST(s, test_low_watermark_is_min_log_start_over_live_replicas_R11);
    UNIT_TEST(s,
              test_delete_records_low_watermark_follows_follower_fetches_R11);
    UNIT_TEST(s, test_offset_for_leader_epoch_codec_round_trips);
    UNIT_TEST(s,
              test_isr_shrink_proposes_dropping_a_follower_lagging_too_long_R9);
    UNIT_TEST(s,
              test_isr_expand_proposes_a_follower_caught_up_in_this_epoch_R9);
    UNIT_TEST(
        s,
        test_maximal_isr_counts_additions_at_once_and_removals_when_committed_R10);
    UNIT_TEST(s, test_alter_isr_codec_round_trips_and_rejects_truncation);
}
