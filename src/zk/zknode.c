/*
 * zknode.c: Kafka 2.8 znode JSON shapes (see zknode.h).
 *
 * Spec: core/src/main/scala/kafka/zk/ZkData.scala at 2.8 (ClusterIdZNode,
 * BrokerIdZNode v5, TopicZNode v3, TopicPartitionStateZNode,
 * ControllerZNode, ControllerEpochZNode, ConfigEntityZNode,
 * ConfigEntityChangeNotificationSequenceZNode v2,
 * IsrChangeNotificationSequenceZNode). Field order follows what a 2.8
 * broker writes (JSON readers do not care; golden tests pin ours).
 *
 * Owns nothing but the encoding: paths and meaning belong to the callers.
 */
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "samsa/err.h"
#include "samsa/xmalloc.h"
#include "samsa/zknode.h"

/* ---- helpers ---------------------------------------------------------- */

static int zkn_fail(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
zkn_fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (errbuf != NULL && errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return ERR_CORRUPT;
}

static char *
zkn_dump(json_t *root)
{
    char *s = json_dumps(root, JSON_COMPACT);
    char *r;

    json_decref(root);
    if (s == NULL)
        abort(); /* only on allocation failure */
    r = xstrdup(s);
    free(s);
    return r;
}

/* parses @data as a JSON object; NULL with a message on failure */
static json_t *
zkn_parse(const char *what, const char *data, size_t len, char *errbuf,
          size_t errlen)
{
    json_error_t jerr;
    json_t *root;

    if (data == NULL || len == 0) {
        zkn_fail(errbuf, errlen, "%s: empty znode", what);
        return NULL;
    }
    root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        zkn_fail(errbuf, errlen, "%s: malformed JSON at line %d column %d: %s",
                 what, jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        zkn_fail(errbuf, errlen, "%s: not a JSON object", what);
        json_decref(root);
        return NULL;
    }
    return root;
}

/* an integer field in [lo, hi]; accepts a decimal string if @str_ok */
static int
zkn_int(const char *what, json_t *obj, const char *key, bool str_ok, int64_t lo,
        int64_t hi, int64_t *out, char *errbuf, size_t errlen)
{
    json_t *v = json_object_get(obj, key);
    long long x;

    if (v == NULL)
        return zkn_fail(errbuf, errlen, "%s: missing \"%s\"", what, key);
    if (json_is_integer(v)) {
        x = json_integer_value(v);
    } else if (str_ok && json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;

        if (*s == '\0')
            return zkn_fail(errbuf, errlen, "%s: \"%s\" is empty", what, key);
        x = strtoll(s, &end, 10);
        if (*end != '\0')
            return zkn_fail(errbuf, errlen, "%s: \"%s\" is not a number", what,
                            key);
    } else {
        return zkn_fail(errbuf, errlen, "%s: \"%s\" is not an integer", what,
                        key);
    }
    if (x < lo || x > hi)
        return zkn_fail(errbuf, errlen, "%s: \"%s\" %lld out of range", what,
                        key, x);
    *out = x;
    return 0;
}

static int
zkn_int32(const char *what, json_t *obj, const char *key, int32_t lo,
          int32_t *out, char *errbuf, size_t errlen)
{
    int64_t x;
    int rc = zkn_int(what, obj, key, false, lo, INT32_MAX, &x, errbuf, errlen);

    if (rc == 0)
        *out = (int32_t)x;
    return rc;
}

static int
zkn_string(const char *what, json_t *obj, const char *key, const char **out,
           char *errbuf, size_t errlen)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL)
        return zkn_fail(errbuf, errlen, "%s: missing \"%s\"", what, key);
    if (!json_is_string(v))
        return zkn_fail(errbuf, errlen, "%s: \"%s\" is not a string", what,
                        key);
    *out = json_string_value(v);
    return 0;
}

