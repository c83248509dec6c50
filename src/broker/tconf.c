/*
 * tconf.c: the table of topic-level keys (see tconf.h). Names and defaults
 * are Kafka 2.8's (LogConfig); each default comes from the broker key named
 * beside it when samsad.conf has that key.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/buf.h"
#include "samsa/err.h"
#include "samsa/tconf.h"
#include "samsa/throttle.h"

static const char *const policies[] = {"delete", "compact", NULL};
static const char *const ts_types[] = {"CreateTime", "LogAppendTime", NULL};
static const char *const codecs[] = {
    "uncompressed", "zstd", "lz4", "snappy", "gzip", "producer", NULL};
static const char *const booleans[] = {"true", "false", NULL};

#define LMAXS "9223372036854775807"
#define LMAX INT64_MAX
#define LMIN INT64_MIN
#define IMAX INT32_MAX

const tconf_key_t tconf_keys[] = {
    {"cleanup.policy", TCONF_LIST, "log.cleanup.policy", "delete", policies, 0,
     0, "delete old segments, or compact to the last value per key"},
    {"compression.type", TCONF_STRING, "compression.type", "producer", codecs,
     0, 0, "codec of stored batches; producer keeps the producer's"},
    {"delete.retention.ms", TCONF_LONG, "log.cleaner.delete.retention.ms",
     "86400000", NULL, 0, LMAX, "how long tombstones are kept when compacting"},
    {"file.delete.delay.ms", TCONF_LONG, "log.segment.delete.delay.ms", "60000",
     NULL, 0, LMAX, "delay before a deleted segment's files are removed"},
    {"flush.messages", TCONF_LONG, "log.flush.interval.messages", LMAXS, NULL,
     1, LMAX, "fsync after this many unflushed messages"},
    {"flush.ms", TCONF_LONG, "log.flush.interval.ms", LMAXS, NULL, 0, LMAX,
     "fsync after data is this old"},
    {"follower.replication.throttled.replicas", TCONF_LIST, NULL, "", NULL, 0,
     0,
     "replicas throttled on the follower side (follower.replication."
     "throttled.rate): partition:brokerId,... or *"},
    {"index.interval.bytes", TCONF_INT, "log.index.interval.bytes", "4096",
     NULL, 0, IMAX, "bytes between offset index entries"},
    {"leader.replication.throttled.replicas", TCONF_LIST, NULL, "", NULL, 0, 0,
     "replicas throttled on the leader side (leader.replication.throttled."
     "rate): partition:brokerId,... or *"},
    {"max.compaction.lag.ms", TCONF_LONG, "log.cleaner.max.compaction.lag.ms",
     LMAXS, NULL, 1, LMAX, "longest a record stays uncompacted"},
    {"max.message.bytes", TCONF_INT, "message.max.bytes", "1048588", NULL, 0,
     IMAX, "largest record batch accepted"},
    {"message.downconversion.enable", TCONF_BOOLEAN,
     "log.message.downconversion.enable", "true", booleans, 0, 0,
     "down-convert for old consumers"},
    {"message.timestamp.difference.max.ms", TCONF_LONG,
     "log.message.timestamp.difference.max.ms", LMAXS, NULL, 0, LMAX,
     "largest accepted difference between broker and record time"},
    {"message.timestamp.type", TCONF_STRING, "log.message.timestamp.type",
     "CreateTime", ts_types, 0, 0, "CreateTime or LogAppendTime"},
    {"min.cleanable.dirty.ratio", TCONF_DOUBLE,
     "log.cleaner.min.cleanable.ratio", "0.5", NULL, 0, 1,
     "dirty ratio that triggers compaction"},
    {"min.compaction.lag.ms", TCONF_LONG, "log.cleaner.min.compaction.lag.ms",
     "0", NULL, 0, LMAX, "shortest a record stays uncompacted"},
    {"min.insync.replicas", TCONF_INT, "min.insync.replicas", "1", NULL, 1,
     IMAX, "replicas that must hold a batch before acks=all succeeds"},
    {"preallocate", TCONF_BOOLEAN, "log.preallocate", "false", booleans, 0, 0,
     "preallocate segment files"},
    {"retention.bytes", TCONF_LONG, "log.retention.bytes", "-1", NULL, LMIN,
     LMAX, "partition size above which old segments are deleted"},
    {"retention.ms", TCONF_LONG, "log.retention.ms", "604800000", NULL, -1,
     LMAX, "age after which segments are deleted; -1 = forever"},
    {"segment.bytes", TCONF_INT, "log.segment.bytes", "1073741824", NULL, 14,
     IMAX, "segment size at which a new one is rolled"},
    {"segment.index.bytes", TCONF_INT, "log.index.size.max.bytes", "10485760",
     NULL, 4, IMAX, "largest offset index file"},
    {"segment.jitter.ms", TCONF_LONG, "log.roll.jitter.ms", "0", NULL, 0, LMAX,
     "random jitter subtracted from segment.ms"},
    {"segment.ms", TCONF_LONG, "log.roll.ms", "604800000", NULL, 1, LMAX,
     "segment age at which a new one is rolled"},
    {"unclean.leader.election.enable", TCONF_BOOLEAN,
     "unclean.leader.election.enable", "false", booleans, 0, 0,
     "elect an out-of-sync replica as a last resort"},
};
const size_t tconf_nkeys = sizeof(tconf_keys) / sizeof(tconf_keys[0]);

const tconf_key_t *
tconf_find(const char *name)
{
    for (size_t i = 0; i < tconf_nkeys; i++)
        if (strcmp(tconf_keys[i].name, name) == 0)
            return &tconf_keys[i];
    return NULL;
}

/* the throttled replica lists (KIP-73): no broker synonym, own check */
static bool
tconf_throttled_list(const tconf_key_t *key)
{
    return strcmp(key->name, "leader.replication.throttled.replicas") == 0 ||
           strcmp(key->name, "follower.replication.throttled.replicas") == 0;
}

