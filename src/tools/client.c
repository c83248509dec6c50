/*
 * client.c: the blocking cluster client of samsa(1) (see tool.h).
 *
 * Owns one kclient connection per broker it talks to (opened lazily from
 * the metadata's broker list; the bootstrap connection is reused for the
 * broker it reached), each broker's ApiVersions table, correlation ids,
 * and the last Metadata response. Does not own: what the commands send.
 *
 * Spec: protocol guide "Versioning": a client sends ApiVersions first and
 * uses, per API, the highest version both sides support. KIP-511: a broker
 * that lacks our ApiVersions version answers UNSUPPORTED_VERSION with its
 * range in a v0 body, and we retry at its highest version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kclient.h"
#include "samsa/kerr.h"
#include "samsa/khdr.h"
#include "samsa/p_apiversions.h"
#include "samsa/p_describeconfigs.h"
#include "samsa/p_listoffsets.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

#define CLIENT_ID "samsa-tools"

typedef struct tool_conn {
    int32_t node_id; /* -1 for the bootstrap connection */
    char *host;
    int port;
    kclient_t *kc; /* NULL until connected, or after a failure */
    bool negotiated;
    int napis;
    int16_t *keys, *mins, *maxs;
} tool_conn_t;

struct tool_client {
    int timeout_ms;
    int32_t next_corr;
    tool_conn_t **conns;
    int nconns;
    tool_conn_t *boot;
    int32_t boot_node;
    tool_broker_t *brokers;
    int nbrokers;
    int32_t controller;
    char *cluster_id;
    buf_t md_frame; /* the last Metadata response and its arrays */
    arena_t md_ar;
    metadata_resp_t md;
};

/* the APIs the tools have codecs for: every version kapi lists */
static const int16_t client_apis[] = {
    API_PRODUCE,
    API_FETCH,
    API_LIST_OFFSETS,
    API_METADATA,
    API_API_VERSIONS,
    API_CREATE_TOPICS,
    API_DELETE_TOPICS,
    API_DESCRIBE_CONFIGS,
    API_CREATE_PARTITIONS,
    API_DESCRIBE_CLUSTER,
    API_DELETE_RECORDS,
    API_ALTER_CONFIGS,
    API_INCREMENTAL_ALTER_CONFIGS,
    API_ELECT_LEADERS,
    API_ALTER_PARTITION_REASSIGNMENTS,
    API_LIST_PARTITION_REASSIGNMENTS,
    API_FIND_COORDINATOR,
    API_LIST_GROUPS,
    API_DESCRIBE_GROUPS,
    API_OFFSET_FETCH,
    API_OFFSET_COMMIT,
    API_DELETE_GROUPS,
};

static bool
client_has_codec(int16_t key)
{
    for (size_t i = 0; i < sizeof(client_apis) / sizeof(client_apis[0]); i++)
        if (client_apis[i] == key)
            return kapi_find(key) != NULL;
    return false;
}

static void
conn_free_table(tool_conn_t *c)
{
    free(c->keys);
    free(c->mins);
    free(c->maxs);
    c->keys = c->mins = c->maxs = NULL;
    c->napis = 0;
    c->negotiated = false;
}

static void
conn_drop(tool_conn_t *c)
{
    kclient_close(c->kc);
    c->kc = NULL;
}

static tool_conn_t *
conn_new(tool_client_t *tc, int32_t node_id, const char *host, int port)
{
    tool_conn_t *c = xcalloc(1, sizeof(*c));

    c->node_id = node_id;
    c->host = xstrdup(host);
    c->port = port;
    tc->conns =
        xrealloc(tc->conns, sizeof(*tc->conns) * (size_t)(tc->nconns + 1));
    tc->conns[tc->nconns++] = c;
    return c;
}

/* sends @kw's frame on @c; 0 or TOOL_EXIT_CONNECT */
static int
conn_send(tool_conn_t *c, kwrite_t *kw, char *errbuf, size_t errlen)
{
    buf_t frame = BUF_INIT;
    int rc;

    rc = kwrite_flatten(kw, &frame);
    if (rc == 0)
        rc = kclient_send(c->kc, frame.data, frame.len);
    buf_fini(&frame);
    if (rc != 0) {
        snprintf(errbuf, errlen, "cannot send to broker %s:%d: %s", c->host,
                 c->port, err_str(rc));
        conn_drop(c);
        return TOOL_EXIT_CONNECT;
    }
    return 0;
}

