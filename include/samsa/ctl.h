/*
 * ctl: the broker's ZooKeeper membership and the controller.
 *
 * Every broker runs one ctl_t: one thread (the "ctl thread") draining one
 * event queue (DESIGN §3) that holds ZooKeeper completions and watch events,
 * admin requests from IO loops, and requests from the controller. On it:
 *
 *   - membership: /cluster/id, the ephemeral /brokers/ids/<id>
 *     (re-registered after a session expiry), controller election (DESIGN
 *     §6: one multi-op creates the ephemeral /controller and bumps
 *     /controller_epoch conditionally);
 *   - admin requests (any broker, Kafka 2.8 semantics): CreateTopics writes
 *     /config/topics/<t> + /brokers/topics/<t>, DeleteTopics creates
 *     /admin/delete_topics/<t>, CreatePartitions rewrites /brokers/topics/<t>;
 *     each completes when this broker's metadata shows the result;
 *   - the controller (only on the elected broker): loads the tree with
 *     pipelined reads, runs the partition state machine, writes partition
 *     state znodes fenced by the controller epoch, and sends LeaderAndIsr /
 *     StopReplica / UpdateMetadata through a per-broker outbound channel;
 *   - the broker side of those requests: epoch checks, then the hooks.
 *
 * Hooks and done callbacks run on the ctl thread, never on an IO loop; they
 * must not block for long (hand work to the owner's loop).
 *
 * Thread-safety: ctl_create_topics/ctl_delete_topics/ctl_create_partitions
 * may be called from any thread; they copy their inputs and return at once.
 * ctl_start/ctl_stop from the daemon's main thread.
 */
#ifndef SAMSA_CTL_H
#define SAMSA_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samsa/metacache.h"
#include "samsa/zknode.h"

typedef struct ctl ctl_t;

typedef struct ctl_config {
    int32_t broker_id;
    const char *zk_connect; /* host:port[,host:port][/chroot] */
    int32_t zk_session_timeout_ms;
    const char *advertised_host;
    int32_t advertised_port;
    const char *rack;       /* NULL: unset */
    int32_t num_partitions; /* CreateTopics default */
    int16_t default_replication_factor;
    /* validates CreateTopics configs (0-terminated message in @err);
     * may be NULL (everything accepted); called on the ctl thread */
    bool (*topic_config_valid)(const char *key, const char *value, char *err,
                               size_t errlen);
    /* automatic preferred leader election (Kafka's
     * auto.leader.rebalance.enable and leader.imbalance.*) */
    bool auto_leader_rebalance_enable;
    int32_t leader_imbalance_check_interval_s; /* <= 0: 300 */
    int32_t leader_imbalance_per_broker_percentage;
    /* unclean.leader.election.enable: the static default (topic configs
     * and dynamic broker configs override it) */
    bool unclean_leader_election_enable;
} ctl_config_t;

/* one partition of a LeaderAndIsr request (Kafka's LeaderAndIsrPartitionState) */
typedef struct ctl_partition_state {
    const char *topic;
    int32_t partition;
    int32_t leader; /* -1: none */
    int32_t leader_epoch;
    int32_t controller_epoch;
    int32_t nisr;
    const int32_t *isr;
    int32_t nreplicas;
    const int32_t *replicas;
    int32_t zk_version; /* of the state znode (AlterIsr's fence) */
} ctl_partition_state_t;

/* all called on the ctl thread; the arrays are valid only during the call */
typedef struct ctl_hooks {
    /* partitions this broker replicates: create the log if missing, become
     * leader (leader == own id) or follower */
    void (*on_leader_and_isr)(const ctl_partition_state_t *parts, int n,
                              void *ud);
    /* stop replicating; @del: delete the log (topic deletion) */
    void (*on_stop_replica)(const char *topic, int32_t partition, bool del,
                            void *ud);
    /* a full metadata snapshot; ownership of @snap passes to the hook */
    void (*on_metadata)(mc_snapshot_t *snap, void *ud);
    void *ud;
    /* the dynamic broker configs: /config/brokers/<default> (@dkeys) and
     * /config/brokers/<own id> (@bkeys), read at ctl_start (on the calling
     * thread) and again after each change notification; may be NULL */
    void (*on_broker_config)(const char *const *dkeys, const char *const *dvals,
                             int nd, const char *const *bkeys,
                             const char *const *bvals, int nb, void *ud);
} ctl_hooks_t;

