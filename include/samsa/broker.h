/*
 * broker: the request-serving core of samsad. Dispatches each request frame
 * to its handler (src/broker/h_*.c), parks long-polling fetches in the
 * purgatory, and applies the controller's decisions (LeaderAndIsr,
 * StopReplica, UpdateMetadata) to the local logs and metadata cache.
 *
 * Threads: broker_on_frame/on_close run on the IO loop that owns the
 * connection; the ctl hooks run on the controller/ZooKeeper thread.
 */
#ifndef SAMSA_BROKER_H
#define SAMSA_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samsa/bconf.h"
#include "samsa/conn.h"
#include "samsa/ctl.h"
#include "samsa/logmgr.h"
#include "samsa/metacache.h"

typedef struct broker broker_t;

/* @conf and @lm must outlive the broker */
broker_t *broker_new(const bconf_t *conf, logmgr_t *lm);
void broker_free(broker_t *b);
/* the controller handle used for topic administration (set once) */
void broker_set_ctl(broker_t *b, ctl_t *ctl);

/*
 * Waits until the controller's first metadata has been installed, so that
 * clients are never told that an existing topic is unknown. Returns true,
 * or false after @timeout_ms. Returns true early when another broker is
 * the controller: its UpdateMetadata reaches this broker only once it
 * listens. Any thread but the controller's.
 */
bool broker_wait_metadata(broker_t *b, int64_t timeout_ms);

/*
 * Answers every parked request now (fetches with what there is, acks=all
 * produces with REQUEST_TIMED_OUT) and waits up to @timeout_ms for them
 * to leave, so the IO loops can stop with nothing in flight. Main thread,
 * while the loops still run.
 */
void broker_quiesce(broker_t *b, int64_t timeout_ms);

/*
 * Controlled shutdown (DESIGN §6; Kafka 2.8's KafkaServer
 * .controlledShutdown): asks the controller, over the network even when
 * it is this broker, with ControlledShutdown v3 to move this broker's
 * leaderships away; up to @max_retries attempts @backoff_ms apart (cut
 * short when another controller is elected) until it answers with no
 * partition remaining. True on success. Main thread, while the listeners
 * still serve.
 */
bool broker_controlled_shutdown(broker_t *b, int32_t max_retries,
                                int64_t backoff_ms);

/* net callbacks (ud = broker) */
void broker_on_frame(conn_t *conn, uint64_t seq, uint8_t *frame, size_t len,
                     void *ud);
void broker_on_close(conn_t *conn, void *ud);

/* ctl hooks (ud = broker) */
void broker_on_leader_and_isr(const ctl_partition_state_t *parts, int n,
                              void *ud);
void broker_on_stop_replica(const char *topic, int32_t partition, bool del,
                            void *ud);
void broker_on_metadata(mc_snapshot_t *snap, void *ud);
/* the dynamic broker configs changed (or were read at startup): the
 * effective configuration is rebuilt over samsad.conf, swapped in, the
 * open logs take the new topic defaults and the replication quotas their
 * rates */
void broker_on_broker_config(const char *const *dkeys, const char *const *dvals,
                             int nd, const char *const *bkeys,
                             const char *const *bvals, int nb, void *ud);

/* the topic-level config check handed to the controller (CreateTopics) */
bool broker_topic_config_valid(const char *key, const char *value, char *err,
                               size_t errlen);

#endif
