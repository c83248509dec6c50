/*
 * bconf.c: the table of samsad's configuration keys and their checks
 * (see bconf.h). Names, defaults and meanings follow Kafka 2.8's broker
 * configuration wherever Kafka has the key.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samsa/bconf.h"
#include "samsa/err.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

#define I32 CONF_INT32
#define I64 CONF_INT64
#define KEY(name, type, field, dflt, min, max, doc)                            \
    {                                                                          \
        name, type, offsetof(bconf_t, field), dflt, min, max, doc              \
    }
#define IMAX INT32_MAX
#define LMAX INT64_MAX

const conf_key_t bconf_keys[] = {
    KEY("broker.id", I32, broker_id, NULL, 0, IMAX,
        "unique id of this broker in the cluster (required)"),
    KEY("listeners", CONF_STRING, listeners, "PLAINTEXT://:9092", 0, 0,
        "where to accept clients: PLAINTEXT://host:port (empty host = all)"),
    KEY("advertised.listeners", CONF_STRING, advertised_listeners, NULL, 0, 0,
        "the address clients are told to use (default: listeners)"),
    KEY("log.dir", CONF_STRING, log_dir, LOCALSTATEDIR "/lib/samsa", 0, 0,
        "the log directory, used when log.dirs is not set"),
    KEY("log.dirs", CONF_STRING, log_dirs, NULL, 0, 0,
        "comma-separated log directories"),
    KEY("zookeeper.connect", CONF_STRING, zookeeper_connect, NULL, 0, 0,
        "ZooKeeper ensemble host:port[,host:port][/chroot] (required)"),
    KEY("zookeeper.session.timeout.ms", I32, zookeeper_session_timeout_ms,
        "18000", 1000, IMAX, "ZooKeeper session timeout"),
    KEY("num.network.threads", I32, num_network_threads, "0", 0, 256,
        "IO loops serving clients; 0 = one per CPU core"),
    KEY("num.partitions", I32, num_partitions, "1", 1, 1000000,
        "partitions of an automatically created topic"),
    KEY("default.replication.factor", I32, default_replication_factor, "1", 1,
        32767, "replication factor of an automatically created topic"),
    KEY("min.insync.replicas", I32, min_insync_replicas, "1", 1, IMAX,
        "replicas that must hold a batch before acks=all succeeds"),
    KEY("num.replica.fetchers", I32, num_replica_fetchers, "1", 1, 256,
        "fetcher threads per leader broker replicating to this one"),
    KEY("auto.create.topics.enable", CONF_BOOL, auto_create_topics_enable,
        "true", 0, 0, "create a topic when a client asks for it by name"),
    KEY("delete.topic.enable", CONF_BOOL, delete_topic_enable, "true", 0, 0,
        "allow DeleteTopics"),
    KEY("unclean.leader.election.enable", CONF_BOOL,
        unclean_leader_election_enable, "false", 0, 0,
        "elect an out-of-sync replica as leader as a last resort"),
    KEY("auto.leader.rebalance.enable", CONF_BOOL, auto_leader_rebalance_enable,
        "true", 0, 0,
        "the controller moves leadership back to preferred replicas"),
    KEY("leader.imbalance.check.interval.seconds", I64,
        leader_imbalance_check_interval_seconds, "300", 1, IMAX,
        "how often the controller checks the leader balance"),
    KEY("leader.imbalance.per.broker.percentage", I32,
        leader_imbalance_per_broker_percentage, "10", 0, 100,
        "share of a broker's preferred partitions it may not lead before "
        "a rebalance"),
    KEY("message.max.bytes", I32, message_max_bytes, "1048588", 0, IMAX,
        "largest record batch accepted"),
    KEY("socket.request.max.bytes", I32, socket_request_max_bytes, "104857600",
        1, IMAX, "largest request frame accepted"),
    KEY("log.segment.bytes", I64, log_segment_bytes, "1073741824", 14, IMAX,
        "segment file size at which a new segment is rolled"),
    KEY("log.roll.ms", I64, log_roll_ms, NULL, 1, LMAX,
        "segment age at which a new segment is rolled (over log.roll.hours)"),
    KEY("log.roll.hours", I64, log_roll_hours, "168", 1, IMAX,
        "segment age in hours at which a new segment is rolled"),
    KEY("log.retention.ms", I64, log_retention_ms, NULL, -1, LMAX,
        "age after which segments are deleted; -1 = forever"),
    KEY("log.retention.minutes", I64, log_retention_minutes, NULL, -1, IMAX,
        "retention in minutes (when log.retention.ms is not set)"),
    KEY("log.retention.hours", I64, log_retention_hours, "168", -1, IMAX,
        "retention in hours (when neither of the above is set)"),
    KEY("log.retention.bytes", I64, log_retention_bytes, "-1", -1, LMAX,
        "partition size above which old segments are deleted; -1 = none"),
    KEY("log.retention.check.interval.ms", I64, log_retention_check_interval_ms,
        "300000", 1, LMAX, "how often retention is checked"),
    KEY("log.flush.interval.messages", I64, log_flush_interval_messages,
        "9223372036854775807", 1, LMAX,
        "fsync a partition after this many unflushed messages"),
    KEY("log.flush.interval.ms", I64, log_flush_interval_ms, NULL, 0, LMAX,
        "fsync a partition after its data is this old"),
    KEY("log.flush.scheduler.interval.ms", I64, log_flush_scheduler_interval_ms,
        "9223372036854775807", 0, LMAX, "default of log.flush.interval.ms"),
    KEY("log.index.interval.bytes", I32, log_index_interval_bytes, "4096", 0,
        IMAX, "bytes between offset index entries"),
    KEY("log.index.size.max.bytes", I32, log_index_size_max_bytes, "10485760",
        4, IMAX, "largest offset index file"),
    KEY("connections.max.idle.ms", I64, connections_max_idle_ms, "600000", 1,
        LMAX, "close connections idle this long"),
    KEY("replica.lag.time.max.ms", I64, replica_lag_time_max_ms, "30000", 1,
        LMAX, "a follower behind this long leaves the ISR"),
    KEY("leader.replication.throttled.rate", I64,
        leader_replication_throttled_rate, NULL, 0, LMAX,
        "bytes/s bound on leader-side replication of throttled replicas; "
        "dynamic only, unset = unlimited"),
    KEY("follower.replication.throttled.rate", I64,
        follower_replication_throttled_rate, NULL, 0, LMAX,
        "bytes/s bound on follower-side replication of throttled replicas; "
        "dynamic only, unset = unlimited"),
    KEY("replication.quota.window.num", I32, replication_quota_window_num, "11",
        1, IMAX, "windows over which replication rates are measured"),
    KEY("replication.quota.window.size.seconds", I32,
        replication_quota_window_size_seconds, "1", 1, IMAX,
        "length of one replication quota window"),
    KEY("controlled.shutdown.enable", CONF_BOOL, controlled_shutdown_enable,
        "true", 0, 0,
        "on SIGTERM, ask the controller to move leaderships away first"),
    KEY("controlled.shutdown.max.retries", I32, controlled_shutdown_max_retries,
        "3", 1, IMAX, "controlled shutdown attempts before stopping anyway"),
    KEY("controlled.shutdown.retry.backoff.ms", I64,
        controlled_shutdown_retry_backoff_ms, "5000", 0, LMAX,
        "wait between controlled shutdown attempts"),
    KEY("broker.rack", CONF_STRING, broker_rack, NULL, 0, 0,
        "rack of this broker, for rack-aware replica assignment"),
    KEY("samsa.log.level", CONF_STRING, log_level, "info", 0, 0,
        "diagnostic level: debug, info, warn or error"),
    KEY("group.initial.rebalance.delay.ms", I32,
        group_initial_rebalance_delay_ms, "3000", 0, IMAX,
        "how long an empty group waits for more members before its first "
        "rebalance"),
    KEY("group.max.size", I32, group_max_size, "2147483647", 1, IMAX,
        "most members a consumer group may have"),
    KEY("group.min.session.timeout.ms", I32, group_min_session_timeout_ms,
        "6000", 0, IMAX, "smallest session timeout a group member may ask"),
    KEY("group.max.session.timeout.ms", I32, group_max_session_timeout_ms,
        "1800000", 0, IMAX, "largest session timeout a group member may ask"),
    KEY("offsets.retention.minutes", I64, offsets_retention_minutes, "10080", 1,
        LMAX, "committed offsets of a group empty this long are deleted"),
};
const size_t bconf_nkeys = sizeof(bconf_keys) / sizeof(bconf_keys[0]);

/* parses "PLAINTEXT://host:port" (the first listener of a list) */
static int
bconf_listener(const char *spec, char **host, int32_t *port, char *errbuf,
               size_t errlen, const char *key)
{
    const char *p = spec, *colon, *end;
    int64_t v;
    char *num;

    if (strncmp(p, "PLAINTEXT://", 12) != 0) {
        snprintf(errbuf, errlen,
                 "%s: '%s': only PLAINTEXT://host:port listeners are "
                 "supported",
                 key, spec);
        return ERR_CONFIG;
    }
    p += 12;
    end = strchr(p, ',');
    if (end == NULL)
        end = p + strlen(p);
    colon = memrchr(p, ':', end - p);
    if (colon == NULL) {
        snprintf(errbuf, errlen, "%s: '%s': missing :port", key, spec);
        return ERR_CONFIG;
    }
    num = xstrndup(colon + 1, end - colon - 1);
    if (conf_parse_int(num, 0, 65535, &v) != 0) {
        snprintf(errbuf, errlen, "%s: '%s': invalid port", key, spec);
        free(num);
        return ERR_CONFIG;
    }
    free(num);
    *host = xstrndup(p, colon - p);
    *port = (int32_t)v;
    return 0;
}

