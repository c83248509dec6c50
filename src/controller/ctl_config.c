/*
 * ctl_config.c: entity configs in ZooKeeper (Kafka 2.8 AdminZkClient
 * .changeConfigs and ZkNodeChangeNotificationListener).
 *
 * Owns: writing /config/topics/<t> and /config/brokers/<id|<default>> for
 * AlterConfigs / IncrementalAlterConfigs, each together with a sequential
 * /config/changes/config_change_ notification; watching /config/changes on
 * every broker; re-reading this broker's dynamic configs (hook
 * on_broker_config) and, on the active controller, a changed topic's
 * config (ctl_ctrl_reload_config: it reaches every broker in the next
 * UpdateMetadata, whose snapshot carries topic configs). The controller
 * deletes notifications older than 15 minutes, as Kafka's listener does.
 * Does not own: validating broker values (the broker, bconf.h), what the
 * configs mean. Runs on the ctl thread except ctl_config_init (ctl_start).
 *
 * Notification processing:
 *
 *   watch fired / start / new session --> list /config/changes (watch)
 *     first listing: remember the highest sequence, re-read broker configs
 *     later: for each child above the highest seen, read its entity_path:
 *        topics/<t>        -> controller re-reads /config/topics/<t>
 *        brokers/<default> or brokers/<own id> -> re-read both broker nodes
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_int.h"
#include "samsa/clock.h"
#include "samsa/kerr.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

#define CFG_DEFAULT "<default>"
#define CFG_TOPIC 2
#define CFG_BROKER 4
#define CFG_EXPIRE_MS (15 * 60 * 1000) /* Kafka's changeExpirationMs */
#define CFG_TRIES 5

struct ctl_cfgw {
    int64_t last_seq; /* highest notification seen; -1 none */
    bool primed;      /* first listing done */
    bool listing;
    bool list_again;
    bool reading; /* broker config reads in flight */
    bool read_again;
    int nread; /* of the two broker nodes */
    zknode_config_t dflt, mine;
};

/* ---- helpers ---------------------------------------------------------- */

static char *
cfg_strdup_null(const char *s)
{
    return s != NULL ? xstrdup(s) : NULL;
}

static int
cfg_find(const zknode_config_t *c, const char *key)
{
    for (int32_t i = 0; i < c->n; i++)
        if (strcmp(c->keys[i], key) == 0)
            return i;
    return -1;
}

static void
cfg_remove(zknode_config_t *c, const char *key)
{
    int i = cfg_find(c, key);

    if (i < 0)
        return;
    free(c->keys[i]);
    free(c->values[i]);
    c->keys[i] = c->keys[c->n - 1];
    c->values[i] = c->values[c->n - 1];
    c->n--;
}

static void
cfg_put(zknode_config_t *c, const char *key, const char *value)
{
    int i = cfg_find(c, key);

    if (i >= 0) {
        free(c->values[i]);
        c->values[i] = xstrdup(value);
        return;
    }
    c->keys = xrealloc(c->keys, sizeof(char *) * (c->n + 1));
    c->values = xrealloc(c->values, sizeof(char *) * (c->n + 1));
    c->keys[c->n] = xstrdup(key);
    c->values[c->n] = xstrdup(value);
    c->n++;
}

