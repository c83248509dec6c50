/*
 * h_configs.c: DescribeConfigs (key 32), v0-4.
 * Spec: protocol guide "DescribeConfigs"; KIP-133, KIP-226 (synonyms, v1+),
 * KIP-569 (types and documentation, v3+).
 *
 * Topics: every topic-level key (tconf.h) with the override from
 * /config/topics/<t> or the broker default. Brokers: every key of
 * samsad.conf (bconf.h); the dynamic ones (bconf_dynamic_key) are not
 * read-only, and report DYNAMIC_BROKER_CONFIG / DYNAMIC_DEFAULT_BROKER_CONFIG
 * when /config/brokers/<id> or /config/brokers/<default> sets them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_describeconfigs.h"
#include "samsa/tconf.h"

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

static void
configs_topic(breq_t *req, const describeconfigs_req_t *r,
              const describeconfigs_req_resource_t *res,
              describeconfigs_resp_result_t *out)
{
    const mc_topic_t *t = mc_topic_find(req->snap, res->resource_name.ptr,
                                        res->resource_name.len);
    int n = 0;

    if (t == NULL || t->deleting) {
        out->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        out->error_message = kstr_c("the topic does not exist");
        return;
    }
    out->configs = arena_calloc(req->ar, tconf_nkeys, sizeof(*out->configs));
    for (size_t i = 0; i < tconf_nkeys; i++) {
        const tconf_key_t *key = &tconf_keys[i];
        const char *override = mc_topic_config(t, key->name);
        describeconfigs_resp_config_t *c = &out->configs[n];
        tconf_value_t v;
        char buf[64];

        if (!configs_wanted(res, key->name))
            continue;
        n++;
        tconf_effective(broker_conf(req->b), key, override, buf, sizeof(buf),
                        &v);
        c->name = kstr_c(key->name);
        c->value = configs_str(req->ar, v.value);
        c->is_default = override == NULL;
        c->config_source = v.source;
        c->config_type = (int8_t)(key->type + 1);
        c->documentation =
            r->include_documentation ? kstr_c(key->doc) : kstr_c(NULL);
        if (r->include_synonyms) {
            c->synonyms = arena_calloc(req->ar, 2, sizeof(*c->synonyms));
            if (override != NULL) {
                c->synonyms[c->nsynonyms].name = kstr_c(key->name);
                c->synonyms[c->nsynonyms].value = c->value;
                c->synonyms[c->nsynonyms++].source = v.source;
            }
            if (key->broker_key == NULL)
                continue; /* Kafka lists no default synonym then */
            c->synonyms[c->nsynonyms].name = kstr_c(key->broker_key);
            c->synonyms[c->nsynonyms].value = configs_str(req->ar, v.dflt);
            c->synonyms[c->nsynonyms++].source = v.dflt_source;
        }
    }
    out->nconfigs = n;
}

static void
configs_broker(breq_t *req, const describeconfigs_req_t *r,
               const describeconfigs_req_resource_t *res,
               describeconfigs_resp_result_t *out)
{
    const bconf_t *conf = broker_conf(req->b);
    char id[16];
    int n = 0;

    snprintf(id, sizeof(id), "%d", req->b->id);
    if (res->resource_name.len > 0 && !kstr_eq(res->resource_name, id)) {
        out->error_code = KERR_INVALID_REQUEST;
        out->error_message = kstr_c("ask that broker for its configuration");
        return;
    }
    out->configs = arena_calloc(req->ar, bconf_nkeys, sizeof(*out->configs));
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
        c->value = configs_str(req->ar, v);
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
            c->synonyms = arena_calloc(req->ar, 1, sizeof(*c->synonyms));
            c->synonyms[0].name = c->name;
            c->synonyms[0].value = c->value;
            c->synonyms[0].source = c->config_source;
        }
    }
    out->nconfigs = n;
}

int
h_describe_configs(breq_t *req, kread_t *kr)
{
    int16_t version = req->hdr.request_api_version;
    describeconfigs_resp_t resp = {0};
    describeconfigs_req_t r;
    kwrite_t *kw;

    if (p_describeconfigs_req_decode(kr, version, req->ar, &r) != 0)
        return ERR_PROTO;
    resp.nresults = r.nresources;
    resp.results = arena_calloc(req->ar, r.nresources, sizeof(*resp.results));
    for (int32_t i = 0; i < r.nresources; i++) {
        const describeconfigs_req_resource_t *res = &r.resources[i];
        describeconfigs_resp_result_t *out = &resp.results[i];

        out->resource_type = res->resource_type;
        out->resource_name = res->resource_name;
        out->error_message = kstr_c(NULL);
        if (res->resource_type == RESOURCE_TOPIC)
            configs_topic(req, &r, res, out);
        else if (res->resource_type == RESOURCE_BROKER)
            configs_broker(req, &r, res, out);
        else {
            out->error_code = KERR_INVALID_REQUEST;
            out->error_message = kstr_c("unsupported resource type");
        }
    }
    kw = bresp_begin(req->hdr.correlation_id, API_DESCRIBE_CONFIGS, version);
    p_describeconfigs_resp_encode(kw, version, &resp);
    breq_reply(req, kw);
    return 0;
}