static void
bconf_split_dirs(bconf_t *conf)
{
    const char *list = conf->log_dirs ? conf->log_dirs : conf->log_dir;
    char *copy = xstrdup(list), *save = NULL;

    conf->dirs = xcalloc(strlen(list) + 1, sizeof(char *));
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        if (*tok != '\0')
            conf->dirs[conf->ndirs++] = xstrdup(tok);
    }
    free(copy);
}

/*
 * The replication throttle rates exist only as dynamic configs in Kafka
 * (DynamicConfig.Broker, not KafkaConfig): a broker ignores them in its
 * properties file, and so does samsad.
 */
static void
bconf_dynamic_only(bconf_t *conf)
{
    if (conf->leader_replication_throttled_rate != BCONF_UNSET)
        say_warn("leader.replication.throttled.rate can only be set "
                 "dynamically (samsa configs); the static value is ignored");
    if (conf->follower_replication_throttled_rate != BCONF_UNSET)
        say_warn("follower.replication.throttled.rate can only be set "
                 "dynamically (samsa configs); the static value is ignored");
    conf->leader_replication_throttled_rate = BCONF_UNSET;
    conf->follower_replication_throttled_rate = BCONF_UNSET;
}

static int
bconf_derive(bconf_t *conf, char *errbuf, size_t errlen)
{
    int rc;

    if (conf->broker_id < 0) {
        snprintf(errbuf, errlen, "broker.id: not set (required)");
        return ERR_CONFIG;
    }
    if (conf->zookeeper_connect == NULL || *conf->zookeeper_connect == '\0') {
        snprintf(errbuf, errlen, "zookeeper.connect: not set (required)");
        return ERR_CONFIG;
    }
    rc = bconf_listener(conf->listeners, &conf->listen_host, &conf->listen_port,
                        errbuf, errlen, "listeners");
    if (rc != 0)
        return rc;
    rc = bconf_listener(conf->advertised_listeners ? conf->advertised_listeners
                                                   : conf->listeners,
                        &conf->advertised_host, &conf->advertised_port, errbuf,
                        errlen, "advertised.listeners");
    if (rc != 0)
        return rc;
    if (*conf->advertised_host == '\0') {
        char name[256];

        if (gethostname(name, sizeof(name)) != 0)
            snprintf(name, sizeof(name), "localhost");
        name[sizeof(name) - 1] = '\0';
        free(conf->advertised_host);
        conf->advertised_host = xstrdup(name);
    }
    bconf_split_dirs(conf);
    if (conf->ndirs == 0) {
        snprintf(errbuf, errlen, "log.dirs: no directory given");
        return ERR_CONFIG;
    }
    if (say_parse_level(conf->log_level) < 0) {
        snprintf(errbuf, errlen,
                 "samsa.log.level: '%s' is not debug, info, warn or error",
                 conf->log_level);
        return ERR_CONFIG;
    }
    conf->roll_ms = conf->log_roll_ms != BCONF_UNSET
                        ? conf->log_roll_ms
                        : conf->log_roll_hours * 3600000;
    if (conf->log_retention_ms != BCONF_UNSET)
        conf->retention_ms = conf->log_retention_ms;
    else if (conf->log_retention_minutes != BCONF_UNSET)
        conf->retention_ms = conf->log_retention_minutes * 60000;
    else
        conf->retention_ms = conf->log_retention_hours * 3600000;
    if (conf->retention_ms < 0)
        conf->retention_ms = -1;
    conf->flush_ms = conf->log_flush_interval_ms != BCONF_UNSET
                         ? conf->log_flush_interval_ms
                         : conf->log_flush_scheduler_interval_ms;
    bconf_dynamic_only(conf);
    return 0;
}