/* receives the response to @corr on @c; @kr at the body */
static int
conn_recv(tool_conn_t *c, int32_t corr, bool flexible, buf_t *frame,
          kread_t *kr, int timeout_ms, char *errbuf, size_t errlen)
{
    for (;;) {
        int32_t got;
        int rc = kclient_recv(c->kc, frame, timeout_ms);

        if (rc != 0) {
            snprintf(errbuf, errlen, "%s from broker %s:%d",
                     rc == ERR_AGAIN ? "no answer within the timeout"
                                     : "connection lost",
                     c->host, c->port);
            conn_drop(c);
            return TOOL_EXIT_CONNECT;
        }
        kread_init(kr, frame->data, frame->len);
        if (khdr_decode_response(kr, &got, flexible) != 0) {
            snprintf(errbuf, errlen, "malformed response from %s:%d", c->host,
                     c->port);
            conn_drop(c);
            return TOOL_EXIT_CONNECT;
        }
        if (got == corr)
            return 0;
        /* an answer to an earlier request we gave up on: skip it */
    }
}

/* ApiVersions at @version; KIP-511 retry below */
static int
conn_negotiate(tool_client_t *tc, tool_conn_t *c, char *errbuf, size_t errlen)
{
    int16_t version = 3;

    for (int attempt = 0; attempt < 2; attempt++) {
        apiversions_req_t req = {
            .client_software_name = {"samsa", 5},
            .client_software_version = {PACKAGE_VERSION,
                                        (int32_t)strlen(PACKAGE_VERSION)},
        };
        apiversions_resp_t resp;
        buf_t frame = BUF_INIT;
        kwrite_t kw;
        kread_t kr, peek;
        arena_t ar;
        int32_t corr = tc->next_corr++;
        int rc;

        kwrite_init(&kw);
        khdr_encode_request(&kw, API_API_VERSIONS, version, corr, CLIENT_ID,
                            kapi_flexible(API_API_VERSIONS, version));
        p_apiversions_req_encode(&kw, version, &req);
        rc = conn_send(c, &kw, errbuf, errlen);
        kwrite_fini(&kw);
        if (rc == 0)
            rc = conn_recv(c, corr, false, &frame, &kr, tc->timeout_ms, errbuf,
                           errlen);
        if (rc != 0) {
            buf_fini(&frame);
            return rc;
        }
        arena_init(&ar);
        peek = kr;
        /* an UNSUPPORTED_VERSION answer has a v0 body (KIP-511) */
        int16_t ec = kread_i16(&peek);
        int16_t dv = ec == KERR_UNSUPPORTED_VERSION ? 0 : version;

        rc = p_apiversions_resp_decode(&kr, dv, &ar, &resp);
        if (rc == 0 && resp.error_code == KERR_UNSUPPORTED_VERSION &&
            attempt == 0) {
            int16_t bmax = -1;

            for (int32_t i = 0; i < resp.napi_keys; i++)
                if (resp.api_keys[i].api_key == API_API_VERSIONS)
                    bmax = resp.api_keys[i].max_version;
            arena_fini(&ar);
            buf_fini(&frame);
            if (bmax < 0) {
                snprintf(errbuf, errlen,
                         "broker %s:%d does not serve ApiVersions", c->host,
                         c->port);
                return TOOL_EXIT_FAIL;
            }
            version = bmax < version ? bmax : version;
            continue;
        }
        if (rc != 0 || resp.error_code != 0) {
            snprintf(errbuf, errlen, "ApiVersions failed on %s:%d: %s", c->host,
                     c->port,
                     rc != 0 ? "malformed response"
                             : kerr_name(resp.error_code));
            arena_fini(&ar);
            buf_fini(&frame);
            return TOOL_EXIT_FAIL;
        }
        conn_free_table(c);
        c->napis = resp.napi_keys;
        c->keys = xcalloc((size_t)resp.napi_keys + 1, sizeof(int16_t));
        c->mins = xcalloc((size_t)resp.napi_keys + 1, sizeof(int16_t));
        c->maxs = xcalloc((size_t)resp.napi_keys + 1, sizeof(int16_t));
        for (int32_t i = 0; i < resp.napi_keys; i++) {
            c->keys[i] = resp.api_keys[i].api_key;
            c->mins[i] = resp.api_keys[i].min_version;
            c->maxs[i] = resp.api_keys[i].max_version;
        }
        c->negotiated = true;
        arena_fini(&ar);
        buf_fini(&frame);
        return 0;
    }
    snprintf(errbuf, errlen, "broker %s:%d refused every ApiVersions version",
             c->host, c->port);
    return TOOL_EXIT_FAIL;
}

