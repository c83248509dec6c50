/*
 * ctl_admin.c: CreateTopics, DeleteTopics and CreatePartitions on any
 * broker (Kafka 2.8 ZkAdminManager + AdminZkClient semantics).
 *
 * Owns the validation, the brokers (with the racks of their
 * registrations) that Kafka's replica assignment (ctl_assign.c) spreads
 * new partitions over, the znode writes that request the change
 * (/config/topics/<t> + /brokers/topics/<t>, /admin/delete_topics/<t>,
 * the rewritten /brokers/topics/<t>), and the wait until this broker's
 * metadata shows the result (Kafka's
 * DelayedCreatePartitions / DelayedDeleteTopics). The controller does the
 * rest (ctl_ctrl.c). Runs on the ctl thread.
 *
 * A request's life:
 *
 *     ctl_create_topics() -> queue -> READING (ZooKeeper reads for
 *     validation) -> WRITING -> WAITING (until metadata shows it or
 *     timeout) -> done() called once, request freed.
 *
 * Every request sits in ctl->admin_waiting from start to done, so ctl_stop
 * can answer all of them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_int.h"
#include "samsa/clock.h"
#include "samsa/kerr.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

typedef struct acall {
    ctl_t *ctl;
    ctl_admin_t *req;
    int idx;
} acall_t;

static acall_t *
acall_new(ctl_t *ctl, ctl_admin_t *req, int idx)
{
    acall_t *c = xmalloc(sizeof(*c));

    c->ctl = ctl;
    c->req = req;
    c->idx = idx;
    req->pending++;
    return c;
}

static void
admin_brokers_free(ctl_admin_t *req)
{
    for (int32_t i = 0; i < req->nbrokers; i++)
        free(req->racks[i]);
    free(req->racks);
    free(req->gone);
    free(req->brokers);
    req->brokers = NULL;
    req->racks = NULL;
    req->gone = NULL;
    req->nbrokers = 0;
}

static void item_fail(ctl_admin_item_t *it, int16_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
item_fail(ctl_admin_item_t *it, int16_t code, const char *fmt, ...)
{
    va_list ap;
    char buf[512];

    if (it->error_code != KERR_NONE)
        return;
    it->error_code = code;
    if (fmt != NULL) {
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        free(it->error_message);
        it->error_message = xstrdup(buf);
    }
}

static void
item_fail_zk(ctl_admin_item_t *it, const char *what, int rc)
{
    item_fail(it,
              ctl_zk_transient(rc) ? KERR_REQUEST_TIMED_OUT
                                   : KERR_UNKNOWN_SERVER_ERROR,
              "ZooKeeper %s: %s", what, zk_strerror(rc));
}

void
ctl_admin_free(ctl_admin_t *req)
{
    if (req == NULL)
        return;
    for (int i = 0; i < req->n; i++) {
        ctl_admin_item_t *it = &req->items[i];

        free(it->name);
        for (int32_t p = 0; p < it->nassignments; p++)
            free(it->assignments[p]);
        free(it->assignments);
        free(it->assignment_lens);
        for (int32_t k = 0; k < it->nconfigs; k++) {
            free(it->config_keys[k]);
            free(it->config_values[k]);
        }
        free(it->config_keys);
        free(it->config_values);
        free(it->error_message);
        zknode_topic_fini(&it->topic);
        free(it->topic_json);
        free(it->config_json);
    }
    free(req->items);
    admin_brokers_free(req);
    for (int i = 0; i < req->ntopics; i++)
        free(req->topics[i]);
    free(req->topics);
    free(req);
}

static void
admin_unlink(ctl_t *ctl, ctl_admin_t *req)
{
    for (ctl_admin_t **pp = &ctl->admin_waiting; *pp != NULL;
         pp = &(*pp)->next) {
        if (*pp == req) {
            *pp = req->next;
            return;
        }
    }
}

/* answers and frees @req */
static void
admin_complete(ctl_t *ctl, ctl_admin_t *req)
{
    ctl_result_t *res = xcalloc(req->n + 1, sizeof(*res));

    admin_unlink(ctl, req);
    for (int i = 0; i < req->n; i++) {
        ctl_admin_item_t *it = &req->items[i];

        res[i].name = it->name;
        res[i].error_code = it->error_code;
        res[i].error_message = it->error_message;
        res[i].num_partitions =
            it->error_code == KERR_NONE && req->kind != CTL_ADMIN_DELETE
                ? it->result_partitions
                : -1;
        res[i].replication_factor =
            it->error_code == KERR_NONE && req->kind != CTL_ADMIN_DELETE
                ? it->result_rf
                : -1;
    }
    if (req->done != NULL)
        req->done(res, req->n, req->ud);
    free(res);
    ctl_admin_free(req);
}

