/*
 * throttle: one replication quota (KIP-73), and the parsing of the topic
 * lists that say which replicas it applies to.
 *
 * A throttle measures a byte rate over a sliding set of num windows of
 * window_ms each (replication.quota.window.num, 11, and
 * replication.quota.window.size.seconds, 1), as Kafka's SampledStat with a
 * SimpleRate: the bytes recorded in the windows still alive, divided by
 * the time since the oldest one started, at least one window. The quota
 * is exceeded when that rate is above the configured bytes/s
 * (leader.replication.throttled.rate or
 * follower.replication.throttled.rate; THROTTLE_UNLIMITED, Kafka's
 * Long.MAX_VALUE, never is). Bytes are recorded whatever the rate, so a
 * newly set rate sees the recent traffic.
 *
 * Owns: the windows and the rate. Does not own: deciding which traffic is
 * recorded or held back (h_fetch.c on the leader, fetcher.c on the
 * follower), the configs (bconf.h, tconf.h).
 *
 * Spec: Kafka 2.8 ReplicationQuotaManager, SampledStat, SimpleRate,
 * Quota.acceptable; TopicConfigHandler.parseThrottledPartitions and
 * ThrottledReplicaListValidator for the lists.
 *
 * Thread safety: every function is thread-safe (one mutex per throttle);
 * IO loops record and check the leader quota, fetcher threads the
 * follower quota, the ctl thread sets the rates.
 */
#ifndef SAMSA_THROTTLE_H
#define SAMSA_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct throttle throttle_t;

/* monotonic milliseconds; injected so that tests control time */
typedef int64_t (*throttle_clock_fn)(void *ud);

/* Kafka's QuotaConfigs default: no bound */
#define THROTTLE_UNLIMITED INT64_MAX
/* Kafka 2.8's replication.quota.window.* defaults */
#define THROTTLE_NUM_WINDOWS 11
#define THROTTLE_WINDOW_MS 1000

/*
 * A throttle named @name (for diagnostics) of @num_windows windows of
 * @window_ms (both at least 1), unlimited until throttle_set_rate().
 * @clock NULL: clock_mono_ms().
 */
throttle_t *throttle_new(const char *name, int32_t num_windows,
                         int64_t window_ms, throttle_clock_fn clock,
                         void *clock_ud);
/* NULL is a no-op */
void throttle_free(throttle_t *t);

/* the bound in bytes/s (negative: 0); THROTTLE_UNLIMITED lifts it */
void throttle_set_rate(throttle_t *t, int64_t bytes_per_sec);
int64_t throttle_rate(throttle_t *t);

/* adds @bytes sent or received at the clock's now */
void throttle_record(throttle_t *t, int64_t bytes);
/* the measured rate now, in bytes/s */
double throttle_measure(throttle_t *t);
/* Kafka's isQuotaExceeded: measured rate > bound; false for NULL */
bool throttle_exceeded(throttle_t *t);

/*
 * The topic configs leader.replication.throttled.replicas and
 * follower.replication.throttled.replicas: "" (none), "*" (every
 * replica), or "partition:brokerId,...".
 *
 * throttle_replicas_valid(): Kafka's ThrottledReplicaListValidator on
 * the value parsed as a list (split on commas, blanks around them
 * dropped): every element is empty or digits:digits, or the elements
 * together are "*".
 *
 * throttle_replicas_match(): whether @value (NULL: unset) throttles
 * @partition on broker @broker_id: "*", or an element
 * "<partition>:<broker_id>". Elements that do not parse are skipped.
 */
bool throttle_replicas_valid(const char *value);
bool throttle_replicas_match(const char *value, int32_t partition,
                             int32_t broker_id);

#endif