/* connects @c if needed and negotiates versions once */
static int
conn_ensure(tool_client_t *tc, tool_conn_t *c, char *errbuf, size_t errlen)
{
    char why[256];

    if (c->kc == NULL) {
        int rc = kclient_connect(&c->kc, c->host, c->port, tc->timeout_ms, why,
                                 sizeof(why));

        if (rc != 0) {
            c->kc = NULL;
            snprintf(errbuf, errlen, "cannot connect to %s:%d (%s)", c->host,
                     c->port, why);
            return TOOL_EXIT_CONNECT;
        }
    }
    if (!c->negotiated)
        return conn_negotiate(tc, c, errbuf, errlen);
    return 0;
}

/* the connection for @node_id (-1 = bootstrap), created if needed */
static int
client_conn(tool_client_t *tc, int32_t node_id, tool_conn_t **out, char *errbuf,
            size_t errlen)
{
    tool_conn_t *c = NULL;

    if (node_id < 0 || node_id == tc->boot_node) {
        c = tc->boot;
    } else {
        for (int i = 0; i < tc->nconns && !c; i++)
            if (tc->conns[i]->node_id == node_id)
                c = tc->conns[i];
        for (int i = 0; i < tc->nbrokers && !c; i++)
            if (tc->brokers[i].node_id == node_id)
                c = conn_new(tc, node_id, tc->brokers[i].host,
                             tc->brokers[i].port);
        if (c == NULL) {
            snprintf(errbuf, errlen,
                     "broker %d is not in the cluster metadata (is it "
                     "down? see samsa cluster)",
                     (int)node_id);
            return TOOL_EXIT_FAIL;
        }
    }
    *out = c;
    return conn_ensure(tc, c, errbuf, errlen);
}

int
tool_client_version(tool_client_t *tc, int32_t node_id, int16_t api_key,
                    int16_t *version, char *errbuf, size_t errlen)
{
    const kapi_t *api = kapi_find(api_key);
    tool_conn_t *c;
    int rc = client_conn(tc, node_id, &c, errbuf, errlen);

    *version = -1;
    if (rc != 0)
        return rc;
    for (int i = 0; i < c->napis; i++) {
        int16_t hi, lo;

        if (c->keys[i] != api_key || api == NULL)
            continue;
        hi = c->maxs[i] < api->max_version ? c->maxs[i] : api->max_version;
        lo = c->mins[i] > api->min_version ? c->mins[i] : api->min_version;
        if (hi >= lo && client_has_codec(api_key)) {
            *version = hi;
            return 0;
        }
    }
    snprintf(errbuf, errlen,
             "broker %s:%d does not serve %s in a version samsa speaks",
             c->host, c->port, api ? api->name : "this API");
    return TOOL_EXIT_FAIL;
}

int
tool_client_broker_table(tool_client_t *tc, int32_t node_id,
                         const int16_t **keys, const int16_t **mins,
                         const int16_t **maxs, int *n, char *errbuf,
                         size_t errlen)
{
    tool_conn_t *c;
    int rc = client_conn(tc, node_id, &c, errbuf, errlen);

    if (rc != 0)
        return rc;
    *keys = c->keys;
    *mins = c->mins;
    *maxs = c->maxs;
    *n = c->napis;
    return 0;
}

void
tool_req_begin(tool_client_t *tc, tool_req_t *req, int32_t node_id,
               int16_t api_key, int16_t version)
{
    req->node_id = node_id;
    req->api_key = api_key;
    req->version = version;
    req->correlation_id = tc->next_corr++;
    kwrite_init(&req->kw);
    khdr_encode_request(&req->kw, api_key, version, req->correlation_id,
                        CLIENT_ID, kapi_flexible(api_key, version));
}

int
tool_req_send(tool_client_t *tc, tool_req_t *req, char *errbuf, size_t errlen)
{
    tool_conn_t *c;
    int rc = client_conn(tc, req->node_id, &c, errbuf, errlen);

    if (rc == 0)
        rc = conn_send(c, &req->kw, errbuf, errlen);
    kwrite_fini(&req->kw);
    return rc;
}

