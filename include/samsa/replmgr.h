/*
 * replmgr: the replica manager (DESIGN §6 Replication; KIP-101, KIP-279,
 * KIP-320, KIP-595's fetch-time divergence check).
 *
 * Owns, per partition this broker replicates: the role (leader or
 * follower), leader epoch, replicas and ISR as the controller last sent
 * them; on a leader, each follower's log end and log start offsets from
 * its fetches, the high watermark (min LEO over the ISR) and the low
 * watermark (min log start over the live replicas); the leader-epoch cache
 * (epoch_cache.h); on a follower, the replica fetcher threads
 * (num.replica.fetchers per leader) that truncate by OffsetForLeaderEpoch
 * and then fetch; on a leader, the ISR thread (alterisr.c) that proposes
 * ISR shrinks and expansions to the controller with AlterIsr (KIP-497).
 * Does not own: the logs (logmgr/plog), committing ISR changes (the
 * controller writes them; the leader applies the committed ISR from the
 * AlterIsr answer or the next LeaderAndIsr), the purgatory (the broker,
 * told through on_change). Replication invariants: top of replmgr.c.
 *
 * Thread safety: every function is thread-safe. replmgr_become/stop run on
 * the ctl thread, the leader calls on IO loops, the fetchers and the ISR
 * thread on their own threads. on_change is called with no replmgr lock
 * held, from any of them.
 */
#ifndef SAMSA_REPLMGR_H
#define SAMSA_REPLMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samsa/ctl.h"
#include "samsa/epoch_cache.h"
#include "samsa/metacache.h"
#include "samsa/plog.h"
#include "samsa/throttle.h"

typedef struct replmgr replmgr_t;

typedef struct replmgr_config {
    int32_t broker_id;
    int32_t num_replica_fetchers;     /* num.replica.fetchers, 1 */
    int32_t fetch_max_bytes;          /* replica.fetch.max.bytes, 1 MiB */
    int32_t fetch_response_max_bytes; /* replica.fetch.response.max.bytes */
    int32_t fetch_wait_max_ms;        /* replica.fetch.wait.max.ms, 500 */
    int32_t fetch_min_bytes;          /* replica.fetch.min.bytes, 1 */
    int32_t socket_timeout_ms;        /* replica.socket.timeout.ms, 30000 */
    int32_t fetch_backoff_ms;         /* replica.fetch.backoff.ms, 1000 */
    int64_t replica_lag_time_max_ms;  /* replica.lag.time.max.ms, 30000 */
    /* follower.replication.throttled.rate (KIP-73): partitions that
     * follower.replication.throttled.replicas names for broker_id are
     * left out of fetches while it is exceeded and they lag; NULL: no
     * throttling. The caller's; it must outlive the replica manager */
    throttle_t *follower_quota;
    /* run the ISR thread (shrink/expand through AlterIsr to the
     * controller found in the metadata cache); false: the ISR changes
     * only by LeaderAndIsr (unit tests without a cluster) */
    bool alter_isr;
    /* a partition's high watermark, ISR or role changed, or a follower
     * reported another log start offset: requests parked on it should
     * look again (NULL: nobody to tell) */
    void (*on_change)(const char *topic, int32_t partition, void *ud);
    /* this broker's epoch for AlterIsr (NULL or <= 0: not sent, -1) */
    int64_t (*broker_epoch)(void *ud);
    void *ud;
} replmgr_config_t;

/* Kafka 2.8's defaults; broker_id and on_change are left to the caller */
void replmgr_config_defaults(replmgr_config_t *cfg);

/* copies @cfg; no thread starts before the first follower partition */
replmgr_t *replmgr_new(const replmgr_config_t *cfg);
/* stops the fetchers (interrupting their requests) and frees; NULL ok */
void replmgr_free(replmgr_t *rm);

/*
 * Applies one LeaderAndIsr partition state for the log @plog (referenced
 * while the partition is known). A state older than the current leader
 * epoch is refused (ERR_STATE). Becoming leader records the epoch's start
 * (the LEO) in the epoch cache, stops fetching and resets the followers'
 * state; becoming follower (or a new epoch) truncates by
 * OffsetForLeaderEpoch and then fetches from ps->leader. The same epoch
 * again only updates the ISR and replicas. 0, ERR_STATE or ERR_IO/
 * ERR_CORRUPT (the epoch checkpoint cannot be read).
 */
int replmgr_become(replmgr_t *rm, const ctl_partition_state_t *ps,
                   plog_t *plog);
/* forgets a partition (StopReplica): stops fetching it, drops the log */
void replmgr_stop(replmgr_t *rm, const char *topic, int32_t partition);