/* ---- waiting for metadata --------------------------------------------- */

static bool
admin_item_satisfied(const ctl_t *ctl, const ctl_admin_t *req,
                     const ctl_admin_item_t *it)
{
    const mc_topic_t *t;

    if (ctl->snap == NULL)
        return false;
    t = mc_topic_find(ctl->snap, it->name, (int32_t)strlen(it->name));
    if (req->kind == CTL_ADMIN_DELETE)
        return t == NULL;
    if (t == NULL || t->npartitions < it->result_partitions)
        return false;
    for (int32_t p = 0; p < it->result_partitions; p++)
        if (t->partitions[p].leader < 0)
            return false;
    return true;
}

void
ctl_admin_check(ctl_t *ctl)
{
    int64_t now = clock_mono_ms();
    ctl_admin_t *req = ctl->admin_waiting, *next;

    for (; req != NULL; req = next) {
        bool all = true, late;

        next = req->next;
        if (!req->waiting)
            continue; /* still reading or writing */
        late = now >= req->deadline;
        for (int i = 0; i < req->n; i++) {
            ctl_admin_item_t *it = &req->items[i];

            if (it->error_code != KERR_NONE || it->satisfied)
                continue;
            if (admin_item_satisfied(ctl, req, it)) {
                it->satisfied = true;
            } else if (late) {
                item_fail(it, KERR_REQUEST_TIMED_OUT,
                          "Timed out waiting for the operation to complete "
                          "(%d ms)",
                          (int)req->timeout_ms);
            } else {
                all = false;
            }
        }
        if (all)
            admin_complete(ctl, req);
    }
}

int64_t
ctl_admin_next_deadline(ctl_t *ctl)
{
    int64_t next = INT64_MAX;

    for (ctl_admin_t *req = ctl->admin_waiting; req != NULL; req = req->next)
        if (req->waiting && req->deadline < next)
            next = req->deadline;
    return next;
}

void
ctl_admin_abort_all(ctl_t *ctl, int16_t err)
{
    while (ctl->admin_waiting != NULL) {
        ctl_admin_t *req = ctl->admin_waiting;

        for (int i = 0; i < req->n; i++)
            if (!req->items[i].satisfied)
                item_fail(&req->items[i], err, "The broker is shutting down");
        admin_complete(ctl, req);
    }
}

/* ZooKeeper work done: answer now, or wait for the metadata */
static void
admin_written(ctl_t *ctl, ctl_admin_t *req)
{
    bool any = false;

    for (int i = 0; i < req->n; i++)
        if (req->items[i].error_code == KERR_NONE)
            any = true;
    if (req->validate_only || req->timeout_ms <= 0 || !any || req->n == 0) {
        admin_complete(ctl, req);
        return;
    }
    req->waiting = true;
    ctl_admin_check(ctl);
}

/* ---- shared reads ----------------------------------------------------- */

static int
int32_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

static void admin_step(ctl_t *ctl, ctl_admin_t *req);

/* a registration read: the broker's rack */
static void
admin_broker_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    acall_t *c = ud;
    ctl_admin_t *req = c->req;
    zknode_broker_t reg;
    char err[256];

    req->pending--;
    if (res->rc == ZNONODE) {
        req->gone[c->idx] = true;
    } else if (res->rc != ZOK) {
        if (req->zk_error == ZOK)
            req->zk_error = res->rc;
    } else if (zknode_broker_decode(res->data, (size_t)res->datalen, &reg, err,
                                    sizeof(err)) != 0) {
        say_warn("[ctl] %s: %s; taken as a broker without a rack", res->path,
                 err);
    } else {
        req->racks[c->idx] = reg.rack != NULL ? xstrdup(reg.rack) : NULL;
        zknode_broker_fini(&reg);
    }
    if (req->pending == 0)
        admin_step(c->ctl, req);
    free(c);
}

