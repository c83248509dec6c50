/*
 * h_configs.c: DescribeConfigs (key 32), v0-4.
 * Spec: protocol guide "DescribeConfigs"; KIP-133, KIP-226 (synonyms, v1+),
 * KIP-569 (types and documentation, v3+).
 *
 * Topics: every topic-level key (tconf.h) with the override from
 * /config/topics/<t> or the broker default. The overrides are read from
 * ZooKeeper when the request names a topic (ctl_read_topic_configs; the
 * answer is sent from the ctl thread), as Kafka does, so a DescribeConfigs
 * right after an AlterConfigs sees the change on any broker; the metadata
 * (which learns it with the next UpdateMetadata) is the fallback when
 * ZooKeeper cannot be read. Brokers: every key of
 * samsad.conf (bconf.h); the dynamic ones (bconf_dynamic_key) are not
 * read-only, and report DYNAMIC_BROKER_CONFIG / DYNAMIC_DEFAULT_BROKER_CONFIG
 * when /config/brokers/<id> or /config/brokers/<default> sets them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/ctl.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_describeconfigs.h"
#include "samsa/tconf.h"
#include "samsa/xmalloc.h"

enum {
    RESOURCE_TOPIC = 2,
    RESOURCE_BROKER = 4,
};

/* Kafka's ConfigType (DescribeConfigs v3) */
enum {
    TYPE_BOOLEAN = 1,
    TYPE_STRING = 2,
    TYPE_INT = 3,
    TYPE_LONG = 5,
};

static bool
configs_wanted(const describeconfigs_req_resource_t *res, const char *name)
{
    if (res->nconfiguration_keys < 0)
        return true;
    for (int32_t i = 0; i < res->nconfiguration_keys; i++)
        if (kstr_eq(res->configuration_keys[i], name))
            return true;
    return false;
}

static kstr_t
configs_str(arena_t *ar, const char *s)
{
    return kstr_c(s ? arena_strndup(ar, s, strlen(s)) : NULL);
}

/* what building an answer needs: the request's or the deferred one's */
typedef struct cfgctx {
    broker_t *b;
    arena_t *ar;
    const mc_snapshot_t *snap;
} cfgctx_t;

/* @zcfg: the topic's node as just read from ZooKeeper, or NULL (use the
 * metadata's copy) */
static void
configs_topic(const cfgctx_t *cx, const describeconfigs_req_t *r,
              const describeconfigs_req_resource_t *res,
              const zknode_config_t *zcfg, describeconfigs_resp_result_t *out)
{
    const mc_topic_t *t =
        mc_topic_find(cx->snap, res->resource_name.ptr, res->resource_name.len);
    int n = 0;

    if (t == NULL || t->deleting) {
        out->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        out->error_message = kstr_c("the topic does not exist");
        return;
    }
    out->configs = arena_calloc(cx->ar, tconf_nkeys, sizeof(*out->configs));
    for (size_t i = 0; i < tconf_nkeys; i++) {
        const tconf_key_t *key = &tconf_keys[i];
        const char *override = NULL;
        describeconfigs_resp_config_t *c = &out->configs[n];
        tconf_value_t v;
        char buf[64];

        if (!configs_wanted(res, key->name))
            continue;
        n++;
        if (zcfg == NULL)
            override = mc_topic_config(t, key->name);
        for (int32_t k = 0; zcfg != NULL && k < zcfg->n; k++)
            if (strcmp(zcfg->keys[k], key->name) == 0)
                override = zcfg->values[k];
        tconf_effective(broker_conf(cx->b), key, override, buf, sizeof(buf),
                        &v);
        c->name = kstr_c(key->name);
        c->value = configs_str(cx->ar, v.value);
        c->is_default = override == NULL;
        c->config_source = v.source;
        c->config_type = (int8_t)(key->type + 1);
        c->documentation =
            r->include_documentation ? kstr_c(key->doc) : kstr_c(NULL);
        if (r->include_synonyms) {
            c->synonyms = arena_calloc(cx->ar, 2, sizeof(*c->synonyms));
            if (override != NULL) {
                c->synonyms[c->nsynonyms].name = kstr_c(key->name);
                c->synonyms[c->nsynonyms].value = c->value;
                c->synonyms[c->nsynonyms++].source = v.source;
            }
            if (key->broker_key == NULL)
                continue; /* Kafka lists no default synonym then */
            c->synonyms[c->nsynonyms].name = kstr_c(key->broker_key);
            c->synonyms[c->nsynonyms].value = configs_str(cx->ar, v.dflt);
            c->synonyms[c->nsynonyms++].source = v.dflt_source;
        }
    }
    out->nconfigs = n;
}