/* is @item an element of the comma-separated @list? */
static bool
cfg_list_has(const char *list, const char *item, size_t len)
{
    const char *p = list;

    while (*p != '\0') {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);

        if (n == len && strncmp(p, item, len) == 0)
            return true;
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

/* APPEND (@add) or SUBTRACT the elements of @arg to/from the list @cur */
static char *
cfg_list_edit(const char *cur, const char *arg, bool add)
{
    size_t cap = strlen(cur ? cur : "") + strlen(arg) + 2, len = 0;
    char *out = xmalloc(cap);
    const char *src[2] = {cur ? cur : "", add ? arg : ""};

    out[0] = '\0';
    for (int s = 0; s < 2; s++) {
        const char *p = src[s];

        while (*p != '\0') {
            const char *e = strchr(p, ',');
            size_t n = e ? (size_t)(e - p) : strlen(p);

            if (n > 0 && !cfg_list_has(out, p, n) &&
                (add || !cfg_list_has(arg, p, n))) {
                if (len > 0)
                    out[len++] = ',';
                memcpy(out + len, p, n);
                len += n;
                out[len] = '\0';
            }
            p += n;
            if (*p == ',')
                p++;
        }
    }
    return out;
}

/* ---- AlterConfigs ----------------------------------------------------- */

typedef struct cfg_item {
    int8_t type;
    char *name;
    char *path;
    char *entity; /* "topics/<t>", "brokers/<id>" */
    bool incremental;
    int32_t nops;
    char **keys;
    int8_t *ops;
    char **values;
    int tries;
    bool done;
    int16_t error_code;
    char *error_message;
} cfg_item_t;

typedef struct ctl_cfg_req {
    ctl_t *ctl;
    int n;
    cfg_item_t *items;
    int pending;
    ctl_done_fn done;
    void *ud;
} ctl_cfg_req_t;

typedef struct cfg_op {
    ctl_cfg_req_t *req;
    cfg_item_t *it;
} cfg_op_t;

static void cfg_item_read(ctl_cfg_req_t *req, cfg_item_t *it);

static void
cfg_req_free(ctl_cfg_req_t *req)
{
    for (int i = 0; i < req->n; i++) {
        cfg_item_t *it = &req->items[i];

        free(it->name);
        free(it->path);
        free(it->entity);
        for (int32_t k = 0; k < it->nops; k++) {
            free(it->keys[k]);
            free(it->values[k]);
        }
        free(it->keys);
        free(it->ops);
        free(it->values);
        free(it->error_message);
    }
    free(req->items);
    free(req);
}

static void
cfg_req_answer(ctl_cfg_req_t *req)
{
    ctl_result_t *res = xcalloc(req->n + 1, sizeof(*res));

    for (int i = 0; i < req->n; i++) {
        res[i].name = req->items[i].name;
        res[i].error_code = req->items[i].error_code;
        res[i].error_message = req->items[i].error_message;
        res[i].num_partitions = -1;
        res[i].replication_factor = -1;
    }
    if (req->done != NULL)
        req->done(res, req->n, req->ud);
    free(res);
    cfg_req_free(req);
}

static void
cfg_item_finish(ctl_cfg_req_t *req, cfg_item_t *it, int16_t err,
                const char *msg)
{
    it->done = true;
    it->error_code = err;
    free(it->error_message);
    it->error_message = cfg_strdup_null(msg);
    if (--req->pending == 0)
        cfg_req_answer(req);
}

static int16_t
cfg_zk_error(int rc)
{
    return ctl_zk_transient(rc) ? KERR_REQUEST_TIMED_OUT
                                : KERR_UNKNOWN_SERVER_ERROR;
}

static void
cfg_write_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    cfg_op_t *op = ud;
    ctl_cfg_req_t *req = op->req;
    cfg_item_t *it = op->it;
    char msg[512];

    free(op);
    if (res->rc == ZOK) {
        say_info("[ctl] config of %s updated", it->entity);
        cfg_item_finish(req, it, KERR_NONE, NULL);
    } else if ((res->rc == ZBADVERSION || res->rc == ZNODEEXISTS ||
                (res->rc == ZNONODE && it->type == CFG_BROKER)) &&
               ++it->tries < CFG_TRIES) {
        cfg_item_read(req, it); /* changed under us: read it again */
    } else if (res->rc == ZNONODE && it->type == CFG_TOPIC) {
        snprintf(msg, sizeof(msg), "Topic %s does not exist.", it->name);
        cfg_item_finish(req, it, KERR_UNKNOWN_TOPIC_OR_PARTITION, msg);
    } else {
        snprintf(msg, sizeof(msg), "writing %s: %s", it->path,
                 zk_strerror(res->rc));
        cfg_item_finish(req, it, cfg_zk_error(res->rc), msg);
    }
}