int
tool_req_recv(tool_client_t *tc, tool_req_t *req, buf_t *frame, kread_t *kr,
              int timeout_ms, char *errbuf, size_t errlen)
{
    tool_conn_t *c;
    int rc = client_conn(tc, req->node_id, &c, errbuf, errlen);
    bool flexible = khdr_response_flexible(
        req->api_key, kapi_flexible(req->api_key, req->version));

    if (rc != 0)
        return rc;
    return conn_recv(c, req->correlation_id, flexible, frame, kr, timeout_ms,
                     errbuf, errlen);
}

int
tool_req_call(tool_client_t *tc, tool_req_t *req, buf_t *frame, kread_t *kr,
              char *errbuf, size_t errlen)
{
    int rc = tool_req_send(tc, req, errbuf, errlen);

    if (rc != 0)
        return rc;
    return tool_req_recv(tc, req, frame, kr, tc->timeout_ms, errbuf, errlen);
}

int
tool_client_timeout(tool_client_t *tc)
{
    return tc->timeout_ms;
}

int
tool_client_fd(tool_client_t *tc, int32_t node_id)
{
    tool_conn_t *c = NULL;

    if (node_id < 0 || node_id == tc->boot_node)
        c = tc->boot;
    for (int i = 0; i < tc->nconns && !c; i++)
        if (tc->conns[i]->node_id == node_id)
            c = tc->conns[i];
    return c && c->kc ? kclient_fd(c->kc) : -1;
}

/* ---------------------------------------------------------------- metadata */

static void
client_free_brokers(tool_client_t *tc)
{
    for (int i = 0; i < tc->nbrokers; i++) {
        free(tc->brokers[i].host);
        free(tc->brokers[i].rack);
    }
    free(tc->brokers);
    tc->brokers = NULL;
    tc->nbrokers = 0;
}

int
tool_client_metadata(tool_client_t *tc, const char *const *topics, int ntopics,
                     const metadata_resp_t **md, char *errbuf, size_t errlen)
{
    metadata_req_topic_t *rt = NULL;
    metadata_req_t req = {0};
    tool_req_t r;
    kread_t kr;
    int16_t v;
    int rc = tool_client_version(tc, -1, API_METADATA, &v, errbuf, errlen);

    if (rc != 0)
        return rc;
    if (ntopics == 0 && v == 0)
        ntopics = -1; /* v0 cannot ask for no topic: take them all */
    req.ntopics = ntopics;
    if (ntopics > 0) {
        rt = xcalloc((size_t)ntopics, sizeof(*rt));
        for (int i = 0; i < ntopics; i++)
            rt[i].name = (kstr_t){topics[i], (int32_t)strlen(topics[i])};
        req.topics = rt;
    }
    req.allow_auto_topic_creation = false; /* tools never create by asking */
    tool_req_begin(tc, &r, -1, API_METADATA, v);
    p_metadata_req_encode(&r.kw, v, &req);
    free(rt);
    arena_reset(&tc->md_ar);
    rc = tool_req_call(tc, &r, &tc->md_frame, &kr, errbuf, errlen);
    if (rc != 0)
        return rc;
    if (p_metadata_resp_decode(&kr, v, &tc->md_ar, &tc->md) != 0) {
        snprintf(errbuf, errlen, "malformed Metadata response");
        return TOOL_EXIT_FAIL;
    }
    client_free_brokers(tc);
    tc->brokers = xcalloc((size_t)tc->md.nbrokers + 1, sizeof(*tc->brokers));
    tc->nbrokers = tc->md.nbrokers;
    for (int i = 0; i < tc->md.nbrokers; i++) {
        const metadata_resp_broker_t *b = &tc->md.brokers[i];

        tc->brokers[i].node_id = b->node_id;
        tc->brokers[i].host = kstr_dup(b->host);
        tc->brokers[i].port = b->port;
        tc->brokers[i].rack = kstr_dup(b->rack);
        if (tc->brokers[i].host &&
            strcmp(tc->brokers[i].host, tc->boot->host) == 0 &&
            b->port == tc->boot->port)
            tc->boot_node = b->node_id;
    }
    tc->controller = tc->md.controller_id;
    free(tc->cluster_id);
    tc->cluster_id = kstr_dup(tc->md.cluster_id);
    *md = &tc->md;
    return 0;
}

const tool_broker_t *
tool_client_brokers(tool_client_t *tc, int *n)
{
    *n = tc->nbrokers;
    return tc->brokers;
}