int
bconf_load(bconf_t *conf, const char *path, char *const *overrides,
           int noverrides, char *errbuf, size_t errlen)
{
    int rc;

    memset(conf, 0, sizeof(*conf));
    conf->broker_id = -1;
    conf->log_roll_ms = BCONF_UNSET;
    conf->log_retention_ms = BCONF_UNSET;
    conf->log_retention_minutes = BCONF_UNSET;
    conf->log_flush_interval_ms = BCONF_UNSET;
    conf->leader_replication_throttled_rate = BCONF_UNSET;
    conf->follower_replication_throttled_rate = BCONF_UNSET;
    rc = conf_load(bconf_keys, bconf_nkeys, conf, path, overrides, noverrides,
                   errbuf, errlen);
    if (rc == 0)
        rc = bconf_derive(conf, errbuf, errlen);
    if (rc != 0)
        bconf_free(conf);
    return rc;
}

void
bconf_free(bconf_t *conf)
{
    conf_free(bconf_keys, bconf_nkeys, conf);
    free(conf->listen_host);
    free(conf->advertised_host);
    for (int i = 0; i < conf->ndirs; i++)
        free(conf->dirs[i]);
    free(conf->dirs);
    memset(conf, 0, sizeof(*conf));
}

/* ---- dynamic broker configs (KIP-226) --------------------------------- */