/* applies the item's ops to @cfg; false with a message (INVALID_CONFIG) */
static bool
cfg_apply(ctl_t *ctl, cfg_item_t *it, zknode_config_t *cfg, char *msg,
          size_t msglen)
{
    if (!it->incremental) {
        zknode_config_fini(cfg);
        memset(cfg, 0, sizeof(*cfg));
    }
    for (int32_t k = 0; k < it->nops; k++) {
        const char *key = it->keys[k], *v = it->values[k];
        int i = cfg_find(cfg, key);
        char *nv;

        switch (it->ops[k]) {
        case 0: /* SET */
            if (v == NULL) {
                if (it->incremental) {
                    snprintf(msg, msglen,
                             "Null value not supported for "
                             "%s",
                             key);
                    return false;
                }
                cfg_remove(cfg, key); /* AlterConfigs: null = default */
            } else {
                cfg_put(cfg, key, v);
            }
            break;
        case 1: /* DELETE */ cfg_remove(cfg, key); break;
        case 2: /* APPEND */
        case 3: /* SUBTRACT */
            nv = cfg_list_edit(i >= 0 ? cfg->values[i] : NULL,
                               v != NULL ? v : "", it->ops[k] == 2);
            cfg_put(cfg, key, nv);
            free(nv);
            break;
        default:
            snprintf(msg, msglen, "Unknown config operation %d for %s",
                     (int)it->ops[k], key);
            return false;
        }
    }
    if (it->type == CFG_TOPIC && ctl->cfg.topic_config_valid != NULL)
        for (int32_t i = 0; i < cfg->n; i++)
            if (!ctl->cfg.topic_config_valid(cfg->keys[i], cfg->values[i], msg,
                                             msglen))
                return false;
    return true;
}

static void
cfg_read_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    cfg_op_t *op = ud;
    ctl_cfg_req_t *req = op->req;
    cfg_item_t *it = op->it;
    ctl_t *ctl = req->ctl;
    zknode_config_t cfg;
    char msg[512] = "", *json, *change;
    zk_op_t ops[3];
    int nops = 0;

    memset(&cfg, 0, sizeof(cfg));
    if (res->rc != ZOK && res->rc != ZNONODE) {
        free(op);
        snprintf(msg, sizeof(msg), "reading %s: %s", it->path,
                 zk_strerror(res->rc));
        cfg_item_finish(req, it, cfg_zk_error(res->rc), msg);
        return;
    }
    if (res->rc == ZOK && res->datalen > 0 &&
        zknode_config_decode(res->data, res->datalen, &cfg, msg, sizeof(msg)) !=
            0) {
        /* an unreadable node: an AlterConfigs replaces it; else stop */
        if (it->incremental) {
            free(op);
            cfg_item_finish(req, it, KERR_INVALID_CONFIG, msg);
            return;
        }
        memset(&cfg, 0, sizeof(cfg));
    }
    if (!cfg_apply(ctl, it, &cfg, msg, sizeof(msg))) {
        zknode_config_fini(&cfg);
        free(op);
        cfg_item_finish(req, it, KERR_INVALID_CONFIG, msg);
        return;
    }
    json = zknode_config_encode(&cfg);
    change = zknode_config_change_encode(it->entity);
    if (it->type == CFG_TOPIC) {
        char *tpath = xasprintf("%s/%s", ZKNODE_TOPICS, it->name);

        /* the topic must exist (Kafka: "Topic t does not exist.") */
        ops[nops++] = (zk_op_t){ZK_OP_CHECK, tpath, NULL, 0, 0, -1};
    }
    if (res->rc == ZOK)
        ops[nops++] =
            (zk_op_t){ZK_OP_SET,         it->path, json,
                      (int)strlen(json), 0,        res->stat->version};
    else
        ops[nops++] =
            (zk_op_t){ZK_OP_CREATE, it->path, json, (int)strlen(json), 0, -1};
    ops[nops++] = (zk_op_t){ZK_OP_CREATE, ZKNODE_CONFIG_CHANGE_PREFIX,
                            change,       (int)strlen(change),
                            ZOO_SEQUENCE, -1};
    zk_multi(zk, ops, nops, cfg_write_done, op);
    if (it->type == CFG_TOPIC)
        free((char *)ops[0].path);
    free(json);
    free(change);
    zknode_config_fini(&cfg);
}

static void
cfg_item_read(ctl_cfg_req_t *req, cfg_item_t *it)
{
    cfg_op_t *op = xmalloc(sizeof(*op));

    op->req = req;
    op->it = it;
    zk_get(req->ctl->zk, it->path, false, cfg_read_done, op);
}