/*
 * Connects to ZooKeeper (failing with a clear message if it is unreachable
 * within the session timeout), creates the base paths and /cluster/id,
 * registers /brokers/ids/<id> (waiting up to the session timeout for a stale
 * registration of our own to vanish; "broker id N is already registered"
 * otherwise), then starts the ctl thread, which runs the election. Returns 0
 * or an ERR_* code with a message in @errbuf. Copies @cfg and @hooks.
 */
int ctl_start(ctl_t **out, const ctl_config_t *cfg, const ctl_hooks_t *hooks,
              char *errbuf, size_t errlen);
/* stops the thread and closes the session so the registration and, if
 * held, /controller vanish at once. Admin requests still pending complete
 * with REQUEST_TIMED_OUT, on the thread calling ctl_stop (the only time a
 * done callback runs elsewhere than the ctl thread); no hook runs after it
 * returns. ctl_stop(NULL) is a no-op. */
void ctl_stop(ctl_t *ctl);
/* the cluster id (valid until ctl_stop) */
const char *ctl_cluster_id(ctl_t *ctl);
/* this broker's id */
int32_t ctl_broker_id(ctl_t *ctl);
/* true while this broker is the active controller (any thread; a hint) */
bool ctl_is_controller(ctl_t *ctl);
/* the controller's broker id as last read from /controller, -1 when none
 * is known (any thread; a hint) */
int32_t ctl_controller_id(ctl_t *ctl);

/*
 * The broker side of controller requests received over the network
 * (LeaderAndIsr, StopReplica, UpdateMetadata; h_controller.c decodes them).
 * Any thread; inputs are copied (@snap: ownership passes) and the request
 * is queued to the ctl thread, where it goes through the same fences and
 * hooks as an in-process request (DESIGN §6): an older controller epoch
 * than one already seen gives KERR_STALE_CONTROLLER_EPOCH, a broker epoch
 * older than this broker's registration KERR_STALE_BROKER_EPOCH (epochs <=
 * 0 are "not set" and not checked). @done gets the error code once, on the
 * ctl thread (or on the thread calling ctl_stop, with
 * KERR_BROKER_NOT_AVAILABLE, if the broker stops first).
 */
typedef struct ctl_req_hdr {
    int32_t controller_id;
    int32_t controller_epoch;
    int64_t broker_epoch;
} ctl_req_hdr_t;

typedef struct ctl_stop_partition {
    const char *topic;
    int32_t partition;
    bool del; /* delete the log */
} ctl_stop_partition_t;

typedef void (*ctl_req_done_fn)(int16_t error_code, void *ud);

void ctl_recv_leader_and_isr(ctl_t *ctl, const ctl_req_hdr_t *hdr,
                             const ctl_partition_state_t *parts, int n,
                             ctl_req_done_fn done, void *ud);
void ctl_recv_stop_replica(ctl_t *ctl, const ctl_req_hdr_t *hdr,
                           const ctl_stop_partition_t *stops, int n,
                           ctl_req_done_fn done, void *ud);
void ctl_recv_update_metadata(ctl_t *ctl, const ctl_req_hdr_t *hdr,
                              mc_snapshot_t *snap, ctl_req_done_fn done,
                              void *ud);