/*
 * Kafka's ThrottledReplicaListValidator message; the value shows as the
 * parsed list does in Java ("[0:1, x]")
 */
static void
tconf_throttled_error(const char *name, const char *value, char *err,
                      size_t errlen)
{
    buf_t list = BUF_INIT;
    const char *p = value, *end = value + strlen(value);

    while (p < end && isspace((unsigned char)*p))
        p++;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    buf_append(&list, "[", 1);
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *e = comma != NULL ? comma : end, *q = e;

        while (p < q && isspace((unsigned char)*p))
            p++;
        while (q > p && isspace((unsigned char)q[-1]))
            q--;
        buf_append(&list, p, (size_t)(q - p));
        if (comma == NULL)
            break;
        buf_append(&list, ", ", 2);
        p = comma + 1;
        if (p == end)
            break; /* a trailing empty element */
    }
    buf_append(&list, "]", 2); /* with the NUL */
    snprintf(err, errlen,
             "Invalid value %s for configuration %s: %s must be the "
             "literal '*' or a list of replicas in the following format: "
             "[partitionId]:[brokerId],[partitionId]:[brokerId],...",
             (const char *)list.data, name, name);
    buf_fini(&list);
}

static bool
tconf_allowed(const char *const *allowed, const char *value)
{
    for (; *allowed != NULL; allowed++)
        if (strcmp(*allowed, value) == 0)
            return true;
    return false;
}

bool
tconf_valid(const char *name, const char *value, char *err, size_t errlen)
{
    const tconf_key_t *key = tconf_find(name);
    int64_t v;
    char *end;

    if (key == NULL) {
        snprintf(err, errlen, "Unknown topic config name: %s", name);
        return false;
    }
    if (value == NULL) {
        snprintf(err, errlen,
                 "Null value not supported for topic configs: "
                 "%s",
                 name);
        return false;
    }
    switch (key->type) {
    case TCONF_INT:
    case TCONF_SHORT:
    case TCONF_LONG:
        if (conf_parse_int(value, INT64_MIN, INT64_MAX, &v) != 0) {
            snprintf(err, errlen,
                     "Invalid value %s for configuration %s: "
                     "Not a number of type %s",
                     value, name, key->type == TCONF_LONG ? "LONG" : "INT");
            return false;
        }
        if (v < key->min || v > key->max) {
            snprintf(err, errlen,
                     "Invalid value %s for configuration %s: "
                     "Value must be in [%lld, %lld]",
                     value, name, (long long)key->min, (long long)key->max);
            return false;
        }
        return true;
    case TCONF_DOUBLE: {
        double d = strtod(value, &end);

        if (*value == '\0' || *end != '\0' || d < (double)key->min ||
            d > (double)key->max) {
            snprintf(err, errlen,
                     "Invalid value %s for configuration %s: "
                     "Not a number of type DOUBLE in [%lld, "
                     "%lld]",
                     value, name, (long long)key->min, (long long)key->max);
            return false;
        }
        return true;
    }
    case TCONF_LIST:
        if (tconf_throttled_list(key)) {
            if (throttle_replicas_valid(value))
                return true;
            tconf_throttled_error(name, value, err, errlen);
            return false;
        }
        if (key->allowed != NULL) {
            char *copy = strdup(value), *save = NULL;
            bool ok = true;

            for (char *t = strtok_r(copy, ",", &save); t != NULL && ok;
                 t = strtok_r(NULL, ",", &save))
                ok = tconf_allowed(key->allowed, t);
            free(copy);
            if (!ok) {
                snprintf(err, errlen,
                         "Invalid value %s for configuration "
                         "%s",
                         value, name);
                return false;
            }
        }
        return true;
    default:
        if (key->allowed != NULL && !tconf_allowed(key->allowed, value)) {
            snprintf(err, errlen, "Invalid value %s for configuration %s",
                     value, name);
            return false;
        }
        return true;
    }
}