/* an array of broker ids (>= 0), at most ZKNODE_MAX_REPLICAS */
static int
zkn_ids(const char *what, const char *field, json_t *arr, int32_t *n,
        int32_t **ids, char *errbuf, size_t errlen)
{
    size_t cnt;

    *n = 0;
    *ids = NULL;
    if (!json_is_array(arr))
        return zkn_fail(errbuf, errlen, "%s: \"%s\" is not an array", what,
                        field);
    cnt = json_array_size(arr);
    if (cnt > ZKNODE_MAX_REPLICAS)
        return zkn_fail(errbuf, errlen, "%s: \"%s\" has %zu entries", what,
                        field, cnt);
    *ids = xmalloc(sizeof(int32_t) * (cnt > 0 ? cnt : 1));
    for (size_t i = 0; i < cnt; i++) {
        json_t *v = json_array_get(arr, i);

        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            json_integer_value(v) > INT32_MAX) {
            free(*ids);
            *ids = NULL;
            return zkn_fail(errbuf, errlen, "%s: \"%s\" holds a non broker id",
                            what, field);
        }
        (*ids)[i] = (int32_t)json_integer_value(v);
    }
    *n = (int32_t)cnt;
    return 0;
}

static json_t *
zkn_ids_json(const int32_t *ids, int32_t n)
{
    json_t *arr = json_array();

    for (int32_t i = 0; i < n; i++)
        json_array_append_new(arr, json_integer(ids[i]));
    return arr;
}

/* ---- UUIDs ------------------------------------------------------------ */

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void
zknode_uuid_encode(const uint8_t uuid[16], char out[23])
{
    uint32_t acc = 0;
    int bits = 0, o = 0;

    for (int i = 0; i < 16; i++) {
        acc = (acc << 8) | uuid[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[o++] = b64url[(acc >> bits) & 63];
        }
    }
    if (bits > 0)
        out[o++] = b64url[(acc << (6 - bits)) & 63];
    out[o] = '\0';
}