/*
 * AlterIsr (KIP-497) and ControlledShutdown received by this broker, for
 * its controller role. Any thread; inputs are copied and the request is
 * queued to the ctl thread. @done is called once on the ctl thread (or on
 * the thread calling ctl_stop, with KERR_NOT_CONTROLLER); the arrays it
 * gets are valid only during the call.
 *
 * AlterIsr: per partition, the leader's epoch, its proposed ISR and the
 * state znode version it last saw. Unless this broker is the loaded
 * controller (@error_code NOT_CONTROLLER), each partition is checked
 * (UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH,
 * INVALID_UPDATE_VERSION, INVALID_REQUEST, OPERATION_NOT_ATTEMPTED while
 * another write of the state is in flight), then the state znode is
 * written with the same leader epoch, conditionally on its version and
 * fenced by the controller epoch (DESIGN §6); the result is the committed
 * state, and LeaderAndIsr/UpdateMetadata follow. A proposed ISR equal to
 * the current one answers the current state.
 */
typedef struct ctl_isr_change {
    const char *topic;
    int32_t partition;
    int32_t leader_epoch;
    int32_t nisr;
    const int32_t *isr;
    int32_t zk_version;
} ctl_isr_change_t;

typedef struct ctl_isr_result {
    int16_t error_code;
    int32_t leader;
    int32_t leader_epoch;
    int32_t nisr;
    const int32_t *isr;
    int32_t zk_version;
} ctl_isr_result_t;

/* @results: one per change, same order (none when @error_code is set) */
typedef void (*ctl_alter_isr_fn)(int16_t error_code,
                                 const ctl_isr_result_t *results, int n,
                                 void *ud);

void ctl_recv_alter_isr(ctl_t *ctl, int32_t broker_id, int64_t broker_epoch,
                        const ctl_isr_change_t *changes, int n,
                        ctl_alter_isr_fn done, void *ud);

/*
 * ControlledShutdown of @broker_id (Kafka 2.8's
 * KafkaController.doControlledShutdown): the broker becomes ineligible
 * for leadership and for joining ISRs until it registers again; each
 * partition it leads moves to the first live ISR replica in assignment
 * order (leader epoch + 1), and it leaves the ISR of the partitions with
 * other live ISR members; LeaderAndIsr and UpdateMetadata follow. @done
 * gets the partitions it still leads once those writes are done
 * (NOT_CONTROLLER, STALE_BROKER_EPOCH, BROKER_NOT_AVAILABLE otherwise).
 */
typedef struct ctl_tp {
    const char *topic;
    int32_t partition;
} ctl_tp_t;

typedef void (*ctl_shutdown_fn)(int16_t error_code, const ctl_tp_t *remaining,
                                int n, void *ud);

void ctl_recv_controlled_shutdown(ctl_t *ctl, int32_t broker_id,
                                  int64_t broker_epoch, ctl_shutdown_fn done,
                                  void *ud);

/*
 * ElectLeaders (KIP-183, KIP-460) received by this broker, for its
 * controller role. Any thread; inputs are copied. @type 0 (preferred)
 * moves leadership to the first replica of the assignment when it is live
 * and in the ISR; 1 (unclean) elects a leader for partitions without a
 * live one: an ISR replica if one is live, else any live replica (data
 * may be lost). @n < 0 (@tps NULL) means every partition; then partitions
 * that need no election are left out of the results. @done is called
 * once on the ctl thread (or on the thread calling ctl_stop) with a
 * top-level error (NOT_CONTROLLER) or one result per partition
 * (ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
 * ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION,
 * REQUEST_TIMED_OUT), after the state znodes are written.
 */
typedef struct ctl_elect_result {
    const char *topic;
    int32_t partition;
    int16_t error_code;
} ctl_elect_result_t;

typedef void (*ctl_elect_fn)(int16_t error_code,
                             const ctl_elect_result_t *results, int n,
                             void *ud);

void ctl_elect_leaders(ctl_t *ctl, int8_t type, const ctl_tp_t *tps, int n,
                       int32_t timeout_ms, ctl_elect_fn done, void *ud);