void
ctl_alter_configs(ctl_t *ctl, const ctl_config_alter_t *res, int n,
                  ctl_done_fn done, void *ud)
{
    ctl_cfg_req_t *req = xcalloc(1, sizeof(*req));

    req->ctl = ctl;
    req->n = n > 0 ? n : 0;
    req->items = xcalloc(req->n + 1, sizeof(*req->items));
    req->done = done;
    req->ud = ud;
    for (int i = 0; i < req->n; i++) {
        const ctl_config_alter_t *r = &res[i];
        cfg_item_t *it = &req->items[i];
        const char *name = r->name != NULL ? r->name : "";
        const char *ent = *name != '\0' ? name : CFG_DEFAULT;

        it->type = r->resource_type;
        it->name = xstrdup(name);
        if (it->type == CFG_TOPIC) {
            it->path = xasprintf("%s/%s", ZKNODE_CONFIG_TOPICS, name);
            it->entity = xasprintf("topics/%s", name);
        } else {
            it->path = xasprintf("%s/%s", ZKNODE_CONFIG_BROKERS, ent);
            it->entity = xasprintf("brokers/%s", ent);
        }
        it->incremental = r->incremental;
        it->nops = r->nops > 0 ? r->nops : 0;
        it->keys = xcalloc(it->nops + 1, sizeof(char *));
        it->ops = xcalloc(it->nops + 1, sizeof(int8_t));
        it->values = xcalloc(it->nops + 1, sizeof(char *));
        for (int32_t k = 0; k < it->nops; k++) {
            it->keys[k] = xstrdup(r->ops[k].name ? r->ops[k].name : "");
            it->ops[k] = r->ops[k].op;
            it->values[k] = cfg_strdup_null(r->ops[k].value);
        }
    }
    ctl_post(ctl, CTL_EV_CONFIG, req);
}

void
ctl_config_alter_start(ctl_t *ctl, ctl_cfg_req_t *req)
{
    if (req->n == 0) {
        cfg_req_answer(req);
        return;
    }
    req->pending = req->n;
    for (int i = 0; i < req->n; i++)
        cfg_item_read(req, &req->items[i]);
}

void
ctl_config_alter_fail(ctl_cfg_req_t *req, int16_t err)
{
    for (int i = 0; i < req->n; i++) {
        req->items[i].error_code = err;
        free(req->items[i].error_message);
        req->items[i].error_message = xstrdup("the broker is stopping");
    }
    cfg_req_answer(req);
}

/* ---- dynamic broker configs (this broker) ----------------------------- */

static void
cfg_broker_apply(ctl_t *ctl, const zknode_config_t *d, const zknode_config_t *b)
{
    if (ctl->hooks.on_broker_config == NULL)
        return;
    ctl->hooks.on_broker_config(
        (const char *const *)d->keys, (const char *const *)d->values, d->n,
        (const char *const *)b->keys, (const char *const *)b->values, b->n,
        ctl->hooks.ud);
}

/* a node's config, empty when absent or unreadable */
static void
cfg_decode_or_empty(const char *path, const char *data, int len,
                    zknode_config_t *out)
{
    char err[256];

    memset(out, 0, sizeof(*out));
    if (data == NULL || len <= 0)
        return;
    if (zknode_config_decode(data, (size_t)len, out, err, sizeof(err)) != 0) {
        say_error("[ctl] %s: %s", path, err);
        memset(out, 0, sizeof(*out));
    }
}

/* ---- reading topic configs (DescribeConfigs) -------------------------- */

struct ctl_cfg_read {
    int n;
    int pending;
    bool ok;
    char **topics;
    zknode_config_t *cfgs;
    ctl_topic_configs_fn done;
    void *ud;
};

typedef struct cfg_read_call {
    ctl_cfg_read_t *r;
    int idx;
} cfg_read_call_t;

void
ctl_read_topic_configs(ctl_t *ctl, const char *const *topics, int n,
                       ctl_topic_configs_fn done, void *ud)
{
    ctl_cfg_read_t *r = xcalloc(1, sizeof(*r));

    r->n = n > 0 ? n : 0;
    r->ok = true;
    r->topics = xcalloc(r->n + 1, sizeof(char *));
    r->cfgs = xcalloc(r->n + 1, sizeof(*r->cfgs));
    for (int i = 0; i < r->n; i++)
        r->topics[i] = xstrdup(topics[i]);
    r->done = done;
    r->ud = ud;
    ctl_post(ctl, CTL_EV_CONFIG_READ, r);
}

