/*
 * ctl_int.h: what ctl.c, ctl_admin.c, ctl_ctrl.c and ctl_chan.c share.
 * Everything here is touched only on the ctl thread unless a field says
 * otherwise.
 */
#ifndef SAMSA_CTL_INT_H
#define SAMSA_CTL_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "samsa/ctl.h"
#include "samsa/zk.h"
#include "samsa/zknode.h"

typedef struct ctl_ctrl ctl_ctrl_t;
typedef struct ctl_admin ctl_admin_t;
typedef struct ctl_breq ctl_breq_t;
typedef struct ctl_chan ctl_chan_t;
typedef struct ctl_cfgw ctl_cfgw_t;
typedef struct ctl_cfg_req ctl_cfg_req_t;
typedef struct ctl_cfg_read ctl_cfg_read_t;

/* ---- event queue (ctl.c) ---------------------------------------------- */

typedef enum ctl_ev_kind {
    CTL_EV_ZK = 1,      /* a zk_msg_t to run */
    CTL_EV_ADMIN,       /* a ctl_admin_t from ctl_create_topics & co */
    CTL_EV_BREQ,        /* a ctl_breq_t from a controller (ctl_chan.c) */
    CTL_EV_START,       /* first event: run the election */
    CTL_EV_ALTER_ISR,   /* a ctl_alter_isr_t from a leader */
    CTL_EV_SHUTDOWN,    /* a ctl_cshut_t (ControlledShutdown) */
    CTL_EV_CONFIG,      /* a ctl_cfg_req_t (AlterConfigs; ctl_config.c) */
    CTL_EV_CONFIG_READ, /* a ctl_cfg_read_t (ctl_read_topic_configs) */
    CTL_EV_ELECT,       /* a ctl_elect_req_t (ElectLeaders; ctl_elect.c) */
    CTL_EV_REASSIGN,    /* a ctl_reassign_req_t (ctl_reassign.c) */
    CTL_EV_STOP_ACK,    /* a ctl_stop_ack_t: a StopReplica was answered */
} ctl_ev_kind_t;

typedef struct ctl_ev {
    struct ctl_ev *next;
    ctl_ev_kind_t kind;
    void *p;
} ctl_ev_t;

struct ctl {
    ctl_config_t cfg; /* strings owned */
    ctl_hooks_t hooks;
    zk_t *zk;
    char *cluster_id;
    unsigned int seed; /* rand_r: assignment start */

    /* queue: any thread, under qmu */
    pthread_mutex_t qmu;
    pthread_cond_t qcv;
    ctl_ev_t *qhead, *qtail;
    bool stopping;
    pthread_t thread;
    bool thread_started;

    /* membership */
    bool registered;
    int64_t broker_epoch;      /* czxid of /brokers/ids/<id> */
    int64_t register_deadline; /* mono ms; re-registration after expiry */
    int64_t register_retry_at; /* mono ms, 0 = none */

    /* election */
    bool electing;
    bool elect_again;
    int64_t elect_retry_at; /* mono ms, 0 = none */
    int32_t controller_id;  /* as last read from /controller, -1 none */
    int32_t pending_epoch;  /* the epoch our election multi writes */
    uint64_t term;          /* bumped on every become/resign */
    ctl_ctrl_t *ctrl;       /* non-NULL while the active controller */
    int is_controller;      /* atomic mirror of ctrl != NULL */

    /* broker side of controller requests */
    int32_t seen_controller_epoch;
    mc_snapshot_t *snap; /* last UpdateMetadata (own copy) */

    /* admin requests waiting for metadata */
    ctl_admin_t *admin_waiting;

    /* /config/changes watcher and dynamic broker configs (ctl_config.c) */
    ctl_cfgw_t *cfgw;

    /* leader elections on request and automatic (ctl_elect.c) */
    struct ctl_elect_state *elect;
};