int
zknode_uuid_decode(const char *s, uint8_t uuid[16])
{
    uint32_t acc = 0;
    int bits = 0, o = 0;

    if (s == NULL || strlen(s) != 22)
        return ERR_CORRUPT;
    for (int i = 0; i < 22; i++) {
        const char *p = strchr(b64url, s[i]);

        if (s[i] == '\0' || p == NULL)
            return ERR_CORRUPT;
        acc = (acc << 6) | (uint32_t)(p - b64url);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            uuid[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* the last char carries 2 significant bits; the 4 others must be 0 */
    if ((acc & ((1u << bits) - 1)) != 0)
        return ERR_CORRUPT;
    return 0;
}

void
zknode_uuid_random(uint8_t uuid[16])
{
    static const uint8_t zero[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

    for (;;) {
        ssize_t got = fd >= 0 ? read(fd, uuid, 16) : -1;

        if (got != 16) {
            /* no /dev/urandom: fall back to a weaker mix (never in
             * practice; a duplicate id is still caught by ZooKeeper) */
            struct timespec ts;

            clock_gettime(CLOCK_REALTIME, &ts);
            srandom((unsigned)(ts.tv_nsec ^ ts.tv_sec ^ getpid()));
            for (int i = 0; i < 16; i++)
                uuid[i] = (uint8_t)random();
        }
        uuid[6] = (uuid[6] & 0x0f) | 0x40; /* version 4 */
        uuid[8] = (uuid[8] & 0x3f) | 0x80; /* IETF variant */
        /* Kafka rejects ids that encode with a leading '-' (they look
         * like command-line options) and the all-zero id */
        if ((uuid[0] >> 2) != 62 && memcmp(uuid, zero, 16) != 0)
            break;
    }
    if (fd >= 0)
        close(fd);
}

/* ---- /cluster/id ------------------------------------------------------ */

char *
zknode_cluster_id_encode(const char *id)
{
    json_t *root = json_object();

    json_object_set_new(root, "version", json_string("1"));
    json_object_set_new(root, "id", json_string(id));
    return zkn_dump(root);
}

int
zknode_cluster_id_decode(const char *data, size_t len, char **id, char *errbuf,
                         size_t errlen)
{
    const char *what = ZKNODE_CLUSTER_ID;
    json_t *root = zkn_parse(what, data, len, errbuf, errlen);
    const char *s;
    int rc;

    *id = NULL;
    if (root == NULL)
        return ERR_CORRUPT;
    rc = zkn_string(what, root, "id", &s, errbuf, errlen);
    if (rc == 0 && *s == '\0')
        rc = zkn_fail(errbuf, errlen, "%s: \"id\" is empty", what);
    if (rc == 0)
        *id = xstrdup(s);
    json_decref(root);
    return rc;
}

/* ---- /brokers/ids/<id> ------------------------------------------------ */

static char *
zkn_endpoint_string(const zknode_endpoint_t *ep)
{
    bool v6 = strchr(ep->host, ':') != NULL;

    return xasprintf("%s://%s%s%s:%d", ep->listener, v6 ? "[" : "", ep->host,
                     v6 ? "]" : "", (int)ep->port);
}

char *
zknode_broker_encode(const zknode_broker_t *broker)
{
    json_t *root = json_object();
    json_t *map = json_object();
    json_t *eps = json_array();
    char ts[32];

    json_object_set_new(root, "features", json_object());
    for (int32_t i = 0; i < broker->nendpoints; i++) {
        const zknode_endpoint_t *ep = &broker->endpoints[i];
        char *s = zkn_endpoint_string(ep);

        json_object_set_new(map, ep->listener,
                            json_string(ep->security_protocol));
        json_array_append_new(eps, json_string(s));
        free(s);
    }
    json_object_set_new(root, "listener_security_protocol_map", map);
    json_object_set_new(root, "endpoints", eps);
    if (broker->rack != NULL)
        json_object_set_new(root, "rack", json_string(broker->rack));
    json_object_set_new(root, "jmx_port", json_integer(broker->jmx_port));
    json_object_set_new(root, "port", json_integer(broker->port));
    json_object_set_new(root, "host",
                        broker->host != NULL ? json_string(broker->host)
                                             : json_null());
    json_object_set_new(root, "version",
                        json_integer(broker->version ? broker->version : 5));
    snprintf(ts, sizeof(ts), "%lld", (long long)broker->timestamp);
    json_object_set_new(root, "timestamp", json_string(ts));
    return zkn_dump(root);
}

/* "LISTENER://host:port", host possibly "[v6]" or empty */
static int
zkn_endpoint_parse(const char *s, zknode_endpoint_t *ep, char *errbuf,
                   size_t errlen)
{
    const char *sep = strstr(s, "://");
    const char *host, *colon, *hend;
    char *end;
    long port;

    if (sep == NULL || sep == s)
        return zkn_fail(errbuf, errlen, "endpoint \"%s\" lacks LISTENER://", s);
    host = sep + 3;
    colon = strrchr(host, ':');
    if (colon == NULL)
        return zkn_fail(errbuf, errlen, "endpoint \"%s\" lacks a port", s);
    port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535)
        return zkn_fail(errbuf, errlen, "endpoint \"%s\" has a bad port", s);
    hend = colon;
    if (*host == '[') {
        if (hend <= host + 1 || hend[-1] != ']')
            return zkn_fail(errbuf, errlen, "endpoint \"%s\": bad IPv6 host",
                            s);
        host++;
        hend--;
    }
    ep->listener = xstrndup(s, sep - s);
    ep->host = xstrndup(host, hend - host);
    ep->port = (int32_t)port;
    return 0;
}

int
zknode_broker_decode(const char *data, size_t len, zknode_broker_t *broker,
                     char *errbuf, size_t errlen)
{
    const char *what = "/brokers/ids/<id>";
    json_t *root = zkn_parse(what, data, len, errbuf, errlen);
    json_t *eps, *map, *v;
    int64_t x;
    int rc;

    memset(broker, 0, sizeof(*broker));
    if (root == NULL)
        return ERR_CORRUPT;
    rc = zkn_int32(what, root, "version", 1, &broker->version, errbuf, errlen);
    if (rc == 0)
        rc = zkn_int(what, root, "jmx_port", false, -1, 65535, &x, errbuf,
                     errlen);
    if (rc == 0)
        broker->jmx_port = (int32_t)x;
    if (rc == 0 && json_object_get(root, "timestamp") != NULL) {
        rc = zkn_int(what, root, "timestamp", true, 0, INT64_MAX, &x, errbuf,
                     errlen);
        broker->timestamp = x;
    }
    if (rc == 0) {
        v = json_object_get(root, "host");
        if (v != NULL && json_is_string(v))
            broker->host = xstrdup(json_string_value(v));
        else if (v != NULL && !json_is_null(v))
            rc = zkn_fail(errbuf, errlen, "%s: \"host\" is not a string", what);
    }
    if (rc == 0) {
        v = json_object_get(root, "port");
        if (v != NULL && json_is_integer(v) && json_integer_value(v) >= -1 &&
            json_integer_value(v) <= 65535)
            broker->port = (int32_t)json_integer_value(v);
        else if (v != NULL)
            rc = zkn_fail(errbuf, errlen, "%s: bad \"port\"", what);
        else
            broker->port = -1;
    }
    if (rc == 0) {
        v = json_object_get(root, "rack");
        if (v != NULL && json_is_string(v))
            broker->rack = xstrdup(json_string_value(v));
        else if (v != NULL && !json_is_null(v))
            rc = zkn_fail(errbuf, errlen, "%s: \"rack\" is not a string", what);
    }
    map = json_object_get(root, "listener_security_protocol_map");
    if (rc == 0 && map != NULL && !json_is_object(map))
        rc = zkn_fail(errbuf, errlen,
                      "%s: \"listener_security_protocol_map\" is not an "
                      "object",
                      what);
    eps = json_object_get(root, "endpoints");
    if (rc == 0 && broker->version >= 2) {
        if (!json_is_array(eps) || json_array_size(eps) > 64) {
            rc = zkn_fail(errbuf, errlen, "%s: \"endpoints\" is not an array",
                          what);
        } else {
            size_t n = json_array_size(eps);

            broker->endpoints = xcalloc(n + 1, sizeof(*broker->endpoints));
            for (size_t i = 0; rc == 0 && i < n; i++) {
                json_t *e = json_array_get(eps, i);
                zknode_endpoint_t *ep = &broker->endpoints[i];
                json_t *sp;

                if (!json_is_string(e)) {
                    rc = zkn_fail(errbuf, errlen,
                                  "%s: an endpoint is not a string", what);
                    break;
                }
                rc = zkn_endpoint_parse(json_string_value(e), ep, errbuf,
                                        errlen);
                if (rc != 0)
                    break;
                broker->nendpoints++;
                sp = map != NULL ? json_object_get(map, ep->listener) : NULL;
                if (sp != NULL && !json_is_string(sp))
                    rc = zkn_fail(errbuf, errlen,
                                  "%s: security protocol of %s is not a "
                                  "string",
                                  what, ep->listener);
                else
                    ep->security_protocol = xstrdup(
                        sp != NULL ? json_string_value(sp) : ep->listener);
            }
        }
    } else if (rc == 0) {
        /* version 1: host and port only, PLAINTEXT */
        if (broker->host == NULL || broker->port < 0) {
            rc =
                zkn_fail(errbuf, errlen, "%s: version 1 lacks host/port", what);
        } else {
            broker->endpoints = xcalloc(1, sizeof(*broker->endpoints));
            broker->endpoints[0].listener = xstrdup("PLAINTEXT");
            broker->endpoints[0].security_protocol = xstrdup("PLAINTEXT");
            broker->endpoints[0].host = xstrdup(broker->host);
            broker->endpoints[0].port = broker->port;
            broker->nendpoints = 1;
        }
    }
    v = json_object_get(root, "features");
    if (rc == 0 && v != NULL && !json_is_object(v))
        rc =
            zkn_fail(errbuf, errlen, "%s: \"features\" is not an object", what);
    json_decref(root);
    if (rc != 0)
        zknode_broker_fini(broker);
    return rc;
}

void
zknode_broker_fini(zknode_broker_t *broker)
{
    for (int32_t i = 0; i < broker->nendpoints; i++) {
        free(broker->endpoints[i].listener);
        free(broker->endpoints[i].security_protocol);
        free(broker->endpoints[i].host);
    }
    free(broker->endpoints);
    free(broker->host);
    free(broker->rack);
    memset(broker, 0, sizeof(*broker));
}

/* ---- /brokers/topics/<t> ---------------------------------------------- */

static json_t *
zkn_assignment_json(const zknode_replicas_t *r, int32_t n, bool skip_empty)
{
    json_t *obj = json_object();

    for (int32_t p = 0; r != NULL && p < n; p++) {
        char key[16];

        if (skip_empty && r[p].n == 0)
            continue;
        snprintf(key, sizeof(key), "%d", (int)p);
        json_object_set_new(obj, key, zkn_ids_json(r[p].ids, r[p].n));
    }
    return obj;
}

char *
zknode_topic_encode(const zknode_topic_t *topic)
{
    json_t *root = json_object();

    json_object_set_new(
        root, "partitions",
        zkn_assignment_json(topic->replicas, topic->npartitions, false));
    if (topic->has_id) {
        char id[23];

        zknode_uuid_encode(topic->id, id);
        json_object_set_new(root, "topic_id", json_string(id));
    }
    json_object_set_new(
        root, "adding_replicas",
        zkn_assignment_json(topic->adding, topic->npartitions, true));
    json_object_set_new(
        root, "removing_replicas",
        zkn_assignment_json(topic->removing, topic->npartitions, true));
    json_object_set_new(root, "version",
                        json_integer(topic->version ? topic->version
                                                    : (topic->has_id ? 3 : 2)));
    return zkn_dump(root);
}

/* "0".."N": a canonical non-negative decimal partition number */
static int32_t
zkn_partition_key(const char *key)
{
    long v;
    char *end;

    if (*key < '0' || *key > '9' || (key[0] == '0' && key[1] != '\0'))
        return -1;
    v = strtol(key, &end, 10);
    if (*end != '\0' || v >= ZKNODE_MAX_PARTITIONS)
        return -1;
    return (int32_t)v;
}

/* adding_replicas / removing_replicas: a subset of the partitions */
static int
zkn_assignment_extra(const char *what, const char *field, json_t *root,
                     zknode_topic_t *topic, zknode_replicas_t *out,
                     char *errbuf, size_t errlen)
{
    json_t *obj = json_object_get(root, field);
    const char *key;
    json_t *v;

    if (obj == NULL || json_is_null(obj))
        return 0;
    if (!json_is_object(obj))
        return zkn_fail(errbuf, errlen, "%s: \"%s\" is not an object", what,
                        field);
    json_object_foreach(obj, key, v)
    {
        int32_t p = zkn_partition_key(key);
        int rc;

        if (p < 0 || p >= topic->npartitions)
            return zkn_fail(errbuf, errlen,
                            "%s: \"%s\" names partition "
                            "\"%s\"",
                            what, field, key);
        free(out[p].ids);
        rc = zkn_ids(what, field, v, &out[p].n, &out[p].ids, errbuf, errlen);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int
zknode_topic_decode(const char *data, size_t len, zknode_topic_t *topic,
                    char *errbuf, size_t errlen)
{
    const char *what = "/brokers/topics/<t>";
    json_t *root = zkn_parse(what, data, len, errbuf, errlen);
    json_t *parts, *v;
    const char *key;
    size_t n;
    int rc;

    memset(topic, 0, sizeof(*topic));
    if (root == NULL)
        return ERR_CORRUPT;
    rc = zkn_int32(what, root, "version", 1, &topic->version, errbuf, errlen);
    v = json_object_get(root, "topic_id");
    if (rc == 0 && v != NULL && !json_is_null(v)) {
        if (!json_is_string(v) ||
            zknode_uuid_decode(json_string_value(v), topic->id) != 0)
            rc = zkn_fail(errbuf, errlen,
                          "%s: \"topic_id\" is not a base64url UUID", what);
        else
            topic->has_id = true;
    }
    parts = json_object_get(root, "partitions");
    if (rc == 0 && !json_is_object(parts))
        rc = zkn_fail(errbuf, errlen, "%s: \"partitions\" is not an object",
                      what);
    if (rc != 0)
        goto out;
    n = json_object_size(parts);
    if (n > ZKNODE_MAX_PARTITIONS) {
        rc = zkn_fail(errbuf, errlen, "%s: %zu partitions", what, n);
        goto out;
    }
    topic->npartitions = (int32_t)n;
    topic->replicas = xcalloc(n + 1, sizeof(*topic->replicas));
    topic->adding = xcalloc(n + 1, sizeof(*topic->adding));
    topic->removing = xcalloc(n + 1, sizeof(*topic->removing));
    json_object_foreach(parts, key, v)
    {
        int32_t p = zkn_partition_key(key);

        /* n distinct keys all in [0, n) means exactly 0..n-1 */
        if (p < 0 || (size_t)p >= n) {
            rc = zkn_fail(errbuf, errlen,
                          "%s: partitions are not 0..%zu (\"%s\")", what, n - 1,
                          key);
            goto out;
        }
        rc = zkn_ids(what, "partitions", v, &topic->replicas[p].n,
                     &topic->replicas[p].ids, errbuf, errlen);
        if (rc != 0)
            goto out;
        if (topic->replicas[p].n == 0) {
            rc = zkn_fail(errbuf, errlen, "%s: partition %d has no replicas",
                          what, (int)p);
            goto out;
        }
    }
    rc = zkn_assignment_extra(what, "adding_replicas", root, topic,
                              topic->adding, errbuf, errlen);
    if (rc == 0)
        rc = zkn_assignment_extra(what, "removing_replicas", root, topic,
                                  topic->removing, errbuf, errlen);
out:
    json_decref(root);
    if (rc != 0)
        zknode_topic_fini(topic);
    return rc;
}

void
zknode_topic_fini(zknode_topic_t *topic)
{
    for (int32_t p = 0; p < topic->npartitions; p++) {
        if (topic->replicas != NULL)
            free(topic->replicas[p].ids);
        if (topic->adding != NULL)
            free(topic->adding[p].ids);
        if (topic->removing != NULL)
            free(topic->removing[p].ids);
    }
    free(topic->replicas);
    free(topic->adding);
    free(topic->removing);
    memset(topic, 0, sizeof(*topic));
}

/* ---- partition state -------------------------------------------------- */

char *
zknode_partition_state_encode(const zknode_partition_state_t *st)
{
    json_t *root = json_object();

    json_object_set_new(root, "controller_epoch",
                        json_integer(st->controller_epoch));
    json_object_set_new(root, "leader", json_integer(st->leader));
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "leader_epoch", json_integer(st->leader_epoch));
    json_object_set_new(root, "isr", zkn_ids_json(st->isr, st->nisr));
    return zkn_dump(root);
}

int
zknode_partition_state_decode(const char *data, size_t len,
                              zknode_partition_state_t *st, char *errbuf,
                              size_t errlen)
{
    const char *what = "partition state";
    json_t *root = zkn_parse(what, data, len, errbuf, errlen);
    int32_t version;
    int rc;

    memset(st, 0, sizeof(*st));
    if (root == NULL)
        return ERR_CORRUPT;
    rc = zkn_int32(what, root, "version", 1, &version, errbuf, errlen);
    if (rc == 0)
        rc = zkn_int32(what, root, "controller_epoch", 0, &st->controller_epoch,
                       errbuf, errlen);
    if (rc == 0)
        rc = zkn_int32(what, root, "leader", -1, &st->leader, errbuf, errlen);
    if (rc == 0)
        rc = zkn_int32(what, root, "leader_epoch", 0, &st->leader_epoch, errbuf,
                       errlen);
    if (rc == 0)
        rc = zkn_ids(what, "isr", json_object_get(root, "isr"), &st->nisr,
                     &st->isr, errbuf, errlen);
    json_decref(root);
    if (rc != 0)
        zknode_partition_state_fini(st);
    return rc;
}

void
zknode_partition_state_fini(zknode_partition_state_t *st)
{
    free(st->isr);
    memset(st, 0, sizeof(*st));
}

/* ---- /controller and /controller_epoch -------------------------------- */

char *
zknode_controller_encode(int32_t broker_id, int64_t timestamp)
{
    json_t *root = json_object();
    char ts[32];

    snprintf(ts, sizeof(ts), "%lld", (long long)timestamp);
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "brokerid", json_integer(broker_id));
    json_object_set_new(root, "timestamp", json_string(ts));
    return zkn_dump(root);
}

int
zknode_controller_decode(const char *data, size_t len, int32_t *broker_id,
                         char *errbuf, size_t errlen)
{
    const char *what = ZKNODE_CONTROLLER;
    json_t *root = zkn_parse(what, data, len, errbuf, errlen);
    int rc;

    if (root == NULL)
        return ERR_CORRUPT;
    rc = zkn_int32(what, root, "brokerid", 0, broker_id, errbuf, errlen);
    json_decref(root);
    return rc;
}

char *
zknode_controller_epoch_encode(int32_t epoch)
{
    return xasprintf("%d", (int)epoch);
}

int
zknode_controller_epoch_decode(const char *data, size_t len, int32_t *epoch,
                               char *errbuf, size_t errlen)
{
    char buf[16];
    char *end;
    long v;

    if (data == NULL || len == 0 || len >= sizeof(buf))
        return zkn_fail(errbuf, errlen, "%s: not a decimal",
                        ZKNODE_CONTROLLER_EPOCH);
    memcpy(buf, data, len);
    buf[len] = '\0';
    if (buf[0] < '0' || buf[0] > '9')
        return zkn_fail(errbuf, errlen, "%s: \"%s\" is not a decimal",
                        ZKNODE_CONTROLLER_EPOCH, buf);
    v = strtol(buf, &end, 10);
    if (*end != '\0' || v > INT32_MAX)
        return zkn_fail(errbuf, errlen, "%s: \"%s\" is not a decimal",
                        ZKNODE_CONTROLLER_EPOCH, buf);
    *epoch = (int32_t)v;
    return 0;
}

/* ---- /config/topics/<t> ----------------------------------------------- */

char *
zknode_config_encode(const zknode_config_t *cfg)
{
    json_t *root = json_object();
    json_t *c = json_object();

    for (int32_t i = 0; i < cfg->n; i++)
        json_object_set_new(c, cfg->keys[i], json_string(cfg->values[i]));
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "config", c);
    return zkn_dump(root);
}

int
zknode_config_decode(const char *data, size_t len, zknode_config_t *cfg,
                     char *errbuf, size_t errlen)
{
    const char *what = "/config/<type>/<name>";
    json_t *root = zkn_parse(what, data, len, errbuf, errlen);
    json_t *c, *v;
    const char *key;
    int32_t version;
    size_t n;
    int rc;

    memset(cfg, 0, sizeof(*cfg));
    if (root == NULL)
        return ERR_CORRUPT;
    rc = zkn_int32(what, root, "version", 1, &version, errbuf, errlen);
    c = json_object_get(root, "config");
    if (rc == 0 && !json_is_object(c))
        rc = zkn_fail(errbuf, errlen, "%s: \"config\" is not an object", what);
    if (rc != 0)
        goto out;
    n = json_object_size(c);
    cfg->keys = xcalloc(n + 1, sizeof(char *));
    cfg->values = xcalloc(n + 1, sizeof(char *));
    json_object_foreach(c, key, v)
    {
        if (!json_is_string(v)) {
            rc = zkn_fail(errbuf, errlen,
                          "%s: value of \"%s\" is not a "
                          "string",
                          what, key);
            break;
        }
        cfg->keys[cfg->n] = xstrdup(key);
        cfg->values[cfg->n] = xstrdup(json_string_value(v));
        cfg->n++;
    }
out:
    json_decref(root);
    if (rc != 0)
        zknode_config_fini(cfg);
    return rc;
}

void
zknode_config_fini(zknode_config_t *cfg)
{
    for (int32_t i = 0; i < cfg->n; i++) {
        free(cfg->keys[i]);
        free(cfg->values[i]);
    }
    free(cfg->keys);
    free(cfg->values);
    memset(cfg, 0, sizeof(*cfg));
}

/* ---- /config/changes/config_change_N ---------------------------------- */

char *
zknode_config_change_encode(const char *entity_path)
{
    json_t *root = json_object();

    json_object_set_new(root, "version", json_integer(2));
    json_object_set_new(root, "entity_path", json_string(entity_path));
    return zkn_dump(root);
}

int
zknode_config_change_decode(const char *data, size_t len, char **entity_path,
                            char *errbuf, size_t errlen)
{
    const char *what = "config change notification";
    json_t *root = zkn_parse(what, data, len, errbuf, errlen);
    const char *s;
    int64_t version;
    int rc;

    *entity_path = NULL;
    if (root == NULL)
        return ERR_CORRUPT;
    rc = zkn_int(what, root, "version", false, 2, 2, &version, errbuf, errlen);
    if (rc == 0)
        rc = zkn_string(what, root, "entity_path", &s, errbuf, errlen);
    if (rc == 0 && strchr(s, '/') == NULL)
        rc = zkn_fail(errbuf, errlen,
                      "%s: entity_path \"%s\" is not "
                      "<type>/<name>",
                      what, s);
    if (rc == 0)
        *entity_path = xstrdup(s);
    json_decref(root);
    return rc;
}

/* ---- /isr_change_notification/isr_change_N ---------------------------- */

/* the partition lists of ISR change notifications and reassignments,
 * with "replicas" when @with_replicas */
static char *
zkn_tp_list_encode(const zknode_isr_change_t *chg, bool with_replicas)
{
    json_t *root = json_object();
    json_t *arr = json_array();

    for (int32_t i = 0; i < chg->n; i++) {
        json_t *tp = json_object();

        json_object_set_new(tp, "topic", json_string(chg->tps[i].topic));
        json_object_set_new(tp, "partition",
                            json_integer(chg->tps[i].partition));
        if (with_replicas)
            json_object_set_new(
                tp, "replicas",
                zkn_ids_json(chg->tps[i].replicas.ids, chg->tps[i].replicas.n));
        json_array_append_new(arr, tp);
    }
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "partitions", arr);
    return zkn_dump(root);
}