/*
 * Partition reassignment (KIP-455) received by this broker, for its
 * controller role (Kafka 2.8 KafkaController.onPartitionReassignment).
 * Any thread; inputs are copied. AlterPartitionReassignments: for each
 * partition a target replica list, or @nreplicas -1 to cancel the one in
 * progress (back to the original replicas). The target's replicas join
 * (the assignment in /brokers/topics/<t> becomes target ++ original, with
 * adding_replicas and removing_replicas); once every target replica is
 * in the ISR, the leader moves into the target if it must, the replica set
 * becomes the target and the removed replicas are deleted (StopReplica).
 * @done is called once on the ctl thread (or the thread calling
 * ctl_stop) when each partition's new assignment is written (not
 * completed): a top-level error (NOT_CONTROLLER) or one result per
 * partition (INVALID_REPLICA_ASSIGNMENT with a message,
 * UNKNOWN_TOPIC_OR_PARTITION, NO_REASSIGNMENT_IN_PROGRESS,
 * REQUEST_TIMED_OUT).
 */
typedef struct ctl_reassign_target {
    const char *topic;
    int32_t partition;
    int32_t nreplicas; /* -1: cancel */
    const int32_t *replicas;
} ctl_reassign_target_t;

typedef struct ctl_reassign_result {
    const char *topic;
    int32_t partition;
    int16_t error_code;
    const char *error_message; /* NULL when none */
} ctl_reassign_result_t;

typedef void (*ctl_reassign_fn)(int16_t error_code,
                                const ctl_reassign_result_t *results, int n,
                                void *ud);

void ctl_alter_reassignments(ctl_t *ctl, const ctl_reassign_target_t *targets,
                             int n, int32_t timeout_ms, ctl_reassign_fn done,
                             void *ud);

/* ListPartitionReassignments: the reassignments in progress among @tps
 * (@n < 0: all), with the full replica set and who joins and leaves */
typedef struct ctl_reassignment {
    const char *topic;
    int32_t partition;
    int32_t nreplicas;
    const int32_t *replicas;
    int32_t nadding;
    const int32_t *adding;
    int32_t nremoving;
    const int32_t *removing;
} ctl_reassignment_t;

typedef void (*ctl_reassignments_fn)(int16_t error_code,
                                     const ctl_reassignment_t *list, int n,
                                     void *ud);

void ctl_list_reassignments(ctl_t *ctl, const ctl_tp_t *tps, int n,
                            ctl_reassignments_fn done, void *ud);

/* this broker's epoch (the czxid of its registration); any thread */
int64_t ctl_broker_epoch(ctl_t *ctl);

typedef struct ctl_topic_spec {
    const char *name;
    int32_t num_partitions;     /* -1: num.partitions */
    int16_t replication_factor; /* -1: default.replication.factor */
    int32_t nassignments;       /* manual: partition i -> brokers */
    const int32_t *const *assignments;
    const int32_t *assignment_lens;
    int32_t nconfigs;
    const char *const *config_keys;
    const char *const *config_values;
} ctl_topic_spec_t;

typedef struct ctl_result {
    const char *name;
    int16_t error_code;         /* KERR_* */
    const char *error_message;  /* NULL when none */
    int32_t num_partitions;     /* -1 on error */
    int16_t replication_factor; /* -1 on error */
} ctl_result_t;

/* called once, on the ctl thread; @results (one per input, same order)
 * valid only during the call */
typedef void (*ctl_done_fn)(const ctl_result_t *results, int n, void *ud);

/*
 * Admin requests, any thread. Inputs are copied before returning. @done may
 * be NULL (fire and forget). timeout_ms <= 0 (or validate_only) answers as
 * soon as the znodes are written (or validated); otherwise when this
 * broker's metadata shows the result, or REQUEST_TIMED_OUT at timeout_ms.
 */
void ctl_create_topics(ctl_t *ctl, const ctl_topic_spec_t *specs, int n,
                       bool validate_only, int32_t timeout_ms, ctl_done_fn done,
                       void *ud);
void ctl_delete_topics(ctl_t *ctl, const char *const *names, int n,
                       int32_t timeout_ms, ctl_done_fn done, void *ud);
/* @counts: the new total partition count of each topic */
void ctl_create_partitions(ctl_t *ctl, const char *const *names,
                           const int32_t *counts, int n, bool validate_only,
                           int32_t timeout_ms, ctl_done_fn done, void *ud);

