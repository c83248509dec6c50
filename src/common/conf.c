/*
 * conf.c: key=value configuration files (see conf.h).
 *
 * Owns the syntax and value parsing; what the keys mean belongs to the table
 * passed in (src/daemon/config.c for samsad).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/conf.h"
#include "samsa/err.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

const conf_key_t *
conf_find(const conf_key_t *keys, size_t nkeys, const char *name)
{
    for (size_t i = 0; i < nkeys; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

int
conf_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno == ERANGE || v < min || v > max)
        return ERR_CONFIG;
    *out = v;
    return 0;
}

int
conf_set(const conf_key_t *key, void *base, const char *value, char *errbuf,
         size_t errlen)
{
    char *field = (char *)base + key->offset;
    int64_t v;

    switch (key->type) {
    case CONF_INT32:
    case CONF_INT64:
        if (conf_parse_int(value, key->min, key->max, &v) != 0) {
            snprintf(errbuf, errlen,
                     "invalid value '%s' (expected an integer from %lld to "
                     "%lld)",
                     value, (long long)key->min, (long long)key->max);
            return ERR_CONFIG;
        }
        if (key->type == CONF_INT32)
            *(int32_t *)field = (int32_t)v;
        else
            *(int64_t *)field = v;
        return 0;
    case CONF_BOOL:
        if (strcasecmp(value, "true") == 0)
            *(bool *)field = true;
        else if (strcasecmp(value, "false") == 0)
            *(bool *)field = false;
        else {
            snprintf(errbuf, errlen,
                     "invalid value '%s' (expected true or false)", value);
            return ERR_CONFIG;
        }
        return 0;
    case CONF_STRING:
        free(*(char **)field);
        *(char **)field = xstrdup(value);
        return 0;
    }
    snprintf(errbuf, errlen, "unknown type");
    return ERR_CONFIG;
}

/* trims leading and trailing whitespace in place */
static char *
conf_trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* applies "key=value" from @where (file:line or --override) */
static int
conf_apply(const conf_key_t *keys, size_t nkeys, void *base, char *line,
           const char *where, char *errbuf, size_t errlen)
{
    const conf_key_t *key;
    char reason[256];
    char *sep, *name, *value;

    sep = strpbrk(line, "=:");
    if (sep == NULL) {
        snprintf(errbuf, errlen, "%s: expected key=value, got '%s'", where,
                 line);
        return ERR_CONFIG;
    }
    *sep = '\0';
    name = conf_trim(line);
    value = conf_trim(sep + 1);
    key = conf_find(keys, nkeys, name);
    if (key == NULL) {
        say_warn("%s: unknown configuration key '%s' ignored", where, name);
        return 0;
    }
    if (conf_set(key, base, value, reason, sizeof(reason)) != 0) {
        snprintf(errbuf, errlen, "%s: %s: %s", where, name, reason);
        return ERR_CONFIG;
    }
    return 0;
}

static int
conf_load_file(const conf_key_t *keys, size_t nkeys, void *base,
               const char *path, char *errbuf, size_t errlen)
{
    char where[512];
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = 0;
    FILE *f;

    f = fopen(path, "r");
    if (f == NULL) {
        snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
        return ERR_IO;
    }
    while (rc == 0 && getline(&line, &cap, f) >= 0) {
        char *s = conf_trim(line);

        lineno++;
        if (*s == '\0' || *s == '#' || *s == '!')
            continue;
        snprintf(where, sizeof(where), "%s:%d", path, lineno);
        rc = conf_apply(keys, nkeys, base, s, where, errbuf, errlen);
    }
    if (rc == 0 && ferror(f)) {
        snprintf(errbuf, errlen, "%s: read error: %s", path, strerror(errno));
        rc = ERR_IO;
    }
    free(line);
    fclose(f);
    return rc;
}

int
conf_load(const conf_key_t *keys, size_t nkeys, void *base, const char *path,
          char *const *overrides, int noverrides, char *errbuf, size_t errlen)
{
    char reason[256];
    int rc;

    for (size_t i = 0; i < nkeys; i++) {
        if (keys[i].dflt == NULL)
            continue;
        if (conf_set(&keys[i], base, keys[i].dflt, reason, sizeof(reason)) !=
            0) {
            snprintf(errbuf, errlen, "default of %s: %s", keys[i].name, reason);
            return ERR_CONFIG;
        }
    }
    if (path != NULL) {
        rc = conf_load_file(keys, nkeys, base, path, errbuf, errlen);
        if (rc != 0)
            return rc;
    }
    for (int i = 0; i < noverrides; i++) {
        char *copy = xstrdup(overrides[i]);

        rc = conf_apply(keys, nkeys, base, copy, "--override", errbuf, errlen);
        free(copy);
        if (rc != 0)
            return rc;
    }
    return 0;
}

void
conf_free(const conf_key_t *keys, size_t nkeys, void *base)
{
    for (size_t i = 0; i < nkeys; i++) {
        if (keys[i].type == CONF_STRING) {
            char **field = (char **)((char *)base + keys[i].offset);
            free(*field);
            *field = NULL;
        }
    }
}
