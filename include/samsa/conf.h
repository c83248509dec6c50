/*
 * conf: table-driven parser for key=value configuration files
 * (Kafka's server.properties syntax: '#' or '!' comments, blank lines,
 * "key=value" or "key: value", surrounding whitespace ignored).
 *
 * A table of conf_key_t describes each key: its type, where its value goes
 * in the caller's struct, its default and its bounds. conf_load() applies the
 * defaults, then the file, then the overrides. An unknown key is a warning;
 * a bad value is an error naming the file, the line and the key.
 * Not thread-safe; called once at startup.
 */
#ifndef SAMSA_CONF_H
#define SAMSA_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum conf_type {
    CONF_INT32,
    CONF_INT64,
    CONF_BOOL,
    CONF_STRING, /* char *, xmalloc'd; NULL when the default is NULL */
} conf_type_t;

typedef struct conf_key {
    const char *name; /* Kafka's key, verbatim */
    conf_type_t type;
    size_t offset;    /* offsetof(struct, field) */
    const char *dflt; /* default as text; NULL = unset (strings only) */
    int64_t min, max; /* bounds for integers */
    const char *doc;  /* one line for --help and samsad.conf(5) */
} conf_key_t;

/*
 * Loads @path (NULL: defaults and overrides only) into @base using @keys
 * (@nkeys entries). @overrides are "key=value" strings applied after the
 * file, reported as "--override" in errors. Returns 0, or ERR_CONFIG /
 * ERR_IO with "FILE:LINE: key: reason" in @errbuf.
 */
int conf_load(const conf_key_t *keys, size_t nkeys, void *base,
              const char *path, char *const *overrides, int noverrides,
              char *errbuf, size_t errlen);
/* parses one value into its field; 0 or ERR_CONFIG with a reason */
int conf_set(const conf_key_t *key, void *base, const char *value, char *errbuf,
             size_t errlen);
const conf_key_t *conf_find(const conf_key_t *keys, size_t nkeys,
                            const char *name);
/* frees the CONF_STRING fields */
void conf_free(const conf_key_t *keys, size_t nkeys, void *base);
/* parses a Kafka-style integer ("1073741824"); 0 or ERR_CONFIG */
int conf_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