/*
 * AlterConfigs / IncrementalAlterConfigs (Kafka 2.8 AdminZkClient
 * .changeConfigs), any broker, any thread; inputs are copied. Each
 * resource's config node (/config/topics/<t>, /config/brokers/<id> or
 * /config/brokers/<default> for an empty name) is read, the change applied
 * (!incremental: the given set replaces the whole node; incremental: each
 * op is SET, DELETE, APPEND or SUBTRACT, KIP-339) and written together
 * with a sequential /config/changes/config_change_ notification in one
 * multi, conditional on the version read (retried when it moved) and, for
 * a topic, on /brokers/topics/<t> existing (UNKNOWN_TOPIC_OR_PARTITION).
 * Topic values are checked with ctl_config_t.topic_config_valid
 * (INVALID_CONFIG); broker values must be checked by the caller. @done
 * gets one result per resource (name = the resource name), once, on the
 * ctl thread (or the thread calling ctl_stop).
 */
typedef struct ctl_config_op {
    const char *name;
    int8_t op;         /* 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT */
    const char *value; /* NULL for DELETE */
} ctl_config_op_t;

typedef struct ctl_config_alter {
    int8_t resource_type; /* 2 topic, 4 broker */
    const char *name;     /* topic; broker id; "" = <default> */
    bool incremental;
    int32_t nops;
    const ctl_config_op_t *ops;
} ctl_config_alter_t;

void ctl_alter_configs(ctl_t *ctl, const ctl_config_alter_t *res, int n,
                       ctl_done_fn done, void *ud);

/*
 * The topic configs as ZooKeeper has them now (/config/topics/<t>), for
 * DescribeConfigs, which Kafka answers from ZooKeeper too: a broker's
 * metadata learns a change only with the next UpdateMetadata. Any thread;
 * @topics are copied. @done is called once, on the ctl thread (or the
 * thread calling ctl_stop), with one config per topic (empty when the
 * node is absent), or @ok false when ZooKeeper could not be read.
 */
typedef void (*ctl_topic_configs_fn)(bool ok, const zknode_config_t *cfgs,
                                     int n, void *ud);

void ctl_read_topic_configs(ctl_t *ctl, const char *const *topics, int n,
                            ctl_topic_configs_fn done, void *ud);

/*
 * Replica assignment (ctl_assign.c): Kafka 2.8
 * AdminUtils.assignReplicasToBrokers, used for CreateTopics and
 * CreatePartitions and by samsa reassign-partitions --generate. Pure; any
 * thread.
 *
 * @brokers in the order to use (Kafka's callers sort them by id); when no
 * broker has a rack the assignment is rack-unaware (round robin from a
 * start index, followers shifted), when every one has, rack-aware (the
 * same over the rack-alternated list, each partition's replicas on
 * distinct racks while racks remain). @start_index < 0 picks the start
 * and the replica shift at random with rand_r(@seed), as Kafka does;
 * CreatePartitions passes Kafka's fixed start index. @start_partition is
 * the first partition's id (Kafka's startPartitionId; < 0 is 0). Fills
 * @out[npartitions * rf] (partition i's replicas at @out[i * rf]).
 *
 * Returns KERR_NONE, or with Kafka's message in @errbuf:
 * INVALID_PARTITIONS (@npartitions <= 0), INVALID_REPLICATION_FACTOR
 * (@rf <= 0 or > @nbrokers), UNKNOWN_SERVER_ERROR when only some brokers
 * have a rack (Kafka's AdminOperationException, which CreateTopics
 * answers with that code).
 */
typedef struct ctl_assign_broker {
    int32_t id;
    const char *rack; /* NULL: no broker.rack */
} ctl_assign_broker_t;

int16_t ctl_assign_replicas(const ctl_assign_broker_t *brokers,
                            int32_t nbrokers, int32_t npartitions, int32_t rf,
                            int32_t start_index, int32_t start_partition,
                            unsigned int *seed, int32_t *out, char *errbuf,
                            size_t errlen);

#endif