/* the listing of /brokers/ids: read each registration for its rack */
static void
admin_brokers_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    acall_t *c = ud;
    ctl_t *ctl = c->ctl;
    ctl_admin_t *req = c->req;

    req->pending--;
    if (res->rc != ZOK) {
        if (req->zk_error == ZOK)
            req->zk_error = res->rc;
    } else {
        req->brokers =
            xcalloc((size_t)res->nchildren + 1, sizeof(*req->brokers));
        req->racks = xcalloc((size_t)res->nchildren + 1, sizeof(char *));
        req->gone = xcalloc((size_t)res->nchildren + 1, sizeof(bool));
        for (int i = 0; i < res->nchildren; i++) {
            char *end;
            long id = strtol(res->children[i], &end, 10);

            if (*end == '\0' && id >= 0 && id <= INT32_MAX)
                req->brokers[req->nbrokers++] = (int32_t)id;
        }
        qsort(req->brokers, req->nbrokers, sizeof(int32_t), int32_cmp);
        for (int32_t i = 0; i < req->nbrokers; i++) {
            char *path =
                xasprintf("%s/%d", ZKNODE_BROKER_IDS, (int)req->brokers[i]);

            zk_get(ctl->zk, path, false, admin_broker_done,
                   acall_new(ctl, req, i));
            free(path);
        }
    }
    if (req->pending == 0)
        admin_step(ctl, req);
    free(c);
}

/* drops the brokers that went away while their registration was read */
static void
admin_brokers_settle(ctl_admin_t *req)
{
    int32_t n = 0;

    for (int32_t i = 0; i < req->nbrokers; i++) {
        if (req->gone[i]) {
            free(req->racks[i]);
            continue;
        }
        req->brokers[n] = req->brokers[i];
        req->racks[n] = req->racks[i];
        req->gone[n] = false;
        n++;
    }
    req->nbrokers = n;
}

/*
 * Kafka's assignment over the request's brokers (ids in order, their
 * racks): 0, or the item failed with Kafka's error.
 */
static int
admin_assign(ctl_t *ctl, ctl_admin_t *req, ctl_admin_item_t *it,
             int32_t npartitions, int32_t rf, int32_t start_index,
             int32_t start_partition, int32_t *out)
{
    ctl_assign_broker_t *brokers =
        xcalloc((size_t)req->nbrokers + 1, sizeof(*brokers));
    char err[256];
    int16_t code;

    for (int32_t i = 0; i < req->nbrokers; i++) {
        brokers[i].id = req->brokers[i];
        brokers[i].rack = req->racks[i];
    }
    code = ctl_assign_replicas(brokers, req->nbrokers, npartitions, rf,
                               start_index, start_partition, &ctl->seed, out,
                               err, sizeof(err));
    free(brokers);
    if (code != KERR_NONE) {
        item_fail(it, code, "%s", err);
        return -1;
    }
    return 0;
}

static void
admin_topics_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    acall_t *c = ud;
    ctl_admin_t *req = c->req;

    req->pending--;
    if (res->rc != ZOK) {
        if (req->zk_error == ZOK)
            req->zk_error = res->rc;
    } else {
        req->topics = xcalloc(res->nchildren + req->n + 1, sizeof(char *));
        for (int i = 0; i < res->nchildren; i++)
            req->topics[req->ntopics++] = xstrdup(res->children[i]);
    }
    if (req->pending == 0)
        admin_step(c->ctl, req);
    free(c);
}

/* ---- CreateTopics ----------------------------------------------------- */

static bool
admin_has_broker(const ctl_admin_t *req, int32_t id)
{
    return bsearch(&id, req->brokers, req->nbrokers, sizeof(int32_t),
                   int32_cmp) != NULL;
}

