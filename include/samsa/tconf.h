/*
 * tconf: topic-level configuration (Kafka 2.8's LogConfig keys).
 *
 * Each key has a broker-level synonym whose value is the topic's default;
 * a topic override lives in /config/topics/<t> (mc_topic_t.configs).
 * One table serves CreateTopics validation, DescribeConfigs, and the
 * effective log_config_t of a partition. Pure functions; thread-safe.
 */
#ifndef SAMSA_TCONF_H
#define SAMSA_TCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samsa/bconf.h"
#include "samsa/metacache.h"
#include "samsa/plog.h"

typedef enum tconf_type {
    TCONF_BOOLEAN,
    TCONF_STRING,
    TCONF_INT,
    TCONF_SHORT,
    TCONF_LONG,
    TCONF_DOUBLE,
    TCONF_LIST,
    TCONF_CLASS,
    TCONF_PASSWORD,
} tconf_type_t; /* DescribeConfigs v3 config_type numbering minus one */

typedef struct tconf_key {
    const char *name;
    tconf_type_t type;
    const char *broker_key;     /* synonym whose value is the default;
                                 * NULL: none (Kafka's default applies) */
    const char *dflt;           /* default when the broker has no such key */
    const char *const *allowed; /* NULL-terminated values, or NULL */
    int64_t min, max;           /* bounds of numeric keys (Kafka's LogConfig) */
    const char *doc;
} tconf_key_t;

extern const tconf_key_t tconf_keys[];
extern const size_t tconf_nkeys;

const tconf_key_t *tconf_find(const char *name);
/* checks a CreateTopics/AlterConfigs value; false with a reason */
bool tconf_valid(const char *key, const char *value, char *err, size_t errlen);
/*
 * The broker-level default of @key as text, written into @buf. Returns
 * @buf, and sets *@from_broker when a broker key supplies it.
 */
const char *tconf_default(const bconf_t *conf, const tconf_key_t *key,
                          char *buf, size_t len, bool *from_broker);
/* the value of a broker key (bconf table) as text into @buf, or NULL */
const char *tconf_broker_value(const bconf_t *conf, const char *broker_key,
                               char *buf, size_t len);
/* Kafka's ConfigSource, as DescribeConfigs v1+ and CreateTopics v5+ say */
enum {
    TCONF_SOURCE_DYNAMIC_TOPIC = 1,
    TCONF_SOURCE_DYNAMIC_BROKER = 2,
    TCONF_SOURCE_DYNAMIC_DEFAULT = 3,
    TCONF_SOURCE_STATIC_BROKER = 4,
    TCONF_SOURCE_DEFAULT = 5,
};

/* one key's value for a topic, and where it comes from */
typedef struct tconf_value {
    const char *value;  /* the override, else the default below */
    int8_t source;      /* of value */
    const char *dflt;   /* the value without the override */
    int8_t dflt_source; /* of dflt: a broker key, or Kafka's default */
} tconf_value_t;

/*
 * The effective value of @key for a topic whose override is @override
 * (NULL: none). Strings point into @buf, the override, or static data.
 */
void tconf_effective(const bconf_t *conf, const tconf_key_t *key,
                     const char *override, char *buf, size_t len,
                     tconf_value_t *out);

/* effective log settings of @topic (overrides over broker defaults) */
void tconf_log_config(const bconf_t *conf, const mc_topic_t *topic,
                      log_config_t *lc);

#endif