int32_t
tool_client_controller(tool_client_t *tc)
{
    return tc->controller;
}

const char *
tool_client_cluster_id(tool_client_t *tc)
{
    return tc->cluster_id;
}

/* ------------------------------------------------------------ open / close */

/* splits "host:port" (or "[v6]:port"); 0 or -1 */
static int
parse_hostport(const char *s, size_t len, char *host, size_t hostlen, int *port)
{
    const char *colon = NULL;
    char num[8];
    long p;
    char *end;

    for (size_t i = len; i > 0; i--)
        if (s[i - 1] == ':') {
            colon = s + i - 1;
            break;
        }
    if (colon == NULL || colon == s ||
        (size_t)(s + len - colon - 1) >= sizeof(num) || colon + 1 == s + len)
        return -1;
    memcpy(num, colon + 1, (size_t)(s + len - colon - 1));
    num[s + len - colon - 1] = '\0';
    p = strtol(num, &end, 10);
    if (*end != '\0' || p <= 0 || p > 65535)
        return -1;
    if (s[0] == '[' && colon[-1] == ']') {
        s++;
        colon--;
    }
    if ((size_t)(colon - s) >= hostlen)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    *port = (int)p;
    return 0;
}

int
tool_client_open(tool_client_t **out, const char *bootstrap, int timeout_ms,
                 char *errbuf, size_t errlen)
{
    tool_client_t *tc = xcalloc(1, sizeof(*tc));
    const char *p = bootstrap;
    char tried[512] = "";
    int rc = TOOL_EXIT_CONNECT;

    tc->timeout_ms = timeout_ms;
    tc->next_corr = 1;
    tc->boot_node = -1;
    tc->controller = -1;
    arena_init(&tc->md_ar);
    *out = NULL;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char host[256], why[256];
        int port;

        if (len == 0) {
            p = e ? e + 1 : p + len;
            continue;
        }
        if (parse_hostport(p, len, host, sizeof(host), &port) != 0) {
            snprintf(errbuf, errlen,
                     "bad bootstrap server '%.*s': expected HOST:PORT",
                     (int)len, p);
            tool_client_close(tc);
            return TOOL_EXIT_USAGE;
        }
        tc->boot = conn_new(tc, -1, host, port);
        rc = conn_ensure(tc, tc->boot, why, sizeof(why));
        if (rc == 0) {
            const metadata_resp_t *md;

            rc = tool_client_metadata(tc, NULL, 0, &md, why, sizeof(why));
            if (rc == 0) {
                *out = tc;
                return 0;
            }
        }
        conn_drop(tc->boot);
        snprintf(tried + strlen(tried), sizeof(tried) - strlen(tried), "%s%s",
                 tried[0] ? "; " : "", why);
        p = e ? e + 1 : p + len;
    }
    if (tried[0] == '\0')
        snprintf(errbuf, errlen, "empty bootstrap server list");
    else
        snprintf(errbuf, errlen,
                 "no bootstrap server answered (%s); check --bootstrap-server "
                 "and that samsad is running",
                 tried);
    tool_client_close(tc);
    return tried[0] == '\0' ? TOOL_EXIT_USAGE : rc;
}

void
tool_client_close(tool_client_t *tc)
{
    if (tc == NULL)
        return;
    for (int i = 0; i < tc->nconns; i++) {
        conn_drop(tc->conns[i]);
        conn_free_table(tc->conns[i]);
        free(tc->conns[i]->host);
        free(tc->conns[i]);
    }
    free(tc->conns);
    client_free_brokers(tc);
    free(tc->cluster_id);
    buf_fini(&tc->md_frame);
    arena_fini(&tc->md_ar);
    free(tc);
}

/* ----------------------------------------------------------- admin helpers */

int
tool_client_controller_node(tool_client_t *tc, int32_t *node, char *errbuf,
                            size_t errlen)
{
    const metadata_resp_t *md;
    int rc;

    if (tc->controller < 0) {
        rc = tool_client_metadata(tc, NULL, 0, &md, errbuf, errlen);
        if (rc != 0)
            return rc;
    }
    if (tc->controller < 0) {
        snprintf(errbuf, errlen,
                 "the cluster has no controller right now (is ZooKeeper "
                 "up?); try again in a few seconds");
        return TOOL_EXIT_FAIL;
    }
    *node = tc->controller;
    return 0;
}