const char *
tconf_broker_value(const bconf_t *conf, const char *broker_key, char *buf,
                   size_t len)
{
    const conf_key_t *k;
    const char *field;

    if (broker_key == NULL)
        return NULL; /* a topic key without a broker synonym */
    k = conf_find(bconf_keys, bconf_nkeys, broker_key);

    /* keys whose effective value is derived from several settings */
    if (strcmp(broker_key, "log.retention.ms") == 0) {
        snprintf(buf, len, "%lld", (long long)conf->retention_ms);
        return buf;
    }
    if (strcmp(broker_key, "log.roll.ms") == 0) {
        snprintf(buf, len, "%lld", (long long)conf->roll_ms);
        return buf;
    }
    if (strcmp(broker_key, "log.flush.interval.ms") == 0) {
        snprintf(buf, len, "%lld", (long long)conf->flush_ms);
        return buf;
    }
    if (k == NULL)
        return NULL;
    field = (const char *)conf + k->offset;
    switch (k->type) {
    case CONF_INT32:
        snprintf(buf, len, "%d", *(const int32_t *)field);
        return buf;
    case CONF_INT64:
        if (*(const int64_t *)field == BCONF_UNSET)
            return NULL;
        snprintf(buf, len, "%lld", (long long)*(const int64_t *)field);
        return buf;
    case CONF_BOOL:
        snprintf(buf, len, "%s", *(const bool *)field ? "true" : "false");
        return buf;
    case CONF_STRING: return *(char *const *)field;
    }
    return NULL;
}

const char *
tconf_default(const bconf_t *conf, const tconf_key_t *key, char *buf,
              size_t len, bool *from_broker)
{
    const char *v = tconf_broker_value(conf, key->broker_key, buf, len);

    *from_broker = v != NULL;
    if (v == NULL) {
        snprintf(buf, len, "%s", key->dflt);
        return buf;
    }
    return v;
}

void
tconf_effective(const bconf_t *conf, const tconf_key_t *key,
                const char *override, char *buf, size_t len, tconf_value_t *out)
{
    bool from_broker;
    int8_t dyn;

    out->dflt = tconf_default(conf, key, buf, len, &from_broker);
    dyn = from_broker ? bconf_dynamic_source(conf, key->broker_key) : 0;
    /* a broker key left at Kafka's default is reported as the default */
    out->dflt_source = dyn != 0 ? dyn
                       : from_broker && strcmp(out->dflt, key->dflt) != 0
                           ? TCONF_SOURCE_STATIC_BROKER
                           : TCONF_SOURCE_DEFAULT;
    out->value = override ? override : out->dflt;
    out->source = override ? TCONF_SOURCE_DYNAMIC_TOPIC : out->dflt_source;
}

/* the effective integer value of a topic key */
static int64_t
tconf_int(const bconf_t *conf, const mc_topic_t *topic, const char *name)
{
    const tconf_key_t *key = tconf_find(name);
    const char *v = topic ? mc_topic_config(topic, name) : NULL;
    char buf[64];
    bool from_broker;
    int64_t out;

    if (v == NULL || conf_parse_int(v, INT64_MIN, INT64_MAX, &out) != 0) {
        v = tconf_default(conf, key, buf, sizeof(buf), &from_broker);
        if (conf_parse_int(v, INT64_MIN, INT64_MAX, &out) != 0)
            out = 0;
    }
    return out;
}

void
tconf_log_config(const bconf_t *conf, const mc_topic_t *topic, log_config_t *lc)
{
    int64_t flush_ms;

    log_config_defaults(lc);
    lc->segment_bytes = tconf_int(conf, topic, "segment.bytes");
    lc->segment_ms = tconf_int(conf, topic, "segment.ms");
    lc->retention_ms = tconf_int(conf, topic, "retention.ms");
    if (lc->retention_ms < 0)
        lc->retention_ms = -1;
    lc->retention_bytes = tconf_int(conf, topic, "retention.bytes");
    lc->flush_interval_messages = tconf_int(conf, topic, "flush.messages");
    flush_ms = tconf_int(conf, topic, "flush.ms");
    lc->flush_interval_ms = flush_ms == INT64_MAX ? -1 : flush_ms;
    lc->index_interval_bytes =
        (int32_t)tconf_int(conf, topic, "index.interval.bytes");
    lc->segment_index_bytes =
        (int32_t)tconf_int(conf, topic, "segment.index.bytes");
    lc->max_message_bytes =
        (int32_t)tconf_int(conf, topic, "max.message.bytes");
}
