/*
 * h_alter_configs.c: AlterConfigs (key 33, v0-2) and
 * IncrementalAlterConfigs (key 44, v0-1).
 * Spec: protocol guide "AlterConfigs", "IncrementalAlterConfigs"; KIP-133,
 * KIP-226 (dynamic broker configs), KIP-339 (incremental ops); Kafka 2.8
 * ZkAdminManager.alterConfigs / incrementalAlterConfigs.
 *
 * Checks here, on the IO loop: topics exist and every value passes
 * tconf_valid (INVALID_CONFIG with Kafka's message); broker resources
 * ("" = the cluster-wide default, else a broker id) take only the keys
 * samsa changes at runtime (bconf_dynamic_key; others INVALID_REQUEST
 * "Cannot update these configs dynamically"). validate_only stops there.
 * The ZooKeeper writes (config node + change notification) are the ctl
 * thread's (ctl_alter_configs); the answer leaves when they are done, and
 * every broker applies the change when it sees the notification.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_alterconfigs.h"
#include "samsa/tconf.h"
#include "samsa/xmalloc.h"

#define RES_TOPIC 2
#define RES_BROKER 4
#define FROM_CTL INT16_MIN

typedef struct alter_wait {
    bdefer_t d;
    int n;
    int8_t *types;
    char **names;
    int16_t *errors; /* local verdicts, or FROM_CTL */
    char **messages;
} alter_wait_t;

static void
alter_wait_free(alter_wait_t *aw)
{
    for (int i = 0; i < aw->n; i++) {
        free(aw->names[i]);
        free(aw->messages[i]);
    }
    free(aw->types);
    free(aw->names);
    free(aw->errors);
    free(aw->messages);
    free(aw);
}

static void
alter_configs_done(const ctl_result_t *results, int n, void *ud)
{
    alter_wait_t *aw = ud;
    int16_t key = aw->d.api_key, version = aw->d.api_version;
    alterconfigs_resp_t resp = {0};
    kwrite_t *kw;
    int k = 0;

    resp.nresponses = aw->n;
    resp.responses = xcalloc(aw->n + 1, sizeof(*resp.responses));
    for (int i = 0; i < aw->n; i++) {
        alterconfigs_resp_response_t *r = &resp.responses[i];
        const char *msg = aw->messages[i];

        r->error_code = aw->errors[i];
        if (aw->errors[i] == FROM_CTL) {
            if (results != NULL && k < n) {
                r->error_code = results[k].error_code;
                msg = results[k].error_message;
            } else {
                r->error_code = KERR_NONE; /* validate_only */
            }
            k++;
        }
        r->error_message = kstr_c(msg);
        r->resource_type = aw->types[i];
        r->resource_name = kstr_c(aw->names[i]);
    }
    kw = bresp_begin(aw->d.correlation_id, key, version);
    if (key == API_ALTER_CONFIGS)
        p_alterconfigs_resp_encode(kw, version, &resp);
    else
        p_incrementalalterconfigs_resp_encode(kw, version, &resp);
    free(resp.responses);
    bdefer_reply(&aw->d, kw);
    alter_wait_free(aw);
}

static char *
alter_strdup(kstr_t s)
{
    return s.len >= 0 ? xstrndup(s.ptr, (size_t)s.len) : NULL;
}

/* a topic resource: 0, or an error with a message in @msg */
static int16_t
alter_check_topic(breq_t *req, const alterconfigs_req_resource_t *res,
                  bool incremental, char *msg, size_t msglen)
{
    const mc_topic_t *t = mc_topic_find(req->snap, res->resource_name.ptr,
                                        res->resource_name.len);

    if (t == NULL || t->deleting) {
        snprintf(msg, msglen, "Topic %.*s does not exist.",
                 (int)(res->resource_name.len > 0 ? res->resource_name.len : 0),
                 res->resource_name.ptr ? res->resource_name.ptr : "");
        return KERR_UNKNOWN_TOPIC_OR_PARTITION;
    }
    for (int32_t k = 0; k < res->nconfigs; k++) {
        const alterconfigs_req_config_t *c = &res->configs[k];
        char *name = alter_strdup(c->name), *value = alter_strdup(c->value);
        const tconf_key_t *key = tconf_find(name);
        int16_t err = KERR_NONE;

        if (key == NULL) {
            snprintf(msg, msglen, "Unknown topic config name: %s", name);
            err = KERR_INVALID_CONFIG;
        } else if (!incremental || c->config_operation == 0) {
            if (!tconf_valid(name, value, msg, msglen))
                err = KERR_INVALID_CONFIG;
        } else if (c->config_operation == 2 || c->config_operation == 3) {
            if (key->type != TCONF_LIST) {
                snprintf(msg, msglen,
                         "Config value append is not allowed "
                         "for config key: %s",
                         name);
                err = KERR_INVALID_CONFIG;
            } else if (c->config_operation == 2 &&
                       !tconf_valid(name, value, msg, msglen)) {
                err = KERR_INVALID_CONFIG;
            }
        } else if (c->config_operation != 1) {
            snprintf(msg, msglen, "Unknown config operation %d",
                     (int)c->config_operation);
            err = KERR_INVALID_REQUEST;
        }
        free(name);
        free(value);
        if (err != KERR_NONE)
            return err;
    }
    return KERR_NONE;
}