const char *
tool_config_source_name(int8_t source)
{
    static const char *const names[] = {
        "UNKNOWN",
        "DYNAMIC_TOPIC_CONFIG",
        "DYNAMIC_BROKER_CONFIG",
        "DYNAMIC_DEFAULT_BROKER_CONFIG",
        "STATIC_BROKER_CONFIG",
        "DEFAULT_CONFIG",
        "DYNAMIC_BROKER_LOGGER_CONFIG",
    };

    if (source < 0 || (size_t)source >= sizeof(names) / sizeof(names[0]))
        return "UNKNOWN";
    return names[source];
}

int
tool_describe_configs(tool_client_t *tc, int8_t resource_type,
                      const char *resource_name, arena_t *ar,
                      tool_config_t **configs, int *nconfigs,
                      int16_t *error_code, char *errbuf, size_t errlen)
{
    describeconfigs_req_resource_t res = {0};
    describeconfigs_req_t req = {0};
    describeconfigs_resp_t resp;
    buf_t frame = BUF_INIT;
    int32_t node = -1;
    tool_req_t r;
    kread_t kr;
    int16_t v;
    int rc;

    *configs = NULL;
    *nconfigs = 0;
    *error_code = 0;
    if (resource_type == TOOL_RESOURCE_BROKER && *resource_name != '\0')
        node = (int32_t)strtol(resource_name, NULL, 10);
    rc =
        tool_client_version(tc, node, API_DESCRIBE_CONFIGS, &v, errbuf, errlen);
    if (rc != 0)
        return rc;
    res.resource_type = resource_type;
    res.resource_name = (kstr_t){resource_name, (int32_t)strlen(resource_name)};
    res.nconfiguration_keys = -1;
    req.nresources = 1;
    req.resources = &res;
    tool_req_begin(tc, &r, node, API_DESCRIBE_CONFIGS, v);
    p_describeconfigs_req_encode(&r.kw, v, &req);
    rc = tool_req_call(tc, &r, &frame, &kr, errbuf, errlen);
    if (rc == 0 && (p_describeconfigs_resp_decode(&kr, v, ar, &resp) != 0 ||
                    resp.nresults < 1)) {
        snprintf(errbuf, errlen, "malformed DescribeConfigs response");
        rc = TOOL_EXIT_FAIL;
    }
    if (rc == 0) {
        const describeconfigs_resp_result_t *res0 = &resp.results[0];

        *error_code = res0->error_code;
        if (res0->error_code != 0 && res0->error_message.len > 0)
            snprintf(errbuf, errlen, "%.*s", (int)res0->error_message.len,
                     res0->error_message.ptr);
        else if (res0->error_code != 0)
            snprintf(errbuf, errlen, "%s", kerr_name(res0->error_code));
        *configs =
            arena_calloc(ar, (size_t)res0->nconfigs + 1, sizeof(**configs));
        *nconfigs = res0->nconfigs;
        for (int32_t i = 0; i < res0->nconfigs; i++) {
            const describeconfigs_resp_config_t *c = &res0->configs[i];
            tool_config_t *o = &(*configs)[i];

            o->name = tool_kstr(ar, c->name);
            o->value = tool_kstr(ar, c->value);
            o->source = v >= 1 ? c->config_source : -1;
            o->is_default = v >= 1 ? c->config_source == 5 : c->is_default;
            o->read_only = c->read_only;
            o->is_sensitive = c->is_sensitive;
        }
    }
    buf_fini(&frame);
    return rc;
}

void
tool_topic_error(const char *cmd, const char *topic, int16_t code,
                 const char *message)
{
    switch (code) {
    case KERR_UNKNOWN_TOPIC_OR_PARTITION:
        tool_err(cmd,
                 "topic '%s' does not exist; list topics with samsa topics "
                 "--list",
                 topic);
        break;
    case KERR_TOPIC_ALREADY_EXISTS:
        tool_err(cmd,
                 "topic '%s' already exists; add --if-not-exists to accept "
                 "that",
                 topic);
        break;
    case KERR_INVALID_TOPIC_EXCEPTION:
        tool_err(cmd,
                 "'%s' is not a valid topic name: use up to 249 of "
                 "[a-zA-Z0-9._-]%s%s",
                 topic, message && *message ? "; broker says: " : "",
                 message ? message : "");
        break;
    case KERR_NOT_CONTROLLER:
        tool_err(cmd,
                 "topic '%s': the controller moved while asking; run the "
                 "command again",
                 topic);
        break;
    default:
        tool_err(cmd, "topic '%s': %s%s%s", topic, kerr_name(code),
                 message && *message ? ": " : "", message ? message : "");
    }
}