static void
cfg_read_finish(ctl_cfg_read_t *r)
{
    if (r->done != NULL)
        r->done(r->ok, r->ok ? r->cfgs : NULL, r->ok ? r->n : 0, r->ud);
    for (int i = 0; i < r->n; i++) {
        free(r->topics[i]);
        zknode_config_fini(&r->cfgs[i]);
    }
    free(r->topics);
    free(r->cfgs);
    free(r);
}

void
ctl_config_read_fail(ctl_cfg_read_t *r)
{
    r->ok = false;
    cfg_read_finish(r);
}

static void
cfg_topic_read_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    cfg_read_call_t *c = ud;
    ctl_cfg_read_t *r = c->r;

    (void)zk;
    if (res->rc == ZOK)
        cfg_decode_or_empty(res->path, res->data, res->datalen,
                            &r->cfgs[c->idx]);
    else if (res->rc != ZNONODE)
        r->ok = false;
    free(c);
    if (--r->pending == 0)
        cfg_read_finish(r);
}

void
ctl_config_read_start(ctl_t *ctl, ctl_cfg_read_t *r)
{
    if (r->n == 0) {
        cfg_read_finish(r);
        return;
    }
    r->pending = r->n;
    for (int i = 0; i < r->n; i++) {
        cfg_read_call_t *c = xmalloc(sizeof(*c));
        char *path = xasprintf("%s/%s", ZKNODE_CONFIG_TOPICS, r->topics[i]);

        c->r = r;
        c->idx = i;
        zk_get(ctl->zk, path, false, cfg_topic_read_done, c);
        free(path);
    }
}

static void cfg_read_brokers(ctl_t *ctl);

static void
cfg_broker_read_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    ctl_t *ctl = ud;
    ctl_cfgw_t *w = ctl->cfgw;
    bool is_default = strstr(res->path, "/" CFG_DEFAULT) != NULL;
    zknode_config_t *dst = is_default ? &w->dflt : &w->mine;

    zknode_config_fini(dst);
    memset(dst, 0, sizeof(*dst));
    if (res->rc == ZOK)
        cfg_decode_or_empty(res->path, res->data, res->datalen, dst);
    else if (res->rc != ZNONODE)
        say_warn("[ctl] reading %s: %s", res->path, zk_strerror(res->rc));
    if (++w->nread < 2)
        return;
    w->reading = false;
    if (res->rc == ZCLOSING)
        return;
    cfg_broker_apply(ctl, &w->dflt, &w->mine);
    /* the controller's own dynamic configs steer it too
     * (unclean.leader.election.enable): look at the partitions again */
    if (ctl->ctrl != NULL)
        ctl_ctrl_kick(ctl);
    if (w->read_again) {
        w->read_again = false;
        cfg_read_brokers(ctl);
    }
}

static void
cfg_read_brokers(ctl_t *ctl)
{
    ctl_cfgw_t *w = ctl->cfgw;
    char *path;

    if (w->reading) {
        w->read_again = true;
        return;
    }
    w->reading = true;
    w->nread = 0;
    zk_get(ctl->zk, ZKNODE_CONFIG_BROKERS "/" CFG_DEFAULT, false,
           cfg_broker_read_done, ctl);
    path = xasprintf("%s/%d", ZKNODE_CONFIG_BROKERS, (int)ctl->cfg.broker_id);
    zk_get(ctl->zk, path, false, cfg_broker_read_done, ctl);
    free(path);
}

void
ctl_config_init(ctl_t *ctl)
{
    ctl_cfgw_t *w = xcalloc(1, sizeof(*w));
    char *data = NULL, *path;
    int len = 0;

    w->last_seq = -1;
    ctl->cfgw = w;
    /* synchronous: the broker starts with its dynamic configs applied */
    if (zk_sync_get(ctl->zk, ZKNODE_CONFIG_BROKERS "/" CFG_DEFAULT, &data, &len,
                    NULL) == ZOK)
        cfg_decode_or_empty(ZKNODE_CONFIG_BROKERS "/" CFG_DEFAULT, data, len,
                            &w->dflt);
    free(data);
    data = NULL;
    path = xasprintf("%s/%d", ZKNODE_CONFIG_BROKERS, (int)ctl->cfg.broker_id);
    if (zk_sync_get(ctl->zk, path, &data, &len, NULL) == ZOK)
        cfg_decode_or_empty(path, data, len, &w->mine);
    free(data);
    free(path);
    if (w->dflt.n > 0 || w->mine.n > 0)
        cfg_broker_apply(ctl, &w->dflt, &w->mine);
}