/* ctl.c */
void ctl_post(ctl_t *ctl, ctl_ev_kind_t kind, void *p);
/* starts (or queues another) election round */
void ctl_elect(ctl_t *ctl);
/* drops the controller role (fenced out, session lost, stopping) */
void ctl_resign(ctl_t *ctl, const char *why);
/* ZooKeeper errors that mean "not reachable now", for admin results */
bool ctl_zk_transient(int rc);

/* ---- controller (ctl_ctrl.c) ------------------------------------------ */

/* becomes the active controller with @epoch (its znode at @zkversion) */
void ctl_ctrl_become(ctl_t *ctl, int32_t epoch, int32_t zkversion);
void ctl_ctrl_free(ctl_ctrl_t *ctrl);
/* a watch fired under /brokers, /admin (controller only) */
void ctl_ctrl_watch(ctl_t *ctl, int type, const char *path);
/* end of an event: send what is batched if no write is in flight */
void ctl_ctrl_flush(ctl_t *ctl);
int32_t ctl_ctrl_epoch(const ctl_ctrl_t *ctrl);

/* AlterIsr received (ctl_recv_alter_isr); owns its memory */
typedef struct ctl_alter_isr {
    int32_t broker_id;
    int64_t broker_epoch;
    int n;
    ctl_isr_change_t *changes; /* topic and isr owned */
    ctl_isr_result_t *results; /* isr owned */
    int pending;               /* state writes in flight */
    ctl_alter_isr_fn done;
    void *ud;
} ctl_alter_isr_t;

/* answers (with @err when not yet answered) and frees */
void ctl_alter_isr_finish(ctl_alter_isr_t *req, int16_t err);
void ctl_ctrl_alter_isr(ctl_t *ctl, ctl_alter_isr_t *req);

/* ControlledShutdown received; owns its memory */
typedef struct ctl_cshut {
    struct ctl_cshut *next; /* in the controller's waiting list */
    int32_t broker_id;
    int64_t broker_epoch;
    ctl_shutdown_fn done;
    void *ud;
} ctl_cshut_t;

/* answers with @err (no partitions) and frees */
void ctl_cshut_fail(ctl_cshut_t *req, int16_t err);
void ctl_ctrl_controlled_shutdown(ctl_t *ctl, ctl_cshut_t *req);

/*
 * The controller's view for ctl_elect.c and the like (ctl_ctrl.c). A view
 * points into the controller's state: valid until the next event.
 */
typedef struct ctl_part_view {
    const char *topic;
    int32_t partition;
    int32_t nreplicas;
    const int32_t *replicas; /* assignment order; [0] is preferred */
    int32_t leader;
    int32_t leader_epoch;
    int32_t nisr;
    const int32_t *isr;
    bool busy; /* a state read or write is in flight */
} ctl_part_view_t;

/* true once the active controller has loaded the tree */
bool ctl_ctrl_loaded(const ctl_ctrl_t *ctrl);
/* the /controller_epoch znode version every controller write checks */
int32_t ctl_ctrl_epoch_zkversion(const ctl_ctrl_t *ctrl);
/* KERR_NONE with @v filled, or KERR_UNKNOWN_TOPIC_OR_PARTITION (no such
 * partition, no state yet, or the topic is being deleted) */
int16_t ctl_ctrl_part(ctl_ctrl_t *ctrl, const char *topic, int32_t p,
                      ctl_part_view_t *v);
/* calls @fn for each partition with a known state, topics not deleting */
void ctl_ctrl_each_part(ctl_ctrl_t *ctrl,
                        void (*fn)(const ctl_part_view_t *v, void *ud),
                        void *ud);
/* live and not in a controlled shutdown: may lead */
bool ctl_ctrl_eligible(ctl_ctrl_t *ctrl, int32_t broker_id);