static void
create_validate_item(ctl_t *ctl, ctl_admin_t *req, int idx)
{
    ctl_admin_item_t *it = &req->items[idx];
    char err[512];
    int32_t nparts, rf;
    int32_t *assign;

    if (zknode_topic_name_check(it->name, err, sizeof(err)) != 0) {
        item_fail(it, KERR_INVALID_TOPIC_EXCEPTION, "%s", err);
        return;
    }
    for (int i = 0; i < idx; i++) {
        if (strcmp(req->items[i].name, it->name) == 0) {
            item_fail(it, KERR_INVALID_REQUEST,
                      "Create topics request from client contains "
                      "duplicate topic %s",
                      it->name);
            return;
        }
    }
    for (int i = 0; i < req->ntopics; i++) {
        if (strcmp(req->topics[i], it->name) == 0) {
            item_fail(it, KERR_TOPIC_ALREADY_EXISTS,
                      "Topic '%s' already exists.", it->name);
            return;
        }
    }
    for (int i = 0; i < req->ntopics; i++) {
        if (zknode_topic_names_collide(req->topics[i], it->name)) {
            item_fail(it, KERR_INVALID_TOPIC_EXCEPTION,
                      "Topic '%s' collides with existing topic: %s", it->name,
                      req->topics[i]);
            return;
        }
    }
    if (it->nassignments > 0) {
        if (it->num_partitions != -1 || it->replication_factor != -1) {
            item_fail(it, KERR_INVALID_REQUEST,
                      "Both numPartitions or replicationFactor and "
                      "replicasAssignments were set. Both cannot be used "
                      "at the same time.");
            return;
        }
        nparts = it->nassignments;
        rf = it->assignment_lens[0];
        for (int32_t p = 0; p < nparts; p++) {
            const int32_t *a = it->assignments[p];
            int32_t len = it->assignment_lens[p];

            if (len <= 0) {
                item_fail(it, KERR_INVALID_REPLICA_ASSIGNMENT,
                          "Replica assignment for partition %d is empty",
                          (int)p);
                return;
            }
            if (len != rf) {
                item_fail(it, KERR_INVALID_REPLICA_ASSIGNMENT,
                          "All partitions should have the same number of "
                          "replicas");
                return;
            }
            for (int32_t r = 0; r < len; r++) {
                for (int32_t s = 0; s < r; s++) {
                    if (a[s] == a[r]) {
                        item_fail(it, KERR_INVALID_REPLICA_ASSIGNMENT,
                                  "Duplicate replica assignment found for "
                                  "partition %d: broker %d",
                                  (int)p, (int)a[r]);
                        return;
                    }
                }
                if (!admin_has_broker(req, a[r])) {
                    item_fail(it, KERR_INVALID_REPLICA_ASSIGNMENT,
                              "Unknown broker %d in the replica assignment "
                              "of partition %d",
                              (int)a[r], (int)p);
                    return;
                }
            }
        }
    } else {
        nparts = it->num_partitions == -1 ? ctl->cfg.num_partitions
                                          : it->num_partitions;
        rf = it->replication_factor == -1 ? ctl->cfg.default_replication_factor
                                          : it->replication_factor;
        if (nparts <= 0) {
            item_fail(it, KERR_INVALID_PARTITIONS,
                      "Number of partitions must be larger than 0.");
            return;
        }
        if (nparts > ZKNODE_MAX_PARTITIONS) {
            item_fail(it, KERR_INVALID_PARTITIONS,
                      "Number of partitions %d is above the limit of %d.",
                      (int)nparts, ZKNODE_MAX_PARTITIONS);
            return;
        }
        if (rf <= 0) {
            item_fail(it, KERR_INVALID_REPLICATION_FACTOR,
                      "Replication factor must be larger than 0.");
            return;
        }
        if (rf > req->nbrokers) {
            item_fail(it, KERR_INVALID_REPLICATION_FACTOR,
                      "Replication factor: %d larger than available "
                      "brokers: %d.",
                      (int)rf, (int)req->nbrokers);
            return;
        }
    }
    for (int32_t k = 0; k < it->nconfigs; k++) {
        if (it->config_values[k] == NULL) {
            item_fail(it, KERR_INVALID_REQUEST,
                      "Null value not supported for topic configs: %s",
                      it->config_keys[k]);
            return;
        }
        err[0] = '\0';
        if (ctl->cfg.topic_config_valid != NULL &&
            !ctl->cfg.topic_config_valid(
                it->config_keys[k], it->config_values[k], err, sizeof(err))) {
            item_fail(it, KERR_INVALID_CONFIG, "%s",
                      err[0] ? err : "Invalid config value");
            return;
        }
    }
    /* Kafka assigns before validate_only counts (a rack missing on some
     * broker fails both) */
    assign = xmalloc(sizeof(int32_t) * nparts * rf);
    if (it->nassignments > 0) {
        for (int32_t p = 0; p < nparts; p++)
            memcpy(&assign[p * rf], it->assignments[p], sizeof(int32_t) * rf);
    } else if (admin_assign(ctl, req, it, nparts, rf, -1, 0, assign) != 0) {
        free(assign);
        return;
    }
    it->result_partitions = nparts;
    it->result_rf = (int16_t)rf;
    /* later items collide with this one too (Kafka reads ZooKeeper per
     * topic and so sees the earlier ones) */
    req->topics[req->ntopics++] = xstrdup(it->name);
    if (req->validate_only) {
        free(assign);
        return;
    }
    {
        zknode_topic_t zt;
        zknode_config_t zc = {it->nconfigs, it->config_keys, it->config_values};

        memset(&zt, 0, sizeof(zt));
        zt.version = 3;
        zt.has_id = true;
        zknode_uuid_random(zt.id);
        zt.npartitions = nparts;
        zt.replicas = xcalloc(nparts, sizeof(*zt.replicas));
        for (int32_t p = 0; p < nparts; p++) {
            zt.replicas[p].n = rf;
            zt.replicas[p].ids = &assign[p * rf];
        }
        it->topic_json = zknode_topic_encode(&zt);
        it->config_json = zknode_config_encode(&zc);
        free(zt.replicas);
    }
    free(assign);
}