void
ctl_config_fini(ctl_t *ctl)
{
    if (ctl->cfgw == NULL)
        return;
    zknode_config_fini(&ctl->cfgw->dflt);
    zknode_config_fini(&ctl->cfgw->mine);
    free(ctl->cfgw);
    ctl->cfgw = NULL;
}

static const char *
cfg_lookup(const zknode_config_t *cfg, const char *key)
{
    for (int32_t i = 0; i < cfg->n; i++)
        if (strcmp(cfg->keys[i], key) == 0)
            return cfg->values[i];
    return NULL;
}

const char *
ctl_config_broker_value(ctl_t *ctl, const char *key)
{
    const char *v;

    if (ctl->cfgw == NULL)
        return NULL;
    v = cfg_lookup(&ctl->cfgw->mine, key);
    return v != NULL ? v : cfg_lookup(&ctl->cfgw->dflt, key);
}

/* ---- /config/changes -------------------------------------------------- */

static int64_t
cfg_seq(const char *child)
{
    const char *p = strrchr(child, '_');
    char *end;
    long long v;

    if (p == NULL || strncmp(child, "config_change_", 14) != 0)
        return -1;
    v = strtoll(p + 1, &end, 10);
    return *end == '\0' && v >= 0 ? v : -1;
}

static void
cfg_change_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    ctl_t *ctl = ud;
    char *entity = NULL, err[256], own[32];

    if (res->rc != ZOK)
        return;
    if (zknode_config_change_decode(res->data, res->datalen, &entity, err,
                                    sizeof(err)) != 0) {
        say_warn("[ctl] %s: %s", res->path, err);
        return;
    }
    snprintf(own, sizeof(own), "brokers/%d", (int)ctl->cfg.broker_id);
    if (strncmp(entity, "topics/", 7) == 0) {
        if (ctl->ctrl != NULL)
            ctl_ctrl_reload_config(ctl, entity + 7);
    } else if (strcmp(entity, own) == 0 ||
               strcmp(entity, "brokers/" CFG_DEFAULT) == 0) {
        cfg_read_brokers(ctl);
    }
    /* the controller tidies up, as each Kafka broker's listener does */
    if (ctl->ctrl != NULL && res->stat != NULL &&
        clock_wall_ms() - res->stat->ctime > CFG_EXPIRE_MS)
        zk_delete(zk, res->path, -1, NULL, NULL);
    free(entity);
}

static void
cfg_list_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    ctl_t *ctl = ud;
    ctl_cfgw_t *w = ctl->cfgw;
    int64_t max = w->last_seq;

    w->listing = false;
    if (res->rc == ZCLOSING || res->rc == ZSESSIONEXPIRED)
        return;
    if (res->rc != ZOK) {
        say_warn("[ctl] listing %s: %s", ZKNODE_CONFIG_CHANGES,
                 zk_strerror(res->rc));
        return;
    }
    for (int i = 0; i < res->nchildren; i++) {
        int64_t seq = cfg_seq(res->children[i]);

        if (seq > max)
            max = seq;
        if (!w->primed || seq <= w->last_seq)
            continue;
        {
            char *path =
                xasprintf("%s/%s", ZKNODE_CONFIG_CHANGES, res->children[i]);

            zk_get(zk, path, false, cfg_change_done, ctl);
            free(path);
        }
    }
    if (!w->primed) {
        /* what changed before we listed: the broker nodes once more (the
         * controller reads every topic config when it loads) */
        w->primed = true;
        cfg_read_brokers(ctl);
    }
    w->last_seq = max;
    if (w->list_again) {
        w->list_again = false;
        ctl_config_watch(ctl);
    }
}

void
ctl_config_watch(ctl_t *ctl)
{
    ctl_cfgw_t *w = ctl->cfgw;

    if (w == NULL)
        return;
    if (w->listing) {
        w->list_again = true;
        return;
    }
    w->listing = true;
    zk_children(ctl->zk, ZKNODE_CONFIG_CHANGES, true, cfg_list_done, ctl);
}