static void
configs_broker(const cfgctx_t *cx, const describeconfigs_req_t *r,
               const describeconfigs_req_resource_t *res,
               describeconfigs_resp_result_t *out)
{
    const bconf_t *conf = broker_conf(cx->b);
    char id[16];
    int n = 0;

    snprintf(id, sizeof(id), "%d", cx->b->id);
    if (res->resource_name.len > 0 && !kstr_eq(res->resource_name, id)) {
        out->error_code = KERR_INVALID_REQUEST;
        out->error_message = kstr_c("ask that broker for its configuration");
        return;
    }
    out->configs = arena_calloc(cx->ar, bconf_nkeys, sizeof(*out->configs));
    for (size_t i = 0; i < bconf_nkeys; i++) {
        const conf_key_t *key = &bconf_keys[i];
        describeconfigs_resp_config_t *c = &out->configs[n];
        char buf[64];
        const char *v;
        bool dflt;
        int8_t dyn;

        if (!configs_wanted(res, key->name))
            continue;
        n++;
        v = tconf_broker_value(conf, key->name, buf, sizeof(buf));
        dyn = bconf_dynamic_source(conf, key->name);
        dflt = dyn == 0 &&
               ((v == NULL && key->dflt == NULL) ||
                (v != NULL && key->dflt != NULL && strcmp(v, key->dflt) == 0));
        c->name = kstr_c(key->name);
        c->value = configs_str(cx->ar, v);
        c->read_only = !bconf_dynamic_key(key->name);
        c->is_default = dflt;
        c->config_source = dyn != 0 ? dyn
                           : dflt   ? TCONF_SOURCE_DEFAULT
                                    : TCONF_SOURCE_STATIC_BROKER;
        c->config_type = key->type == CONF_INT32   ? TYPE_INT
                         : key->type == CONF_INT64 ? TYPE_LONG
                         : key->type == CONF_BOOL  ? TYPE_BOOLEAN
                                                   : TYPE_STRING;
        c->documentation =
            r->include_documentation ? kstr_c(key->doc) : kstr_c(NULL);
        if (r->include_synonyms) {
            c->nsynonyms = 1;
            c->synonyms = arena_calloc(cx->ar, 1, sizeof(*c->synonyms));
            c->synonyms[0].name = c->name;
            c->synonyms[0].value = c->value;
            c->synonyms[0].source = c->config_source;
        }
    }
    out->nconfigs = n;
}

/* the whole answer; @zcfgs: one per topic resource in order, or NULL */
static void
configs_build(const cfgctx_t *cx, const describeconfigs_req_t *r,
              const zknode_config_t *zcfgs, describeconfigs_resp_t *resp)
{
    int ntopic = 0;

    memset(resp, 0, sizeof(*resp));
    resp->nresults = r->nresources;
    resp->results = arena_calloc(cx->ar, r->nresources, sizeof(*resp->results));
    for (int32_t i = 0; i < r->nresources; i++) {
        const describeconfigs_req_resource_t *res = &r->resources[i];
        describeconfigs_resp_result_t *out = &resp->results[i];

        out->resource_type = res->resource_type;
        out->resource_name = res->resource_name;
        out->error_message = kstr_c(NULL);
        if (res->resource_type == RESOURCE_TOPIC)
            configs_topic(cx, r, res, zcfgs ? &zcfgs[ntopic++] : NULL, out);
        else if (res->resource_type == RESOURCE_BROKER)
            configs_broker(cx, r, res, out);
        else {
            out->error_code = KERR_INVALID_REQUEST;
            out->error_message = kstr_c("unsupported resource type");
        }
    }
}