/* what this broker is for a partition */
typedef enum replmgr_role {
    REPLMGR_UNKNOWN = 0, /* never told (no LeaderAndIsr) */
    REPLMGR_LEADER,
    REPLMGR_FOLLOWER,
} replmgr_role_t;

/* role, and the leader epoch and ISR size when known (either may be NULL) */
replmgr_role_t replmgr_role(replmgr_t *rm, const char *topic, int32_t len,
                            int32_t partition, int32_t *leader_epoch,
                            int32_t *nisr);

/*
 * Kafka's leader epoch check for a request naming @current_leader_epoch
 * (-1: none): KERR_NONE, KERR_FENCED_LEADER_EPOCH (older),
 * KERR_UNKNOWN_LEADER_EPOCH (newer).
 */
int16_t replmgr_check_epoch(int32_t current_leader_epoch, int32_t leader_epoch);

/*
 * The leader's append (Kafka's appendRecordsToLeader), under the
 * partition's lock so no role change interleaves: refuses with
 * KERR_NOT_LEADER_OR_FOLLOWER unless leader, KERR_NOT_ENOUGH_REPLICAS when
 * @min_isr > 0 (acks=all) and the ISR is smaller; else plog_append with
 * the current epoch, the epoch cache, and the high watermark (at once when
 * the ISR is this broker alone). A storage failure is
 * KERR_KAFKA_STORAGE_ERROR with the ERR_* code in *@rc. Fills @info.
 */
int16_t replmgr_append_leader(replmgr_t *rm, const char *topic, int32_t len,
                              int32_t partition, uint8_t *batches, size_t blen,
                              int32_t min_isr, plog_append_info_t *info,
                              int *rc);

/*
 * acks=all: has the ISR got everything below @required_offset? Returns
 * KERR_NONE (yes, with at least @min_isr in sync),
 * KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND (yes, but the ISR shrank below
 * @min_isr), KERR_NOT_LEADER_OR_FOLLOWER (no longer leader), or -1 (not
 * yet).
 */
int replmgr_acks_check(replmgr_t *rm, const char *topic, int32_t len,
                       int32_t partition, int64_t required_offset,
                       int32_t min_isr);

/*
 * The leader's side of a follower's fetch (replica id @replica_id at
 * @fetch_offset, with its log start @log_start_offset, Fetch v5+, and
 * @last_fetched_epoch from Fetch v12, -1 otherwise): checks the epoch,
 * then the divergence (KIP-595: when the follower's last epoch ends
 * before @fetch_offset here, *@div_epoch and *@div_end_offset say where,
 * and nothing is read or recorded), else records the follower's LEO,
 * which may advance the high watermark, and its log start (R11).
 * on_change is called when either the high watermark or the log start
 * moved. Returns a Kafka error code; KERR_NONE with *@div_epoch = -1 when
 * there is no divergence.
 */
int16_t replmgr_follower_fetch(replmgr_t *rm, const char *topic, int32_t len,
                               int32_t partition, int32_t replica_id,
                               int32_t current_leader_epoch,
                               int64_t fetch_offset, int64_t log_start_offset,
                               int32_t last_fetched_epoch, int32_t *div_epoch,
                               int64_t *div_end_offset);

/*
 * DeleteRecords on the leader (Kafka 2.8's Partition.deleteRecordsOnLeader),
 * under the partition's lock so no role change interleaves: refuses with
 * KERR_NOT_LEADER_OR_FOLLOWER unless leader; @offset -1 means the high
 * watermark, another negative one or one above the high watermark is
 * KERR_OFFSET_OUT_OF_RANGE; else raises the leader's log start offset to
 * it (plog_delete_records; a lower offset leaves it). Sets *@required to
 * the offset the low watermark must reach (Kafka's requestedOffset) and
 * *@low_watermark to the low watermark now (R11, @alive as for
 * replmgr_low_watermark). Any thread.
 */
int16_t replmgr_delete_records(replmgr_t *rm, const char *topic, int32_t len,
                               int32_t partition, int64_t offset,
                               const mc_snapshot_t *alive, int64_t *required,
                               int64_t *low_watermark);

/*
 * The partition's low watermark (R11, Kafka's
 * Partition.lowWatermarkIfLeader): the least of the leader's log start
 * offset and the log start each follower whose broker is in @alive (the
 * current metadata: registered in ZooKeeper) reported in its last fetch
 * in this leader epoch; one that has not fetched yet counts as -1.
 * KERR_NONE with *@low_watermark set, KERR_NOT_LEADER_OR_FOLLOWER when a
 * follower here, KERR_UNKNOWN_TOPIC_OR_PARTITION when not replicated here
 * (stopped). Any thread.
 */