static int16_t
alter_check_broker(const alterconfigs_req_resource_t *res, bool incremental,
                   char *msg, size_t msglen)
{
    kstr_t n = res->resource_name;

    for (int32_t i = 0; i < n.len; i++)
        if (n.ptr[i] < '0' || n.ptr[i] > '9' || n.len > 9) {
            snprintf(msg, msglen, "Broker id must be an integer, not %.*s",
                     (int)n.len, n.ptr);
            return KERR_INVALID_REQUEST;
        }
    for (int32_t k = 0; k < res->nconfigs; k++) {
        const alterconfigs_req_config_t *c = &res->configs[k];
        char *name = alter_strdup(c->name), *value = alter_strdup(c->value);
        int16_t err = KERR_NONE;
        bool not_dynamic;

        if (incremental && c->config_operation == 1) {
            if (!bconf_dynamic_key(name)) {
                snprintf(msg, msglen,
                         "Cannot update these configs "
                         "dynamically: Set(%s)",
                         name);
                err = KERR_INVALID_REQUEST;
            }
        } else if (incremental && c->config_operation != 0) {
            snprintf(msg, msglen,
                     "Config value append is not allowed for "
                     "config key: %s",
                     name);
            err = KERR_INVALID_CONFIG;
        } else if (!bconf_dynamic_valid(name, value, &not_dynamic, msg,
                                        msglen)) {
            err = not_dynamic ? KERR_INVALID_REQUEST : KERR_INVALID_CONFIG;
        }
        free(name);
        free(value);
        if (err != KERR_NONE)
            return err;
    }
    return KERR_NONE;
}

int
h_alter_configs(breq_t *req, kread_t *kr)
{
    int16_t version = req->hdr.request_api_version;
    bool incremental =
        req->hdr.request_api_key == API_INCREMENTAL_ALTER_CONFIGS;
    ctl_t *ctl = __atomic_load_n(&req->b->ctl, __ATOMIC_ACQUIRE);
    ctl_config_alter_t *todo;
    alterconfigs_req_t r;
    alter_wait_t *aw;
    int rc, n = 0;

    rc = incremental
             ? p_incrementalalterconfigs_req_decode(kr, version, req->ar, &r)
             : p_alterconfigs_req_decode(kr, version, req->ar, &r);
    if (rc != 0)
        return ERR_PROTO;
    aw = xcalloc(1, sizeof(*aw));
    bdefer_init(&aw->d, req);
    aw->n = r.nresources;
    aw->types = xcalloc(aw->n + 1, sizeof(*aw->types));
    aw->names = xcalloc(aw->n + 1, sizeof(*aw->names));
    aw->errors = xcalloc(aw->n + 1, sizeof(*aw->errors));
    aw->messages = xcalloc(aw->n + 1, sizeof(*aw->messages));
    todo = arena_calloc(req->ar, r.nresources + 1, sizeof(*todo));
    for (int32_t i = 0; i < r.nresources; i++) {
        const alterconfigs_req_resource_t *res = &r.resources[i];
        char msg[512] = "";
        int16_t err;

        aw->types[i] = res->resource_type;
        aw->names[i] = alter_strdup(res->resource_name);
        if (aw->names[i] == NULL)
            aw->names[i] = xstrdup("");
        if (res->resource_type == RES_TOPIC)
            err = alter_check_topic(req, res, incremental, msg, sizeof(msg));
        else if (res->resource_type == RES_BROKER)
            err = alter_check_broker(res, incremental, msg, sizeof(msg));
        else {
            err = KERR_INVALID_REQUEST;
            snprintf(msg, sizeof(msg), "unsupported resource type %d",
                     (int)res->resource_type);
        }
        if (err == KERR_NONE && ctl == NULL) {
            err = KERR_BROKER_NOT_AVAILABLE;
            snprintf(msg, sizeof(msg), "the broker is not in the cluster");
        }
        if (err != KERR_NONE) {
            aw->errors[i] = err;
            aw->messages[i] = xstrdup(msg);
            continue;
        }
        aw->errors[i] = FROM_CTL;
        if (r.validate_only)
            continue;
        todo[n].resource_type = res->resource_type;
        todo[n].name = aw->names[i];
        todo[n].incremental = incremental;
        todo[n].nops = res->nconfigs;
        todo[n].ops =
            arena_calloc(req->ar, res->nconfigs + 1, sizeof(*todo[n].ops));
        for (int32_t k = 0; k < res->nconfigs; k++) {
            ctl_config_op_t *op = (ctl_config_op_t *)&todo[n].ops[k];
            const alterconfigs_req_config_t *c = &res->configs[k];

            op->name = arena_strndup(req->ar, c->name.ptr,
                                     c->name.len > 0 ? c->name.len : 0);
            op->op = incremental ? c->config_operation : 0;
            op->value = c->value.len >= 0
                            ? arena_strndup(req->ar, c->value.ptr, c->value.len)
                            : NULL;
        }
        n++;
    }
    if (r.validate_only || n == 0) {
        alter_configs_done(NULL, 0, aw);
        return 0;
    }
    ctl_alter_configs(ctl, todo, n, alter_configs_done, aw);
    return 0;
}