/* a request waiting for ZooKeeper: its own copy and arena */
typedef struct cfgwait {
    bdefer_t d;
    broker_t *b;
    arena_t ar;
    describeconfigs_req_t r;
} cfgwait_t;

static kstr_t
kstr_copy(arena_t *ar, kstr_t s)
{
    if (s.ptr == NULL || s.len < 0)
        return kstr_c(NULL);
    return (kstr_t){arena_strndup(ar, s.ptr, (size_t)s.len), s.len};
}

static void
cfgwait_done(bool ok, const zknode_config_t *cfgs, int n, void *ud)
{
    cfgwait_t *w = ud;
    mc_snapshot_t *snap = metacache_get();
    cfgctx_t cx = {w->b, &w->ar, snap};
    describeconfigs_resp_t resp;
    kwrite_t *kw;

    (void)n;
    configs_build(&cx, &w->r, ok ? cfgs : NULL, &resp);
    kw = bresp_begin(w->d.correlation_id, API_DESCRIBE_CONFIGS,
                     w->d.api_version);
    p_describeconfigs_resp_encode(kw, w->d.api_version, &resp);
    bdefer_reply(&w->d, kw);
    mc_snapshot_put(snap);
    arena_fini(&w->ar);
    free(w);
}

/* reads the named topics' configs from ZooKeeper, then answers */
static void
configs_defer(breq_t *req, ctl_t *ctl, const describeconfigs_req_t *r,
              int ntopics)
{
    cfgwait_t *w = xcalloc(1, sizeof(*w));
    const char **names = xcalloc((size_t)ntopics + 1, sizeof(char *));
    int k = 0;

    bdefer_init(&w->d, req);
    w->b = req->b;
    arena_init(&w->ar);
    w->r = *r;
    w->r.resources =
        arena_calloc(&w->ar, r->nresources + 1, sizeof(*w->r.resources));
    for (int32_t i = 0; i < r->nresources; i++) {
        const describeconfigs_req_resource_t *src = &r->resources[i];
        describeconfigs_req_resource_t *dst = &w->r.resources[i];

        *dst = *src;
        dst->resource_name = kstr_copy(&w->ar, src->resource_name);
        if (src->nconfiguration_keys > 0) {
            dst->configuration_keys = arena_calloc(
                &w->ar, (size_t)src->nconfiguration_keys, sizeof(kstr_t));
            for (int32_t j = 0; j < src->nconfiguration_keys; j++)
                dst->configuration_keys[j] =
                    kstr_copy(&w->ar, src->configuration_keys[j]);
        }
        if (dst->resource_type == RESOURCE_TOPIC)
            names[k++] =
                dst->resource_name.ptr != NULL ? dst->resource_name.ptr : "";
    }
    ctl_read_topic_configs(ctl, names, k, cfgwait_done, w);
    free(names);
}

int
h_describe_configs(breq_t *req, kread_t *kr)
{
    int16_t version = req->hdr.request_api_version;
    ctl_t *ctl = __atomic_load_n(&req->b->ctl, __ATOMIC_ACQUIRE);
    cfgctx_t cx = {req->b, req->ar, req->snap};
    describeconfigs_resp_t resp;
    describeconfigs_req_t r;
    kwrite_t *kw;
    int ntopics = 0;

    if (p_describeconfigs_req_decode(kr, version, req->ar, &r) != 0)
        return ERR_PROTO;
    for (int32_t i = 0; i < r.nresources; i++)
        ntopics += r.resources[i].resource_type == RESOURCE_TOPIC;
    if (ntopics > 0 && ctl != NULL) {
        configs_defer(req, ctl, &r, ntopics);
        return 0;
    }
    configs_build(&cx, &r, NULL, &resp);
    kw = bresp_begin(req->hdr.correlation_id, API_DESCRIBE_CONFIGS, version);
    p_describeconfigs_resp_encode(kw, version, &resp);
    breq_reply(req, kw);
    return 0;
}