static void create_write(ctl_t *ctl, ctl_admin_t *req, int idx);

static void
create_write_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    acall_t *c = ud;
    ctl_admin_t *req = c->req;
    ctl_admin_item_t *it = &req->items[c->idx];

    req->pending--;
    if (res->rc == ZOK) {
        say_info("[ctl] created topic %s (%d partitions, replication "
                 "factor %d)",
                 it->name, (int)it->result_partitions, (int)it->result_rf);
    } else if (res->nops == 2 && res->ops[0].rc == ZNODEEXISTS &&
               !it->config_exists) {
        /* a leftover /config/topics/<t>: overwrite it (Kafka's
         * setOrCreateEntityConfigs) */
        it->config_exists = true;
        create_write(c->ctl, req, c->idx);
    } else if (res->nops == 2 && res->ops[1].rc == ZNODEEXISTS) {
        item_fail(it, KERR_TOPIC_ALREADY_EXISTS, "Topic '%s' already exists.",
                  it->name);
    } else {
        item_fail_zk(it, "create topic", res->rc);
    }
    if (req->pending == 0)
        admin_written(c->ctl, req);
    free(c);
}

static void
create_write(ctl_t *ctl, ctl_admin_t *req, int idx)
{
    ctl_admin_item_t *it = &req->items[idx];
    char *cpath = xasprintf("%s/%s", ZKNODE_CONFIG_TOPICS, it->name);
    char *tpath = xasprintf("%s/%s", ZKNODE_TOPICS, it->name);
    zk_op_t ops[2] = {
        {it->config_exists ? ZK_OP_SET : ZK_OP_CREATE, cpath, it->config_json,
         (int)strlen(it->config_json), 0, -1},
        {ZK_OP_CREATE, tpath, it->topic_json, (int)strlen(it->topic_json), 0,
         -1},
    };

    /* config first, then the assignment the controller watches for */
    zk_multi(ctl->zk, ops, 2, create_write_done, acall_new(ctl, req, idx));
    free(cpath);
    free(tpath);
}

