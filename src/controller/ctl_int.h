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

/* ---- event queue (ctl.c) ---------------------------------------------- */

typedef enum ctl_ev_kind {
    CTL_EV_ZK = 1,     /* a zk_msg_t to run */
    CTL_EV_ADMIN,      /* a ctl_admin_t from ctl_create_topics & co */
    CTL_EV_BREQ,       /* a ctl_breq_t from a controller (ctl_chan.c) */
    CTL_EV_START,      /* first event: run the election */
    CTL_EV_ALTER_ISR,  /* a ctl_alter_isr_t from a leader */
    CTL_EV_SHUTDOWN,   /* a ctl_cshut_t (ControlledShutdown) */
} ctl_ev_kind_t;

typedef struct ctl_ev {
    struct ctl_ev *next;
    ctl_ev_kind_t kind;
    void *p;
} ctl_ev_t;

struct ctl {
    ctl_config_t cfg;          /* strings owned */
    ctl_hooks_t hooks;
    zk_t *zk;
    char *cluster_id;
    unsigned int seed;         /* rand_r: assignment start */

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
    int64_t elect_retry_at;    /* mono ms, 0 = none */
    int32_t controller_id;     /* as last read from /controller, -1 none */
    int32_t pending_epoch;     /* the epoch our election multi writes */
    uint64_t term;             /* bumped on every become/resign */
    ctl_ctrl_t *ctrl;          /* non-NULL while the active controller */
    int is_controller;         /* atomic mirror of ctrl != NULL */

    /* broker side of controller requests */
    int32_t seen_controller_epoch;
    mc_snapshot_t *snap;       /* last UpdateMetadata (own copy) */

    /* admin requests waiting for metadata */
    ctl_admin_t *admin_waiting;
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
    ctl_isr_change_t *changes;  /* topic and isr owned */
    ctl_isr_result_t *results;  /* isr owned */
    int pending;                /* state writes in flight */
    ctl_alter_isr_fn done;
    void *ud;
} ctl_alter_isr_t;

/* answers (with @err when not yet answered) and frees */
void ctl_alter_isr_finish(ctl_alter_isr_t *req, int16_t err);
void ctl_ctrl_alter_isr(ctl_t *ctl, ctl_alter_isr_t *req);

/* ControlledShutdown received; owns its memory */
typedef struct ctl_cshut {
    struct ctl_cshut *next;     /* in the controller's waiting list */
    int32_t broker_id;
    int64_t broker_epoch;
    ctl_shutdown_fn done;
    void *ud;
} ctl_cshut_t;

/* answers with @err (no partitions) and frees */
void ctl_cshut_fail(ctl_cshut_t *req, int16_t err);
void ctl_ctrl_controlled_shutdown(ctl_t *ctl, ctl_cshut_t *req);

/* ---- admin requests (ctl_admin.c) ------------------------------------- */

typedef enum ctl_admin_kind {
    CTL_ADMIN_CREATE = 1,
    CTL_ADMIN_DELETE,
    CTL_ADMIN_PARTITIONS,
} ctl_admin_kind_t;

typedef struct ctl_admin_item {
    /* input */
    char *name;
    int32_t num_partitions;   /* create: -1 default; partitions: new count */
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
    bool satisfied;           /* metadata shows it */
    int32_t result_partitions;
    int16_t result_rf;
    /* work */
    zknode_topic_t topic;     /* partitions: the read assignment */
    int32_t topic_zkversion;
    bool queued_for_delete;
    char *topic_json;
    char *config_json;
    bool config_exists;
} ctl_admin_item_t;

struct ctl_admin {
    ctl_admin_t *next;        /* in ctl->admin_waiting */
    ctl_admin_kind_t kind;
    bool validate_only;
    int32_t timeout_ms;
    int64_t deadline;         /* mono ms */
    ctl_done_fn done;
    void *ud;
    int n;
    ctl_admin_item_t *items;
    int pending;              /* ZooKeeper calls in flight */
    bool waiting;             /* written; waiting for the metadata */
    /* brokers and topics as read from ZooKeeper for validation */
    int32_t nbrokers;
    int32_t *brokers;         /* sorted ids */
    int ntopics;
    char **topics;
    int zk_error;             /* first failure of a shared read */
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

/*
 * Kafka's rack-unaware replica assignment (AdminUtils
 * .assignReplicasToBrokersRackUnaware): @brokers sorted; @start_index and
 * @replica_shift < 0 pick at random. Fills @out[npartitions][rf].
 */
void ctl_assign_replicas(const int32_t *brokers, int32_t nbrokers,
                         int32_t npartitions, int32_t rf,
                         int32_t start_index, int32_t start_partition,
                         unsigned int *seed, int32_t *out);

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
    int64_t broker_epoch;     /* the recipient's, as the controller knows it */
    int nparts;               /* LEADER_AND_ISR */
    int capparts;
    ctl_partition_state_t *parts;   /* topic/isr/replicas owned */
    int nstops;               /* STOP_REPLICA */
    int capstops;
    ctl_stop_tp_t *stops;
    mc_snapshot_t *snap;      /* UPDATE_METADATA */
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

#endif