static int
zkn_tp_list_decode(const char *what, const char *data, size_t len,
                   bool with_replicas, zknode_isr_change_t *chg, char *errbuf,
                   size_t errlen)
{
    json_t *root = zkn_parse(what, data, len, errbuf, errlen);
    json_t *arr;
    int32_t version;
    size_t n;
    int rc;

    memset(chg, 0, sizeof(*chg));
    if (root == NULL)
        return ERR_CORRUPT;
    rc = zkn_int32(what, root, "version", 1, &version, errbuf, errlen);
    arr = json_object_get(root, "partitions");
    if (rc == 0 && !json_is_array(arr))
        rc = zkn_fail(errbuf, errlen, "%s: \"partitions\" is not an array",
                      what);
    if (rc != 0)
        goto out;
    n = json_array_size(arr);
    chg->tps = xcalloc(n + 1, sizeof(*chg->tps));
    for (size_t i = 0; i < n; i++) {
        json_t *tp = json_array_get(arr, i);
        zknode_tp_t *out = &chg->tps[chg->n];
        const char *topic;
        int32_t p;

        if (!json_is_object(tp)) {
            rc =
                zkn_fail(errbuf, errlen, "%s: an entry is not an object", what);
            break;
        }
        rc = zkn_string(what, tp, "topic", &topic, errbuf, errlen);
        if (rc == 0)
            rc = zkn_int32(what, tp, "partition", 0, &p, errbuf, errlen);
        if (rc == 0 && with_replicas)
            rc = zkn_ids(what, "replicas", json_object_get(tp, "replicas"),
                         &out->replicas.n, &out->replicas.ids, errbuf, errlen);
        if (rc != 0)
            break;
        out->topic = xstrdup(topic);
        out->partition = p;
        chg->n++;
    }
out:
    json_decref(root);
    if (rc != 0)
        zknode_isr_change_fini(chg);
    return rc;
}

