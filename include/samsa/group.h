/*
 * group: one consumer group's membership state machine (Kafka's classic
 * group protocol, as GroupCoordinator/GroupMetadata in Kafka 2.8).
 *
 * Pure logic: no sockets, no ZooKeeper, no clock reads. The coordinator
 * (coord.c) owns every group_t on its one thread, passes the time in, and
 * gets parked JoinGroup/SyncGroup replies back through group_ops_t. Spec:
 * Kafka protocol guide (JoinGroup, SyncGroup, Heartbeat, LeaveGroup),
 * KIP-394 (member id required, v4+), KIP-345 (static membership),
 * KIP-389 (group.max.size), KIP-134 (initial rebalance delay).
 *
 *                 join (first member)
 *     +-------+ ------------------------> +--------------------+
 *     | Empty |                           | PreparingRebalance | <--+
 *     +-------+ <------------------------ +--------------------+    |
 *       ^  |   join phase ends, 0 members   |   all joined / deadline |
 *       |  |                                v                        |
 *       |  |                        +---------------------+  member  |
 *       |  |                        | CompletingRebalance | -------->+
 *       |  |                        +---------------------+  joins,  |
 *       |  |                             | leader's SyncGroup leaves,|
 *       |  |                             v                  expires  |
 *       |  |                        +--------+ --------------------->+
 *       |  |                        | Stable |
 *       |  |  DeleteGroups /        +--------+
 *       |  v  coordinator moves
 *     +------+
 *     | Dead |   (any state -> Dead: group_shutdown)
 *     +------+
 *
 * Transitions (function):
 *   Empty -> PreparingRebalance            member joins (group_join)
 *   Stable/CompletingRebalance -> Preparing member joins with new protocols,
 *                                          leaves (group_leave) or its
 *                                          session expires (group_tick)
 *   PreparingRebalance -> CompletingRebalance  every member rejoined, or
 *                                          the rebalance deadline passed
 *                                          with members left (join_complete)
 *   PreparingRebalance -> Empty            deadline passed, nobody left
 *   CompletingRebalance -> Stable          the leader's SyncGroup
 *                                          (group_sync)
 *   any -> Dead                            group_shutdown (coordinator
 *                                          moved, group deleted)
 *
 * Thread-safety: none; one thread (the coordinator's) owns a group.
 */
#ifndef SAMSA_GROUP_H
#define SAMSA_GROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "samsa/kread.h"

typedef enum group_state {
    GROUP_EMPTY = 0,
    GROUP_PREPARING_REBALANCE,
    GROUP_COMPLETING_REBALANCE,
    GROUP_STABLE,
    GROUP_DEAD,
} group_state_t;

typedef struct group_protocol {
    char *name;
    uint8_t *metadata;
    int32_t metadata_len;
} group_protocol_t;

typedef struct group_member {
    char *member_id;
    char *instance_id; /* NULL: dynamic member */
    char *client_id;
    char *client_host;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    int32_t nprotocols;
    group_protocol_t *protocols;
    uint8_t *assignment; /* from the leader's SyncGroup */
    int32_t assignment_len;
    void *join_waiter; /* parked JoinGroup reply, or NULL */
    void *sync_waiter; /* parked SyncGroup reply, or NULL */
    int64_t last_heartbeat_ms;
    bool is_new; /* joined during this rebalance */
} group_member_t;

typedef struct group group_t;

/* replies the group hands back; @waiter is what the caller parked */
typedef struct group_ops {
    /* a JoinGroup answer for @m (NULL when the member is gone: only
     * error_code/member_id matter) */
    void (*join_done)(void *waiter, const group_t *g, const group_member_t *m,
                      const char *member_id, int16_t error_code, void *ud);
    void (*sync_done)(void *waiter, const group_t *g, const group_member_t *m,
                      int16_t error_code, void *ud);
    /* a generation completed (Stable) or the group became Empty: persist */
    void (*changed)(group_t *g, void *ud);
    void *ud;
} group_ops_t;

typedef struct group_config {
    int32_t initial_rebalance_delay_ms; /* group.initial.rebalance.delay.ms */
    int32_t max_size;                   /* group.max.size */
    int32_t min_session_timeout_ms;     /* group.min.session.timeout.ms */
    int32_t max_session_timeout_ms;     /* group.max.session.timeout.ms */
} group_config_t;

struct group {
    char *group_id;
    group_state_t state;
    int32_t generation_id;
    char *protocol_type; /* NULL until the first member */
    char *protocol_name; /* selected; NULL when none */
    char *leader_id;     /* NULL when none */
    int32_t nmembers;
    group_member_t **members; /* join order */
    int32_t npending;         /* KIP-394: ids handed out, not yet joined */
    char **pending;
    int64_t *pending_deadline;
    int64_t join_deadline_ms;     /* PreparingRebalance ends by then */
    int64_t initial_delay_end_ms; /* KIP-134 cap; 0 when not delaying */
    int64_t state_since_ms;       /* when the current state began */
    group_config_t conf;
    group_ops_t ops;
    uint64_t id_seq; /* member id suffixes */
};

group_t *group_new(const char *group_id, const group_config_t *conf,
                   const group_ops_t *ops, int64_t now_ms);
/* frees the group; parked replies must have been answered (group_shutdown) */
void group_free(group_t *g);

const char *group_state_name(group_state_t state);
group_member_t *group_member_find(const group_t *g, kstr_t member_id);

typedef struct group_join_req {
    int16_t version;
    kstr_t member_id;
    kstr_t group_instance_id; /* null: dynamic */
    kstr_t client_id;
    const char *client_host;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    kstr_t protocol_type;
    int32_t nprotocols;
    const kstr_t *protocol_names;
    const kbytes_t *protocol_metadata;
} group_join_req_t;

/* JoinGroup: answers through ops.join_done, now or when the join phase
 * completes (@waiter parked in the member) */
void group_join(group_t *g, const group_join_req_t *req, void *waiter,
                int64_t now_ms);

typedef struct group_sync_req {
    int16_t version;
    int32_t generation_id;
    kstr_t member_id;
    kstr_t group_instance_id;
    kstr_t protocol_type; /* v5+, null otherwise */
    kstr_t protocol_name;
    int32_t nassignments;
    const kstr_t *assign_members;
    const kbytes_t *assignments;
} group_sync_req_t;

/* SyncGroup: answers through ops.sync_done, now or when the leader's
 * assignment arrives */
void group_sync(group_t *g, const group_sync_req_t *req, void *waiter,
                int64_t now_ms);

/* Heartbeat: returns the error code */
int16_t group_heartbeat(group_t *g, int32_t generation_id, kstr_t member_id,
                        kstr_t group_instance_id, int64_t now_ms);

/* one member of a LeaveGroup: returns its error code */
int16_t group_leave(group_t *g, kstr_t member_id, kstr_t group_instance_id,
                    int64_t now_ms);

/* may this OffsetCommit go ahead? KERR_NONE or the error for every
 * partition (Kafka's doCommitOffsets checks); refreshes the heartbeat */
int16_t group_commit_check(group_t *g, int32_t generation_id, kstr_t member_id,
                           kstr_t group_instance_id, int64_t now_ms);

/* session expiry, join deadlines, pending-member expiry */
void group_tick(group_t *g, int64_t now_ms);

/* answers every parked reply with @error_code and goes Dead */
void group_shutdown(group_t *g, int16_t error_code);

/* the member's metadata for the selected protocol (NULL, 0 if none) */
const group_protocol_t *group_member_protocol(const group_t *g,
                                              const group_member_t *m);

#endif