static void
create_step(ctl_t *ctl, ctl_admin_t *req)
{
    if (req->zk_error != ZOK) {
        for (int i = 0; i < req->n; i++)
            item_fail_zk(&req->items[i], "read", req->zk_error);
        admin_complete(ctl, req);
        return;
    }
    for (int i = 0; i < req->n; i++)
        create_validate_item(ctl, req, i);
    if (!req->validate_only)
        for (int i = 0; i < req->n; i++)
            if (req->items[i].error_code == KERR_NONE)
                create_write(ctl, req, i);
    if (req->pending == 0)
        admin_written(ctl, req);
}

/* ---- DeleteTopics ----------------------------------------------------- */

static void
delete_mark_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    acall_t *c = ud;
    ctl_admin_t *req = c->req;
    ctl_admin_item_t *it = &req->items[c->idx];

    req->pending--;
    /* ZNODEEXISTS: already queued; wait for it like Kafka does */
    if (res->rc == ZOK)
        say_info("[ctl] topic %s marked for deletion", it->name);
    else if (res->rc != ZNODEEXISTS)
        item_fail_zk(it, "mark for deletion", res->rc);
    if (req->pending == 0)
        admin_written(c->ctl, req);
    free(c);
}

static void
delete_exists_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    acall_t *c = ud;
    ctl_admin_t *req = c->req;
    ctl_admin_item_t *it = &req->items[c->idx];
    ctl_t *ctl = c->ctl;

    req->pending--;
    if (res->rc == ZNONODE)
        item_fail(it, KERR_UNKNOWN_TOPIC_OR_PARTITION,
                  "This server does not host this topic-partition.");
    else if (res->rc != ZOK)
        item_fail_zk(it, "read", res->rc);
    free(c);
    if (req->pending > 0)
        return;
    for (int i = 0; i < req->n; i++) {
        if (req->items[i].error_code == KERR_NONE) {
            char *path =
                xasprintf("%s/%s", ZKNODE_DELETE_TOPICS, req->items[i].name);

            zk_create(ctl->zk, path, NULL, 0, 0, delete_mark_done,
                      acall_new(ctl, req, i));
            free(path);
        }
    }
    if (req->pending == 0)
        admin_written(ctl, req);
}

static void
delete_start(ctl_t *ctl, ctl_admin_t *req)
{
    char err[512];

    for (int i = 0; i < req->n; i++) {
        ctl_admin_item_t *it = &req->items[i];
        char *path;

        if (zknode_topic_name_check(it->name, err, sizeof(err)) != 0) {
            item_fail(it, KERR_UNKNOWN_TOPIC_OR_PARTITION,
                      "This server does not host this topic-partition.");
            continue;
        }
        for (int k = 0; k < i; k++)
            if (strcmp(req->items[k].name, it->name) == 0)
                item_fail(it, KERR_INVALID_REQUEST,
                          "Duplicate topic in request.");
        if (it->error_code != KERR_NONE)
            continue;
        path = xasprintf("%s/%s", ZKNODE_TOPICS, it->name);
        zk_exists(ctl->zk, path, false, delete_exists_done,
                  acall_new(ctl, req, i));
        free(path);
    }
    if (req->pending == 0)
        admin_written(ctl, req);
}

/* ---- CreatePartitions ------------------------------------------------- */

static void
partitions_topic_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    acall_t *c = ud;
    ctl_admin_t *req = c->req;
    ctl_admin_item_t *it = &req->items[c->idx];
    char err[256];

    req->pending--;
    if (res->rc == ZNONODE) {
        item_fail(it, KERR_UNKNOWN_TOPIC_OR_PARTITION,
                  "The topic '%s' does not exist.", it->name);
    } else if (res->rc != ZOK) {
        item_fail_zk(it, "read", res->rc);
    } else if (zknode_topic_decode(res->data, res->datalen, &it->topic, err,
                                   sizeof(err)) != 0) {
        item_fail(it, KERR_UNKNOWN_SERVER_ERROR, "%s", err);
    } else {
        it->topic_zkversion = res->stat->version;
        /* Kafka's AdminZkClient.createPartitions refuses while replicas
         * move */
        for (int32_t p = 0; p < it->topic.npartitions; p++)
            if (it->topic.adding[p].n > 0 || it->topic.removing[p].n > 0) {
                item_fail(it, KERR_REASSIGNMENT_IN_PROGRESS,
                          "A partition reassignment is in progress.");
                break;
            }
    }
    if (req->pending == 0)
        admin_step(c->ctl, req);
    free(c);
}