char *
zknode_isr_change_encode(const zknode_isr_change_t *chg)
{
    return zkn_tp_list_encode(chg, false);
}

int
zknode_isr_change_decode(const char *data, size_t len, zknode_isr_change_t *chg,
                         char *errbuf, size_t errlen)
{
    return zkn_tp_list_decode("isr change notification", data, len, false, chg,
                              errbuf, errlen);
}

char *
zknode_reassign_encode(const zknode_isr_change_t *moves)
{
    return zkn_tp_list_encode(moves, true);
}

int
zknode_reassign_decode(const char *data, size_t len, zknode_isr_change_t *moves,
                       char *errbuf, size_t errlen)
{
    return zkn_tp_list_decode(ZKNODE_REASSIGN_PARTITIONS, data, len, true,
                              moves, errbuf, errlen);
}

void
zknode_isr_change_fini(zknode_isr_change_t *chg)
{
    for (int32_t i = 0; i < chg->n; i++) {
        free(chg->tps[i].topic);
        free(chg->tps[i].replicas.ids);
    }
    free(chg->tps);
    memset(chg, 0, sizeof(*chg));
}

/* ---- topic names ------------------------------------------------------ */

#define ZKNODE_TOPIC_MAX_LEN 249

int
zknode_topic_name_check(const char *name, char *errbuf, size_t errlen)
{
    size_t n = name != NULL ? strlen(name) : 0;

    if (n == 0) {
        snprintf(errbuf, errlen, "Topic name is illegal, it can't be empty");
        return ERR_INVAL;
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        snprintf(errbuf, errlen, "Topic name cannot be \".\" or \"..\"");
        return ERR_INVAL;
    }
    if (n > ZKNODE_TOPIC_MAX_LEN) {
        snprintf(errbuf, errlen,
                 "Topic name is illegal, it can't be longer than %d "
                 "characters, topic name: %.40s...",
                 ZKNODE_TOPIC_MAX_LEN, name);
        return ERR_INVAL;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
            snprintf(errbuf, errlen,
                     "Topic name \"%s\" is illegal, it contains a character "
                     "other than ASCII alphanumerics, '.', '_' and '-'",
                     name);
            return ERR_INVAL;
        }
    }
    return 0;
}

bool
zknode_topic_names_collide(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char x = *a == '.' ? '_' : *a;
        char y = *b == '.' ? '_' : *b;

        if (x != y)
            return false;
    }
    return *a == *b;
}