/* the keys samsa honours at runtime without a restart: read on every use
 * (h_produce, h_metadata, the controller) or pushed into the open logs */
static const char *const bconf_dynamic_keys[] = {
    "message.max.bytes",
    "log.retention.ms",
    "log.retention.bytes",
    "log.segment.bytes",
    "log.roll.ms",
    "log.flush.interval.messages",
    "log.flush.interval.ms",
    "min.insync.replicas",
    "unclean.leader.election.enable",
    "auto.create.topics.enable",
    "leader.replication.throttled.rate",
    "follower.replication.throttled.rate",
    NULL,
};

bool
bconf_dynamic_key(const char *name)
{
    for (const char *const *k = bconf_dynamic_keys; *k != NULL; k++)
        if (strcmp(*k, name) == 0)
            return true;
    return false;
}

bool
bconf_dynamic_valid(const char *name, const char *value, bool *not_dynamic,
                    char *err, size_t errlen)
{
    const conf_key_t *key = conf_find(bconf_keys, bconf_nkeys, name);
    int64_t v;

    *not_dynamic = false;
    if (key == NULL || !bconf_dynamic_key(name)) {
        *not_dynamic = true;
        snprintf(err, errlen,
                 "Cannot update these configs dynamically: "
                 "Set(%s)",
                 name);
        return false;
    }
    if (value == NULL) {
        snprintf(err, errlen,
                 "Null value not supported for broker config "
                 "%s",
                 name);
        return false;
    }
    if (key->type == CONF_BOOL) {
        if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
            snprintf(err, errlen,
                     "Invalid value %s for configuration %s: "
                     "Expected value to be either true or "
                     "false",
                     value, name);
            return false;
        }
        return true;
    }
    if (conf_parse_int(value, INT64_MIN, INT64_MAX, &v) != 0) {
        snprintf(err, errlen,
                 "Invalid value %s for configuration %s: Not "
                 "a number of type %s",
                 value, name, key->type == CONF_INT64 ? "LONG" : "INT");
        return false;
    }
    if (v < key->min || v > key->max) {
        snprintf(err, errlen,
                 "Invalid value %s for configuration %s: Value "
                 "must be in [%lld, %lld]",
                 value, name, (long long)key->min, (long long)key->max);
        return false;
    }
    return true;
}