static void
partitions_deleting_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    acall_t *c = ud;
    ctl_admin_t *req = c->req;

    req->pending--;
    if (res->rc == ZOK)
        req->items[c->idx].queued_for_delete = true;
    if (req->pending == 0)
        admin_step(c->ctl, req);
    free(c);
}

static void
partitions_write_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    acall_t *c = ud;
    ctl_admin_t *req = c->req;
    ctl_admin_item_t *it = &req->items[c->idx];

    req->pending--;
    if (res->rc == ZOK)
        say_info("[ctl] topic %s: %d partitions requested", it->name,
                 (int)it->result_partitions);
    else if (res->rc == ZBADVERSION)
        item_fail(it, KERR_INVALID_REQUEST,
                  "The topic '%s' was modified concurrently; retry", it->name);
    else if (res->rc == ZNONODE)
        item_fail(it, KERR_UNKNOWN_TOPIC_OR_PARTITION,
                  "The topic '%s' does not exist.", it->name);
    else
        item_fail_zk(it, "write", res->rc);
    if (req->pending == 0)
        admin_written(c->ctl, req);
    free(c);
}

static void
partitions_item(ctl_t *ctl, ctl_admin_t *req, int idx)
{
    ctl_admin_item_t *it = &req->items[idx];
    zknode_topic_t *old = &it->topic;
    int32_t want = it->num_partitions, add, rf, start = -1;
    zknode_topic_t zt;
    int32_t *assign;
    char *path;

    if (it->error_code != KERR_NONE)
        return;
    if (it->queued_for_delete) {
        item_fail(it, KERR_INVALID_TOPIC_EXCEPTION,
                  "The topic is queued for deletion.");
        return;
    }
    if (want < old->npartitions) {
        item_fail(it, KERR_INVALID_PARTITIONS,
                  "Topic currently has %d partitions, which is higher than "
                  "the requested %d.",
                  (int)old->npartitions, (int)want);
        return;
    }
    if (want == old->npartitions) {
        item_fail(it, KERR_INVALID_PARTITIONS,
                  "Topic already has %d partitions.", (int)old->npartitions);
        return;
    }
    if (want > ZKNODE_MAX_PARTITIONS) {
        item_fail(it, KERR_INVALID_PARTITIONS,
                  "Number of partitions %d is above the limit of %d.",
                  (int)want, ZKNODE_MAX_PARTITIONS);
        return;
    }
    rf = old->npartitions > 0 ? old->replicas[0].n : 1;
    if (rf > req->nbrokers) {
        item_fail(it, KERR_INVALID_REPLICATION_FACTOR,
                  "Replication factor: %d larger than available brokers: "
                  "%d.",
                  (int)rf, (int)req->nbrokers);
        return;
    }
    it->result_partitions = want;
    it->result_rf = (int16_t)rf;
    /* Kafka's createNewPartitionsAssignment (validate_only too): start at
     * the first broker whose id is not below partition 0's first replica,
     * else at 0 */
    for (int32_t i = 0; old->npartitions > 0 && i < req->nbrokers; i++) {
        if (req->brokers[i] >= old->replicas[0].ids[0]) {
            start = i;
            break;
        }
    }
    add = want - old->npartitions;
    assign = xmalloc(sizeof(int32_t) * add * rf);
    if (admin_assign(ctl, req, it, add, rf, start > 0 ? start : 0,
                     old->npartitions, assign) != 0 ||
        req->validate_only) {
        free(assign);
        return;
    }
    memset(&zt, 0, sizeof(zt));
    zt.version = old->has_id ? 3 : old->version;
    zt.has_id = old->has_id;
    memcpy(zt.id, old->id, 16);
    zt.npartitions = want;
    zt.replicas = xcalloc(want, sizeof(*zt.replicas));
    zt.adding = xcalloc(want, sizeof(*zt.adding));
    zt.removing = xcalloc(want, sizeof(*zt.removing));
    for (int32_t p = 0; p < want; p++) {
        if (p < old->npartitions) {
            zt.replicas[p] = old->replicas[p];
            zt.adding[p] = old->adding[p];
            zt.removing[p] = old->removing[p];
        } else {
            zt.replicas[p].n = rf;
            zt.replicas[p].ids = &assign[(p - old->npartitions) * rf];
        }
    }
    it->topic_json = zknode_topic_encode(&zt);
    free(zt.replicas);
    free(zt.adding);
    free(zt.removing);
    free(assign);
    path = xasprintf("%s/%s", ZKNODE_TOPICS, it->name);
    zk_set(ctl->zk, path, it->topic_json, (int)strlen(it->topic_json),
           it->topic_zkversion, partitions_write_done,
           acall_new(ctl, req, idx));
    free(path);
}