/*
 * Writes a new leader and ISR for a partition that is not busy (leader
 * epoch + 1, fenced, conditional on the state's version), then queues
 * LeaderAndIsr and UpdateMetadata. @done (may be NULL) is called once
 * with whether it was written, also when the controller resigned since
 * (false).
 */
typedef void (*ctl_write_fn)(ctl_t *ctl, bool ok, void *ud);
void ctl_ctrl_set_leader(ctl_t *ctl, const char *topic, int32_t p,
                         int32_t leader, const int32_t *isr, int32_t nisr,
                         ctl_write_fn done, void *ud);

/* ---- small helpers ----------------------------------------------------- */

static inline bool
ctl_ints_has(const int32_t *v, int32_t n, int32_t x)
{
    for (int32_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

/* a malloc'd copy (never NULL, even for n == 0) */
int32_t *ctl_ints_dup(const int32_t *v, int32_t n);

/* ---- the controller's view (ctl_ctrl.c; ctl_reassign.c moves replicas) -- */

typedef struct cpart {
    int32_t nreplicas;
    int32_t *replicas; /* assignment order; during a reassignment the full
                        * set: target ++ (original - target) */
    int32_t nadding;   /* reassignment in progress: replicas joining */
    int32_t *adding;
    int32_t nremoving; /* ... and leaving */
    int32_t *removing;
    int32_t nstray; /* no longer replicas: StopReplica(delete) to them once
                     * the assignment is written */
    int32_t *stray;
    bool bump;       /* write the state again (leader epoch + 1) so the
                      * replicas learn a new replica set */
    bool bump_after; /* bump once the assignment is written */
    uint64_t gen;    /* the topic's assign_gen at this partition's last
                      * change: a write of an older gen does not cover it */
    bool has_state;  /* the state fields below are valid */
    bool missing;    /* the state znode does not exist */
    bool busy;       /* a read or write of the state is in flight */
    int32_t leader;
    int32_t leader_epoch;
    int32_t controller_epoch;
    int32_t nisr;
    int32_t *isr;
    int32_t zkversion;
} cpart_t;

typedef struct ctopic {
    char *name;
    bool has_id;
    uint8_t id[16];
    bool loaded;       /* assignment read */
    int32_t zkversion; /* of /brokers/topics/<t> */
    int32_t npartitions;
    cpart_t *parts;
    zknode_config_t config;
    bool deleting; /* listed in /admin/delete_topics */
    bool delete_started;
    /* deletion: the replicas (broker, partition) whose StopReplica(delete)
     * is not answered yet; the znodes go when none is left */
    int nstop_wait;
    int32_t (*stop_wait)[2];
    bool znodes_deleting;
    /* the assignment in memory is ahead of ZooKeeper (ctl_reassign.c):
     * gen counts changes, written the last one written */
    uint64_t assign_gen;
    uint64_t assign_written;
    bool assign_writing;
} ctopic_t;

typedef struct cbroker {
    int32_t id;
    int64_t epoch; /* czxid of its registration */
    zknode_broker_t info;
    bool live;          /* registration read */
    bool seen;          /* in the last children list */
    bool announced;     /* got LeaderAndIsr + UpdateMetadata */
    bool shutting_down; /* ControlledShutdown until it re-registers */
    ctl_chan_t *chan;
    ctl_breq_t *lai;  /* batched LeaderAndIsr */
    ctl_breq_t *stop; /* batched StopReplica */
} cbroker_t;

struct ctl_ctrl {
    uint64_t term;
    int32_t epoch;
    int32_t epoch_zkversion;
    int64_t started_ms;
    bool loaded;
    int reads;  /* reads in flight */
    int writes; /* writes in flight */
    bool md_dirty;
    int nbrokers;
    cbroker_t **brokers;
    int ntopics;
    ctopic_t **topics;
    int ndel;
    char **del; /* children of /admin/delete_topics */
    bool *del_busy;
    ctl_cshut_t *cshut; /* ControlledShutdown waiting for writes */
    struct ctl_reassign_state *reassign; /* ctl_reassign.c */
};

/* lookups and steps ctl_reassign.c shares with ctl_ctrl.c */
cbroker_t *ctl_ctrl_broker(ctl_ctrl_t *ctrl, int32_t id);
ctopic_t *ctl_ctrl_topic(ctl_ctrl_t *ctrl, const char *name);
bool ctl_ctrl_live(ctl_ctrl_t *ctrl, int32_t id);
/* reads /brokers/topics/<name> (watched) and maybe its config */
void ctl_ctrl_read_topic(ctl_t *ctl, const char *name, bool with_config);
/* a write failed its /controller_epoch check: resign, elect again */
void ctl_ctrl_fenced(ctl_t *ctl);
/* a write counted in ctrl->writes finished: maybe reconcile */
void ctl_ctrl_write_done(ctl_t *ctl, ctl_ctrl_t *ctrl);
/* batches StopReplica(@del) of @topic-@p for @broker if it is live */
void ctl_ctrl_queue_stop(ctl_ctrl_t *ctrl, int32_t broker, const char *topic,
                         int32_t p, bool del);
/* runs the reconciliation now if no read is in flight */
void ctl_ctrl_kick(ctl_t *ctl);

/* ---- leader elections (ctl_elect.c) ----------------------------------- */

typedef struct ctl_elect_req ctl_elect_req_t;

/* an ElectLeaders request (CTL_EV_ELECT): runs or answers NOT_CONTROLLER */
void ctl_elect_start(ctl_t *ctl, ctl_elect_req_t *req);
/* answers @req with @err (not started) and frees it */
void ctl_elect_req_fail(ctl_elect_req_t *req, int16_t err);
/* after every event: retries, timeouts, the /admin watch, auto rebalance */
void ctl_elect_tick(ctl_t *ctl);
/* the earliest time ctl_elect_tick has something to do, or INT64_MAX */
int64_t ctl_elect_next_deadline(ctl_t *ctl);
/* a watch on /admin/preferred_replica_election; false for other paths */
bool ctl_elect_watch(ctl_t *ctl, const char *path);
/* ctl_stop: answers what is left and frees the state */
void ctl_elect_fini(ctl_t *ctl);

/*
 * The pure election choice (Kafka 2.8 PartitionLeaderElectionAlgorithms):
 * @eligible[i] says whether replicas[i] may lead. Preferred: replicas[0]
 * if it is eligible and in the ISR (ELECTION_NOT_NEEDED if it leads,
 * PREFERRED_LEADER_NOT_AVAILABLE otherwise); the ISR stays. Unclean
 * (ElectLeaders type 1): ELECTION_NOT_NEEDED while an eligible leader
 * exists, else the first eligible ISR replica in assignment order, else
 * the first eligible replica with an ISR of itself, else
 * ELIGIBLE_LEADERS_NOT_AVAILABLE. @new_isr holds nisr + 1 entries.
 */
int16_t ctl_elect_choose(int8_t type, const int32_t *replicas,
                         int32_t nreplicas, const bool *eligible,
                         const int32_t *isr, int32_t nisr, int32_t leader,
                         int32_t *new_leader, int32_t *new_isr,
                         int32_t *new_nisr);
/* Kafka's auto rebalance trigger: not_led / preferred > percentage / 100 */
bool ctl_elect_imbalanced(int32_t not_led, int32_t preferred,
                          int32_t percentage);

/* ---- partition reassignment (ctl_reassign.c) -------------------------- */

typedef struct ctl_reassign_req ctl_reassign_req_t;

/* an AlterPartitionReassignments or ListPartitionReassignments
 * (CTL_EV_REASSIGN): runs or answers NOT_CONTROLLER */
void ctl_reassign_start(ctl_t *ctl, ctl_reassign_req_t *req);
/* answers @req with @err and frees it */
void ctl_reassign_req_fail(ctl_reassign_req_t *req, int16_t err);
/* from the reconciliation, before the partition states: completes the
 * reassignments whose target replicas are all in the ISR */
void ctl_reassign_complete(ctl_t *ctl);
/* after the partition states: writes assignments that memory holds ahead
 * of ZooKeeper, then what follows a write (StopReplica, LeaderAndIsr,
 * answers, /admin/reassign_partitions) */
void ctl_reassign_flush(ctl_t *ctl);
/* StopReplica(delete) to the strays of @t-@p (only @broker's when >= 0)
 * that are live, once the assignment without them is written; each stays
 * a stray until its broker answers (a broker that is down, or goes down
 * before answering, is asked again when it is back) */
void ctl_reassign_strays(ctl_ctrl_t *ctrl, ctopic_t *t, int32_t p,
                         int32_t broker);
/* @broker answered the StopReplica(delete) of @t-@p: no longer a stray */
void ctl_reassign_stray_gone(ctopic_t *t, int32_t p, int32_t broker);
/* after every event: timeouts; the znode watch in a new term */
void ctl_reassign_tick(ctl_t *ctl);
int64_t ctl_reassign_next_deadline(ctl_t *ctl);
/* a watch on /admin/reassign_partitions; false for other paths */
bool ctl_reassign_watch(ctl_t *ctl, const char *path);
/* the controller resigns: answers what waits with NOT_CONTROLLER */
void ctl_reassign_free(ctl_ctrl_t *ctrl);

/* the pure parts */

/* Kafka's ReplicaAssignment.fromOriginalAndTarget: @full = target ++
 * (orig - target), @adding = target - orig, @removing = orig - target;
 * each output holds norig + ntarget entries */
void ctl_reassign_plan(const int32_t *orig, int32_t norig,
                       const int32_t *target, int32_t ntarget, int32_t *full,
                       int32_t *nfull, int32_t *adding, int32_t *nadding,
                       int32_t *removing, int32_t *nremoving);
/* what a cancellation returns to: @full without @adding, in order */
void ctl_reassign_original(const int32_t *full, int32_t nfull,
                           const int32_t *adding, int32_t nadding, int32_t *out,
                           int32_t *nout);
/* the target of a running reassignment: @full without @removing */
void ctl_reassign_target(const int32_t *full, int32_t nfull,
                         const int32_t *removing, int32_t nremoving,
                         int32_t *out, int32_t *nout);
/* true when every target replica is in the ISR (the reassignment may
 * complete) */
bool ctl_reassign_caught_up(const int32_t *target, int32_t ntarget,
                            const int32_t *isr, int32_t nisr);
/* the state on completion: ISR & target, the leader kept if it is an
 * eligible (@eligible[i] for target[i]) ISR member of the target, else the
 * first such replica; ELIGIBLE_LEADERS_NOT_AVAILABLE if none */
int16_t ctl_reassign_finish(const int32_t *target, int32_t ntarget,
                            const bool *eligible, const int32_t *isr,
                            int32_t nisr, int32_t leader, int32_t *new_leader,
                            int32_t *new_isr, int32_t *new_nisr);
/* INVALID_REPLICA_ASSIGNMENT for an empty target, a negative or repeated
 * id, or (when @brokers is not NULL) an id not among @brokers */
int16_t ctl_reassign_check(const int32_t *target, int32_t ntarget,
                           const int32_t *brokers, int32_t nbrokers);

/* ---- admin requests (ctl_admin.c) ------------------------------------- */

typedef enum ctl_admin_kind {
    CTL_ADMIN_CREATE = 1,
    CTL_ADMIN_DELETE,
    CTL_ADMIN_PARTITIONS,
} ctl_admin_kind_t;

typedef struct ctl_admin_item {
    /* input */
    char *name;
    int32_t num_partitions; /* create: -1 default; partitions: new count */
    int16_t replication_factor;
    int32_t nassignments;
    int32_t **assignments;
    int32_t *assignment_lens;
    int32_t nconfigs;
    char **config_keys;
    char **config_values;
    /* progress */
    int16_t error_code;
    char *error_message;
    bool satisfied; /* metadata shows it */
    int32_t result_partitions;
    int16_t result_rf;
    /* work */
    zknode_topic_t topic; /* partitions: the read assignment */
    int32_t topic_zkversion;
    bool queued_for_delete;
    char *topic_json;
    char *config_json;
    bool config_exists;
} ctl_admin_item_t;

struct ctl_admin {
    ctl_admin_t *next; /* in ctl->admin_waiting */
    ctl_admin_kind_t kind;
    bool validate_only;
    int32_t timeout_ms;
    int64_t deadline; /* mono ms */
    ctl_done_fn done;
    void *ud;
    int n;
    ctl_admin_item_t *items;
    int pending;  /* ZooKeeper calls in flight */
    bool waiting; /* written; waiting for the metadata */
    /* brokers and topics as read from ZooKeeper for validation */
    int32_t nbrokers;
    int32_t *brokers; /* sorted ids */
    char **racks;     /* [nbrokers]: broker.rack of each, NULL = none */
    bool *gone;       /* [nbrokers]: deregistered while being read */
    int ntopics;
    char **topics;
    int zk_error; /* first failure of a shared read */
};

/* takes ownership of @req; starts it */
void ctl_admin_start(ctl_t *ctl, ctl_admin_t *req);
/* after a metadata update or a timer tick */
void ctl_admin_check(ctl_t *ctl);
/* the earliest deadline among waiting requests, or INT64_MAX */
int64_t ctl_admin_next_deadline(ctl_t *ctl);
/* completes every waiting request with @err (stopping) */
void ctl_admin_abort_all(ctl_t *ctl, int16_t err);
void ctl_admin_free(ctl_admin_t *req);

/* ---- broker requests and channels (ctl_chan.c) ------------------------ */

typedef enum ctl_breq_kind {
    CTL_BREQ_LEADER_AND_ISR = 1,
    CTL_BREQ_STOP_REPLICA,
    CTL_BREQ_UPDATE_METADATA,
} ctl_breq_kind_t;

typedef struct ctl_stop_tp {
    char *topic;
    int32_t partition;
    bool del;
} ctl_stop_tp_t;

/* one controller -> broker request; owns all its memory */
struct ctl_breq {
    ctl_breq_kind_t kind;
    int32_t controller_id;
    int32_t controller_epoch;
    int64_t broker_epoch; /* the recipient's, as the controller knows it */
    int nparts;           /* LEADER_AND_ISR */
    int capparts;
    ctl_partition_state_t *parts; /* topic/isr/replicas owned */
    int nstops;                   /* STOP_REPLICA */
    int capstops;
    ctl_stop_tp_t *stops;
    mc_snapshot_t *snap; /* UPDATE_METADATA */
    /* received over the network: the answer (called once, then NULL) */
    ctl_req_done_fn done;
    void *done_ud;
};

ctl_breq_t *ctl_breq_new(ctl_breq_kind_t kind);
void ctl_breq_free(ctl_breq_t *breq);
/* copies @ps into @breq */
void ctl_breq_add_part(ctl_breq_t *breq, const ctl_partition_state_t *ps);
void ctl_breq_add_stop(ctl_breq_t *breq, const char *topic, int32_t p,
                       bool del);
/* calls @breq's done (once) with @err: the broker's answer, on the
 * thread that got it */
void ctl_breq_answer(ctl_breq_t *breq, int16_t err);
/* drops what @breq (may be NULL) holds for @topic-@p: a later decision
 * about the partition replaces a batched one */
void ctl_breq_forget(ctl_breq_t *breq, const char *topic, int32_t p);

/* a broker's answer to the controller's StopReplica (ctl_ctrl.c) */
typedef struct ctl_stop_ack {
    int32_t controller_id; /* where to post it */
    uint64_t term;
    int32_t broker_id;
    int16_t error_code; /* BROKER_NOT_AVAILABLE: dropped unanswered */
    int n;
    ctl_stop_tp_t *stops; /* topics owned */
} ctl_stop_ack_t;

/* a CTL_EV_STOP_ACK; frees @ack */
void ctl_ctrl_stop_acked(ctl_t *ctl, ctl_stop_ack_t *ack);
void ctl_stop_ack_free(ctl_stop_ack_t *ack);

/*
 * Outbound channel to one broker: send() takes ownership of @breq and never
 * blocks; free() drops what is still queued and never blocks either.
 * address() (may be NULL) tells the channel where the broker listens, as
 * its registration says; the controller calls it before every send.
 *
 * "local" delivers to a ctl_t of this process (found by broker id in the
 * registry). "net" (ctl_chan_net.c) does the same when the broker is in
 * this process, and otherwise queues the request for a sender thread that
 * delivers it over the Kafka protocol.
 */
struct ctl_chan {
    int32_t broker_id;
    void (*send)(ctl_chan_t *chan, ctl_breq_t *breq);
    void (*address)(ctl_chan_t *chan, const char *host, int32_t port);
    void (*free)(ctl_chan_t *chan);
};

ctl_chan_t *ctl_chan_local_new(int32_t broker_id);
/* posts @breq to the ctl_t of @broker_id in this process; false (and
 * @breq untouched) when there is none */
bool ctl_chan_local_try(int32_t broker_id, ctl_breq_t *breq);
/* posts an event to the ctl_t of @broker_id in this process; false (and
 * @p untouched) when there is none */
bool ctl_registry_post(int32_t broker_id, ctl_ev_kind_t kind, void *p);

/* ctl_chan_net.c; @controller_id names the sender in its client id */
ctl_chan_t *ctl_chan_net_new(int32_t broker_id, int32_t controller_id);
/* waits up to @timeout_ms for every sender thread of the process to exit
 * (after their channels were freed) */
void ctl_chan_net_wait_all(int timeout_ms);
/* process registry of running ctl_t (for the local channel) */
void ctl_registry_add(ctl_t *ctl);
void ctl_registry_remove(ctl_t *ctl);
/* the broker side: fences, then the hooks (takes ownership) */
void ctl_breq_apply(ctl_t *ctl, ctl_breq_t *breq);

/* ---- entity configs (ctl_config.c) ----------------------------------- */

/* ctl_start, before the thread: reads this broker's dynamic configs
 * (synchronously) and hands them to the hook */
void ctl_config_init(ctl_t *ctl);
void ctl_config_fini(ctl_t *ctl);
/* this broker's dynamic config @key (/config/brokers/<id>, else
 * <default>), or NULL when neither sets it; valid until the next event */
const char *ctl_config_broker_value(ctl_t *ctl, const char *key);
/* (re-)lists /config/changes with a watch: start, watch fired, new session */
void ctl_config_watch(ctl_t *ctl);
/* CTL_EV_CONFIG: runs an AlterConfigs request; or fails it (stopping) */
void ctl_config_alter_start(ctl_t *ctl, ctl_cfg_req_t *req);
void ctl_config_alter_fail(ctl_cfg_req_t *req, int16_t err);
/* ctl_read_topic_configs: issue the reads; or answer "not read" */
void ctl_config_read_start(ctl_t *ctl, ctl_cfg_read_t *r);
void ctl_config_read_fail(ctl_cfg_read_t *r);
/* ctl_ctrl.c: the controller re-reads /config/topics/<t> into its view
 * (the next UpdateMetadata carries it); no-op for an unknown topic */
void ctl_ctrl_reload_config(ctl_t *ctl, const char *topic);

#endif