/* one override into @conf; the derived fields follow their keys */
static void
bconf_dynamic_set(bconf_t *conf, const char *name, const char *value,
                  int8_t source)
{
    const conf_key_t *key = conf_find(bconf_keys, bconf_nkeys, name);
    char err[256];
    bool nd;
    int32_t i;

    if (!bconf_dynamic_valid(name, value, &nd, err, sizeof(err))) {
        say_warn("dynamic broker config ignored: %s", err);
        return;
    }
    if (conf_set(key, conf, value, err, sizeof(err)) != 0) {
        say_warn("dynamic broker config ignored: %s", err);
        return;
    }
    if (strcmp(name, "log.retention.ms") == 0)
        conf->retention_ms =
            conf->log_retention_ms < 0 ? -1 : conf->log_retention_ms;
    else if (strcmp(name, "log.roll.ms") == 0)
        conf->roll_ms = conf->log_roll_ms;
    else if (strcmp(name, "log.flush.interval.ms") == 0)
        conf->flush_ms = conf->log_flush_interval_ms;
    for (i = 0; i < conf->ndynamic; i++)
        if (strcmp(conf->dynamic_keys[i], name) == 0)
            break;
    if (i == conf->ndynamic)
        conf->dynamic_keys[conf->ndynamic++] = xstrdup(name);
    conf->dynamic_sources[i] = source;
}

bconf_t *
bconf_dynamic_new(const bconf_t *base, int nd, const char *const *dkeys,
                  const char *const *dvals, int nb, const char *const *bkeys,
                  const char *const *bvals)
{
    bconf_t *conf = xmalloc(sizeof(*conf));
    int cap = (nd > 0 ? nd : 0) + (nb > 0 ? nb : 0) + 1;

    *conf = *base;
    conf->ndynamic = 0;
    conf->dynamic_keys = xcalloc(cap, sizeof(char *));
    conf->dynamic_sources = xcalloc(cap, sizeof(int8_t));
    for (int i = 0; i < nd; i++)
        bconf_dynamic_set(conf, dkeys[i], dvals[i],
                          BCONF_SOURCE_DYNAMIC_DEFAULT);
    for (int i = 0; i < nb; i++)
        bconf_dynamic_set(conf, bkeys[i], bvals[i],
                          BCONF_SOURCE_DYNAMIC_BROKER);
    return conf;
}

void
bconf_dynamic_free(bconf_t *conf)
{
    if (conf == NULL)
        return;
    for (int32_t i = 0; i < conf->ndynamic; i++)
        free(conf->dynamic_keys[i]);
    free(conf->dynamic_keys);
    free(conf->dynamic_sources);
    free(conf);
}

int8_t
bconf_dynamic_source(const bconf_t *conf, const char *name)
{
    for (int32_t i = 0; i < conf->ndynamic; i++)
        if (strcmp(conf->dynamic_keys[i], name) == 0)
            return conf->dynamic_sources[i];
    return 0;
}