int16_t replmgr_low_watermark(replmgr_t *rm, const char *topic, int32_t len,
                              int32_t partition, const mc_snapshot_t *alive,
                              int64_t *low_watermark);

/*
 * Whether @replica_id is in the partition's ISR as committed (Kafka's
 * Partition.inSyncReplicaIds, used by the leader's replication throttle);
 * false when the partition is unknown.
 */
bool replmgr_in_isr(replmgr_t *rm, const char *topic, int32_t len,
                    int32_t partition, int32_t replica_id);

/*
 * OffsetForLeaderEpoch on the leader: the end offset of @leader_epoch and
 * the epoch it belongs to (epoch_cache_end_offset_for). KERR_NONE,
 * KERR_NOT_LEADER_OR_FOLLOWER, KERR_UNKNOWN_TOPIC_OR_PARTITION, or an
 * epoch error for @current_leader_epoch.
 */
int16_t replmgr_end_offset_for(replmgr_t *rm, const char *topic, int32_t len,
                               int32_t partition, int32_t current_leader_epoch,
                               int32_t leader_epoch, int32_t *out_epoch,
                               int64_t *out_end_offset);

/*
 * Pure logic, exposed for tests.
 *
 * replmgr_truncation_offset(): where a follower with cache @ec, log end
 * @leo and high watermark @hw truncates, given the leader's answer
 * (@leader_epoch, @leader_end) for its latest epoch (Kafka's
 * getOffsetTruncationState). *@done false: ask again with the new latest
 * epoch after truncating.
 */
int64_t replmgr_truncation_offset(epoch_cache_t *ec, int64_t leo, int64_t hw,
                                  int32_t leader_epoch, int64_t leader_end,
                                  bool *done);
/*
 * replmgr_compute_hw(): the high watermark a leader with log end @leo may
 * publish: min(@leo, the LEO of every other ISR member), where
 * @follower_leo[i] is the LEO of @isr[i] (-1 unknown, which holds it
 * back). Never below @old_hw (R3).
 */
int64_t replmgr_compute_hw(int32_t self, int64_t leo, int64_t old_hw,
                           const int32_t *isr, const int64_t *follower_leo,
                           int32_t nisr);

/* what a leader knows of one follower */
typedef struct replmgr_follower_state {
    int32_t id;
    int64_t leo;                   /* -1 until it fetches in this epoch */
    int64_t last_caught_up_ms;     /* Kafka's lastCaughtUpTimeMs */
    int64_t last_fetch_leader_leo; /* our LEO at its previous fetch */
    int64_t last_fetch_ms;         /* when that fetch came */
    int64_t log_start;             /* its log start offset, as @leo (R11) */
} replmgr_follower_state_t;

/*
 * replmgr_compute_low_watermark(): the low watermark of a leader whose
 * log starts at @log_start (R11): min(@log_start, the log_start of every
 * follower in @fol whose broker @alive lists).
 */
int64_t replmgr_compute_low_watermark(int64_t log_start,
                                      const replmgr_follower_state_t *fol,
                                      int32_t nfol, const mc_snapshot_t *alive);

/*
 * replmgr_isr_propose(): the ISR a leader (@self, log end @leo, high
 * watermark @hw, current epoch starting at @epoch_start) should ask for at
 * @now_ms (R9, Kafka 2.8's Partition.maybeShrinkIsr/maybeExpandIsr): an
 * ISR follower whose LEO is not the leader's and that has not caught up
 * for more than @lag_ms leaves; a follower outside the ISR whose LEO is
 * at least the high watermark and the epoch start joins. Writes the
 * proposal to @out (room for @nisr + @nfol + 1) and its size to *@nout;
 * true when it differs from @isr.
 */
bool replmgr_isr_propose(int32_t self, const int32_t *isr, int32_t nisr,
                         const replmgr_follower_state_t *fol, int32_t nfol,
                         int64_t leo, int64_t hw, int64_t epoch_start,
                         int64_t now_ms, int64_t lag_ms, int32_t *out,
                         int32_t *nout);
/*
 * replmgr_maximal_isr(): @isr followed by the members of @pending it
 * lacks (Kafka's maximal ISR while an AlterIsr is in flight, R10); @out
 * has room for @nisr + @npending. Returns the count.
 */
int32_t replmgr_maximal_isr(const int32_t *isr, int32_t nisr,
                            const int32_t *pending, int32_t npending,
                            int32_t *out);

#endif