int
tool_client_open_args(const tool_args_t *a, const char *cmd,
                      tool_client_t **out)
{
    const char *bootstrap = tool_bootstrap(a, cmd);
    const char *t = tool_opt_get(a, "timeout-ms");
    const char *tname = "timeout-ms";
    int64_t timeout = 30000;
    char err[1024];
    int rc;

    *out = NULL;
    if (bootstrap == NULL)
        return TOOL_EXIT_USAGE;
    if (t == NULL && (t = tool_opt_get(a, "request-timeout-ms")) != NULL)
        tname = "request-timeout-ms";
    if (t && tool_parse_int(tname, t, 1, INT32_MAX, &timeout, err,
                            sizeof(err)) != 0) {
        tool_err(cmd, "%s", err);
        return TOOL_EXIT_USAGE;
    }
    rc = tool_client_open(out, bootstrap, (int)timeout, err, sizeof(err));
    if (rc != 0)
        tool_err(cmd, "%s", err);
    return rc;
}

int
tool_list_offsets(tool_client_t *tc, const char *topic,
                  const int32_t *partitions, const int32_t *leaders, int n,
                  int64_t timestamp, int64_t *offsets, int16_t *errors,
                  char *errbuf, size_t errlen)
{
    listoffsets_req_partition_t *rp = xcalloc((size_t)n + 1, sizeof(*rp));
    bool *done = xcalloc((size_t)n + 1, sizeof(*done));
    int rc = 0;

    for (int i = 0; i < n; i++) {
        offsets[i] = -1;
        errors[i] = -1;
    }
    for (int i = 0; i < n && rc == 0; i++) {
        int32_t leader = leaders[i];
        listoffsets_req_topic_t rt = {0};
        listoffsets_req_t req = {0};
        listoffsets_resp_t resp;
        buf_t frame = BUF_INIT;
        tool_req_t r;
        kread_t kr;
        arena_t ar;
        int16_t v;
        int np = 0, crc;

        if (done[i])
            continue;
        for (int j = i; j < n; j++) {
            if (done[j] || leaders[j] != leader)
                continue;
            done[j] = true;
            rp[np].partition_index = partitions[j];
            rp[np].current_leader_epoch = -1;
            rp[np].timestamp = timestamp;
            rp[np].max_num_offsets = 1;
            np++;
        }
        if (leader < 0) {
            for (int j = 0; j < n; j++)
                if (leaders[j] == leader)
                    errors[j] = KERR_LEADER_NOT_AVAILABLE;
            continue;
        }
        crc = tool_client_version(tc, leader, API_LIST_OFFSETS, &v, errbuf,
                                  errlen);
        if (crc != 0)
            continue; /* errors stay -1 for these partitions */
        rt.name = (kstr_t){topic, (int32_t)strlen(topic)};
        rt.npartitions = np;
        rt.partitions = rp;
        req.replica_id = -1;
        req.ntopics = 1;
        req.topics = &rt;
        tool_req_begin(tc, &r, leader, API_LIST_OFFSETS, v);
        p_listoffsets_req_encode(&r.kw, v, &req);
        arena_init(&ar);
        crc = tool_req_call(tc, &r, &frame, &kr, errbuf, errlen);
        if (crc == 0 && p_listoffsets_resp_decode(&kr, v, &ar, &resp) != 0) {
            snprintf(errbuf, errlen, "malformed ListOffsets response");
            rc = TOOL_EXIT_FAIL;
        }
        for (int32_t t = 0; crc == 0 && rc == 0 && t < resp.ntopics; t++)
            for (int32_t q = 0; q < resp.topics[t].npartitions; q++) {
                const listoffsets_resp_partition_t *p =
                    &resp.topics[t].partitions[q];

                for (int j = 0; j < n; j++) {
                    if (partitions[j] != p->partition_index ||
                        leaders[j] != leader)
                        continue;
                    errors[j] = p->error_code;
                    if (v == 0)
                        offsets[j] = p->nold_style_offsets > 0
                                         ? p->old_style_offsets[0]
                                         : -1;
                    else
                        offsets[j] = p->offset;
                }
            }
        arena_fini(&ar);
        buf_fini(&frame);
    }
    free(rp);
    free(done);
    return rc;
}