static void
partitions_start(ctl_t *ctl, ctl_admin_t *req)
{
    char err[512];

    zk_children(ctl->zk, ZKNODE_BROKER_IDS, false, admin_brokers_done,
                acall_new(ctl, req, -1));
    for (int i = 0; i < req->n; i++) {
        ctl_admin_item_t *it = &req->items[i];
        char *path;

        if (zknode_topic_name_check(it->name, err, sizeof(err)) != 0) {
            item_fail(it, KERR_UNKNOWN_TOPIC_OR_PARTITION,
                      "The topic '%s' does not exist.", it->name);
            continue;
        }
        for (int k = 0; k < i; k++)
            if (strcmp(req->items[k].name, it->name) == 0)
                item_fail(it, KERR_INVALID_REQUEST,
                          "Duplicate topic in request.");
        if (it->error_code != KERR_NONE)
            continue;
        path = xasprintf("%s/%s", ZKNODE_TOPICS, it->name);
        zk_get(ctl->zk, path, false, partitions_topic_done,
               acall_new(ctl, req, i));
        free(path);
        path = xasprintf("%s/%s", ZKNODE_DELETE_TOPICS, it->name);
        zk_exists(ctl->zk, path, false, partitions_deleting_done,
                  acall_new(ctl, req, i));
        free(path);
    }
}

static void
partitions_step(ctl_t *ctl, ctl_admin_t *req)
{
    if (req->zk_error != ZOK) {
        for (int i = 0; i < req->n; i++)
            item_fail_zk(&req->items[i], "read", req->zk_error);
        admin_complete(ctl, req);
        return;
    }
    for (int i = 0; i < req->n; i++)
        partitions_item(ctl, req, i);
    if (req->pending == 0)
        admin_written(ctl, req);
}

/* ---- dispatch --------------------------------------------------------- */

/* all reads of the validation phase are back */
static void
admin_step(ctl_t *ctl, ctl_admin_t *req)
{
    admin_brokers_settle(req);
    if (req->kind == CTL_ADMIN_CREATE)
        create_step(ctl, req);
    else if (req->kind == CTL_ADMIN_PARTITIONS)
        partitions_step(ctl, req);
}

void
ctl_admin_start(ctl_t *ctl, ctl_admin_t *req)
{
    req->next = ctl->admin_waiting;
    ctl->admin_waiting = req;
    if (req->n == 0) {
        admin_complete(ctl, req);
        return;
    }
    switch (req->kind) {
    case CTL_ADMIN_CREATE:
        zk_children(ctl->zk, ZKNODE_BROKER_IDS, false, admin_brokers_done,
                    acall_new(ctl, req, -1));
        zk_children(ctl->zk, ZKNODE_TOPICS, false, admin_topics_done,
                    acall_new(ctl, req, -1));
        break;
    case CTL_ADMIN_DELETE: delete_start(ctl, req); break;
    case CTL_ADMIN_PARTITIONS: partitions_start(ctl, req); break;
    }
}
