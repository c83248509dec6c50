/*
 * ctl.c: the ctl thread and its event queue, broker registration, the
 * controller election, session handling and the public entry points.
 *
 * Owns: the queue, the ZooKeeper session (through zk.h), /cluster/id,
 * /brokers/ids/<id> and the election. Does not own: what the controller does
 * once elected (ctl_ctrl.c), admin requests (ctl_admin.c), or how requests
 * reach brokers (ctl_chan.c).
 *
 * Election (DESIGN §6, Kafka's KafkaController.elect):
 *
 *     idle --ctl_elect--> EXISTS? --/controller exists--> read brokerid
 *                            |                           (watch set) -> idle
 *                            | absent
 *                            v
 *                   read /controller_epoch (e, version v)
 *                            |
 *                            v
 *          multi{create ephemeral /controller, set epoch e+1 if version v}
 *                 | ok                         | NODEEXISTS / BADVERSION
 *                 v                            v
 *       ctl_ctrl_become(e+1)                ctl_elect again (reads winner)
 *
 * Transitions: ctl_elect (start, /controller watch, retry timer),
 * ctl_resign (fenced out, session expired, someone else's /controller).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl_int.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/kerr.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

/* persistent paths Kafka 2.8 creates at startup (KafkaZkClient
 * .createTopLevelPaths) */
static const char *const ctl_base_paths[] = {
    "/consumers",
    "/brokers/ids",
    "/brokers/topics",
    "/brokers/seqid",
    "/config/changes",
    "/config/clients",
    "/config/brokers",
    "/config/topics",
    "/config/users",
    "/admin/delete_topics",
    "/isr_change_notification",
    "/latest_producer_id_block",
    "/log_dir_event_notification",
};

#define CTL_RETRY_MS 500

/* ---- queue ------------------------------------------------------------ */

void
ctl_post(ctl_t *ctl, ctl_ev_kind_t kind, void *p)
{
    ctl_ev_t *ev = xmalloc(sizeof(*ev));

    ev->next = NULL;
    ev->kind = kind;
    ev->p = p;
    pthread_mutex_lock(&ctl->qmu);
    if (ctl->qtail != NULL)
        ctl->qtail->next = ev;
    else
        ctl->qhead = ev;
    ctl->qtail = ev;
    pthread_cond_signal(&ctl->qcv);
    pthread_mutex_unlock(&ctl->qmu);
}

/* zk client thread */
int32_t *
ctl_ints_dup(const int32_t *v, int32_t n)
{
    int32_t *c = xmalloc(sizeof(*c) * (n > 0 ? n : 1));

    if (n > 0)
        memcpy(c, v, sizeof(*c) * n);
    return c;
}

static void
ctl_zk_post(zk_msg_t *msg, void *ud)
{
    ctl_post(ud, CTL_EV_ZK, msg);
}

static void
ctl_ev_discard(ctl_ev_t *ev)
{
    switch (ev->kind) {
    case CTL_EV_ZK: zk_msg_discard(ev->p); break;
    case CTL_EV_ADMIN: ctl_admin_free(ev->p); break;
    case CTL_EV_BREQ: ctl_breq_free(ev->p); break;
    case CTL_EV_START: break;
    case CTL_EV_ALTER_ISR:
        ctl_alter_isr_finish(ev->p, KERR_NOT_CONTROLLER);
        break;
    case CTL_EV_SHUTDOWN: ctl_cshut_fail(ev->p, KERR_NOT_CONTROLLER); break;
    case CTL_EV_CONFIG:
        ctl_config_alter_fail(ev->p, KERR_REQUEST_TIMED_OUT);
        break;
    case CTL_EV_ELECT: ctl_elect_req_fail(ev->p, KERR_NOT_CONTROLLER); break;
    case CTL_EV_REASSIGN:
        ctl_reassign_req_fail(ev->p, KERR_NOT_CONTROLLER);
        break;
    case CTL_EV_STOP_ACK: ctl_stop_ack_free(ev->p); break;
    case CTL_EV_CONFIG_READ: ctl_config_read_fail(ev->p); break;
    }
    free(ev);
}

static void
ctl_ev_run(ctl_t *ctl, ctl_ev_t *ev)
{
    switch (ev->kind) {
    case CTL_EV_ZK: zk_msg_run(ev->p); break;
    case CTL_EV_ADMIN: ctl_admin_start(ctl, ev->p); break;
    case CTL_EV_BREQ: ctl_breq_apply(ctl, ev->p); break;
    case CTL_EV_START:
        ctl_config_watch(ctl);
        ctl_elect(ctl);
        break;
    case CTL_EV_ALTER_ISR: ctl_ctrl_alter_isr(ctl, ev->p); break;
    case CTL_EV_SHUTDOWN: ctl_ctrl_controlled_shutdown(ctl, ev->p); break;
    case CTL_EV_CONFIG: ctl_config_alter_start(ctl, ev->p); break;
    case CTL_EV_ELECT: ctl_elect_start(ctl, ev->p); break;
    case CTL_EV_REASSIGN: ctl_reassign_start(ctl, ev->p); break;
    case CTL_EV_STOP_ACK: ctl_ctrl_stop_acked(ctl, ev->p); break;
    case CTL_EV_CONFIG_READ: ctl_config_read_start(ctl, ev->p); break;
    }
    free(ev);
}

static void ctl_register_async(ctl_t *ctl);

static void
ctl_timers(ctl_t *ctl, int64_t now)
{
    if (ctl->elect_retry_at != 0 && now >= ctl->elect_retry_at) {
        ctl->elect_retry_at = 0;
        ctl_elect(ctl);
    }
    if (ctl->register_retry_at != 0 && now >= ctl->register_retry_at) {
        ctl->register_retry_at = 0;
        ctl_register_async(ctl);
    }
    ctl_admin_check(ctl);
    ctl_elect_tick(ctl);
    ctl_reassign_tick(ctl);
}

static int64_t
ctl_next_deadline(ctl_t *ctl)
{
    int64_t next = ctl_admin_next_deadline(ctl);
    int64_t enext = ctl_elect_next_deadline(ctl);
    int64_t rnext = ctl_reassign_next_deadline(ctl);

    if (ctl->elect_retry_at != 0 && ctl->elect_retry_at < next)
        next = ctl->elect_retry_at;
    if (ctl->register_retry_at != 0 && ctl->register_retry_at < next)
        next = ctl->register_retry_at;
    if (enext < next)
        next = enext;
    if (rnext < next)
        next = rnext;
    return next;
}

static void *
ctl_thread_main(void *arg)
{
    ctl_t *ctl = arg;

    for (;;) {
        ctl_ev_t *ev;
        int64_t next = ctl_next_deadline(ctl);

        pthread_mutex_lock(&ctl->qmu);
        while (ctl->qhead == NULL && !ctl->stopping) {
            int64_t now = clock_mono_ms();
            struct timespec ts;
            int64_t wait_ms;

            if (next <= now)
                break;
            wait_ms = next - now;
            if (wait_ms > 1000)
                wait_ms = 1000;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += wait_ms / 1000;
            ts.tv_nsec += (wait_ms % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&ctl->qcv, &ctl->qmu, &ts);
            next = INT64_MIN; /* re-evaluate timers after any wake-up */
            break;
        }
        if (ctl->stopping) {
            pthread_mutex_unlock(&ctl->qmu);
            break;
        }
        ev = ctl->qhead;
        if (ev != NULL) {
            ctl->qhead = ev->next;
            if (ctl->qhead == NULL)
                ctl->qtail = NULL;
        }
        pthread_mutex_unlock(&ctl->qmu);
        if (ev != NULL)
            ctl_ev_run(ctl, ev);
        ctl_timers(ctl, clock_mono_ms());
        ctl_ctrl_flush(ctl);
    }
    ctl_resign(ctl, "shutting down");
    return NULL;
}

/* ---- helpers ---------------------------------------------------------- */

bool
ctl_zk_transient(int rc)
{
    return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT ||
           rc == ZSESSIONEXPIRED || rc == ZCLOSING || rc == ZINVALIDSTATE ||
           rc == ZSESSIONMOVED;
}

static char *
ctl_broker_json(const ctl_t *ctl)
{
    zknode_endpoint_t ep = {"PLAINTEXT", "PLAINTEXT",
                            (char *)ctl->cfg.advertised_host,
                            ctl->cfg.advertised_port};
    zknode_broker_t b = {5,
                         (char *)ctl->cfg.advertised_host,
                         ctl->cfg.advertised_port,
                         -1,
                         clock_wall_ms(),
                         (char *)ctl->cfg.rack,
                         1,
                         &ep};

    return zknode_broker_encode(&b);
}

static char *
ctl_broker_path(const ctl_t *ctl)
{
    return xasprintf("%s/%d", ZKNODE_BROKER_IDS, (int)ctl->cfg.broker_id);
}

/* ---- session and watches ---------------------------------------------- */

static void
ctl_on_session(zk_t *zk, zk_session_event_t ev, void *ud)
{
    ctl_t *ctl = ud;

    if (ev == ZK_SESSION_EXPIRED) {
        say_warn("[ctl] ZooKeeper session expired: registration and "
                 "controller role lost");
        ctl->registered = false;
        __atomic_store_n(&ctl->controller_id, -1, __ATOMIC_RELEASE);
        ctl_resign(ctl, "session expired");
        return;
    }
    /* a new session: register again, then elect (as Kafka does in
     * KafkaZkClient's session re-initialization) */
    ctl->register_deadline = clock_mono_ms() + ctl->cfg.zk_session_timeout_ms;
    ctl_register_async(ctl);
    ctl_config_watch(ctl); /* watches died with the old session */
}

static void
ctl_on_watch(zk_t *zk, int type, const char *path, void *ud)
{
    ctl_t *ctl = ud;

    if (strcmp(path, ZKNODE_CONTROLLER) == 0) {
        ctl_elect(ctl);
        return;
    }
    if (strcmp(path, ZKNODE_CONFIG_CHANGES) == 0) {
        ctl_config_watch(ctl);
        return;
    }
    if (ctl->ctrl != NULL)
        ctl_ctrl_watch(ctl, type, path);
}

/* ---- registration ----------------------------------------------------- */

static void
ctl_register_stat_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    ctl_t *ctl = ud;

    if (res->rc == ZOK && res->stat != NULL &&
        res->stat->ephemeralOwner == zk_session_id(zk)) {
        __atomic_store_n(&ctl->broker_epoch, res->stat->czxid,
                         __ATOMIC_RELEASE);
        ctl->registered = true;
        say_info("[ctl] broker %d registered again (broker epoch %lld)",
                 (int)ctl->cfg.broker_id, (long long)ctl->broker_epoch);
        ctl_elect(ctl);
    } else if (res->rc == ZOK || res->rc == ZNONODE) {
        /* somebody else's node, or it vanished: create again later */
        ctl->register_retry_at = clock_mono_ms() + CTL_RETRY_MS;
    } else {
        ctl->register_retry_at = clock_mono_ms() + CTL_RETRY_MS;
    }
}

static void
ctl_register_create_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    ctl_t *ctl = ud;
    char *path = ctl_broker_path(ctl);

    if (res->rc == ZOK || res->rc == ZNODEEXISTS) {
        /* ZNODEEXISTS: maybe ours (a retried create), maybe a stale one;
         * the stat's owner tells */
        if (res->rc == ZNODEEXISTS && clock_mono_ms() > ctl->register_deadline)
            say_error("[ctl] broker id %d is already registered by another "
                      "session; retrying",
                      (int)ctl->cfg.broker_id);
        zk_exists(zk, path, false, ctl_register_stat_done, ctl);
    } else {
        say_warn("[ctl] re-registering broker %d: %s", (int)ctl->cfg.broker_id,
                 zk_strerror(res->rc));
        ctl->register_retry_at = clock_mono_ms() + CTL_RETRY_MS;
    }
    free(path);
}

static void
ctl_register_async(ctl_t *ctl)
{
    char *path = ctl_broker_path(ctl);
    char *json = ctl_broker_json(ctl);

    zk_create(ctl->zk, path, json, (int)strlen(json), ZOO_EPHEMERAL,
              ctl_register_create_done, ctl);
    free(json);
    free(path);
}

/* startup: synchronous, waits out a stale registration (DESIGN §6) */
static int
ctl_register_sync(ctl_t *ctl, char *errbuf, size_t errlen)
{
    char *path = ctl_broker_path(ctl);
    char *json = ctl_broker_json(ctl);
    int64_t deadline = clock_mono_ms() + ctl->cfg.zk_session_timeout_ms;
    struct Stat st;
    int rc;

    for (;;) {
        rc = zk_sync_create(ctl->zk, path, json, (int)strlen(json),
                            ZOO_EPHEMERAL);
        if (rc != ZNODEEXISTS || clock_mono_ms() >= deadline)
            break;
        usleep(200 * 1000);
    }
    if (rc == ZOK)
        rc = zk_sync_exists(ctl->zk, path, &st);
    free(json);
    free(path);
    if (rc == ZNODEEXISTS) {
        snprintf(errbuf, errlen,
                 "broker id %d is already registered in ZooKeeper (%s) by "
                 "another live broker",
                 (int)ctl->cfg.broker_id, zk_hosts(ctl->zk));
        return ERR_EXISTS;
    }
    if (rc != ZOK) {
        snprintf(errbuf, errlen, "registering broker %d: %s",
                 (int)ctl->cfg.broker_id, zk_strerror(rc));
        return ERR_ZK;
    }
    __atomic_store_n(&ctl->broker_epoch, st.czxid, __ATOMIC_RELEASE);
    ctl->registered = true;
    return 0;
}

static int
ctl_cluster_id_init(ctl_t *ctl, char *errbuf, size_t errlen)
{
    for (int tries = 0; tries < 3; tries++) {
        char *data = NULL;
        int len = 0, rc;

        rc = zk_sync_get(ctl->zk, ZKNODE_CLUSTER_ID, &data, &len, NULL);
        if (rc == ZOK) {
            rc = zknode_cluster_id_decode(data, len, &ctl->cluster_id, errbuf,
                                          errlen);
            free(data);
            return rc;
        }
        if (rc == ZNONODE) {
            uint8_t uuid[16];
            char id[23], *json;

            zknode_uuid_random(uuid);
            zknode_uuid_encode(uuid, id);
            json = zknode_cluster_id_encode(id);
            rc = zk_sync_ensure_path(ctl->zk, "/cluster");
            if (rc == ZOK)
                rc = zk_sync_create(ctl->zk, ZKNODE_CLUSTER_ID, json,
                                    (int)strlen(json), 0);
            free(json);
            if (rc == ZOK) {
                ctl->cluster_id = xstrdup(id);
                say_info("[ctl] created cluster id %s", id);
                return 0;
            }
            if (rc == ZNODEEXISTS)
                continue; /* another broker won the race: read it */
        }
        snprintf(errbuf, errlen, "reading %s: %s", ZKNODE_CLUSTER_ID,
                 zk_strerror(rc));
        return ERR_ZK;
    }
    snprintf(errbuf, errlen, "cannot settle %s", ZKNODE_CLUSTER_ID);
    return ERR_ZK;
}

/* ---- election --------------------------------------------------------- */

void
ctl_resign(ctl_t *ctl, const char *why)
{
    if (ctl->ctrl == NULL)
        return;
    say_warn("[ctl] broker %d resigns as controller (epoch %d): %s",
             (int)ctl->cfg.broker_id, (int)ctl_ctrl_epoch(ctl->ctrl), why);
    ctl_ctrl_free(ctl->ctrl);
    ctl->ctrl = NULL;
    ctl->term++;
    __atomic_store_n(&ctl->is_controller, 0, __ATOMIC_RELEASE);
}

static void
ctl_elect_finish(ctl_t *ctl)
{
    ctl->electing = false;
    if (ctl->elect_again) {
        ctl->elect_again = false;
        ctl_elect(ctl);
    }
}

static void
ctl_elect_retry(ctl_t *ctl, const char *what, int rc)
{
    say_warn("[ctl] election: %s: %s; retrying", what, zk_strerror(rc));
    ctl->electing = false;
    ctl->elect_again = false;
    ctl->elect_retry_at = clock_mono_ms() + CTL_RETRY_MS;
}

static void
ctl_elect_multi_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    ctl_t *ctl = ud;

    if (res->rc == ZOK) {
        __atomic_store_n(&ctl->controller_id, ctl->cfg.broker_id,
                         __ATOMIC_RELEASE);
        ctl->electing = false;
        ctl->elect_again = false;
        ctl_ctrl_become(ctl, ctl->pending_epoch, res->ops[1].stat.version);
        return;
    }
    if (res->rc == ZNODEEXISTS || res->rc == ZBADVERSION ||
        res->rc == ZNONODE) {
        /* lost the race: read the winner (and watch it) */
        ctl->electing = false;
        ctl_elect(ctl);
        return;
    }
    ctl_elect_retry(ctl, "create /controller", res->rc);
}

static void
ctl_elect_epoch_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    ctl_t *ctl = ud;
    int32_t epoch;
    char err[256];

    if (!ctl->registered) {
        ctl_elect_finish(ctl);
        return;
    }
    if (res->rc == ZNONODE) {
        /* first controller ever: /controller_epoch starts at 0 */
        zk_create(zk, ZKNODE_CONTROLLER_EPOCH, "0", 1, 0, NULL, NULL);
        ctl->electing = false;
        ctl_elect(ctl);
        return;
    }
    if (res->rc != ZOK) {
        ctl_elect_retry(ctl, "read /controller_epoch", res->rc);
        return;
    }
    if (zknode_controller_epoch_decode(res->data, res->datalen, &epoch, err,
                                       sizeof(err)) != 0) {
        say_error("[ctl] %s", err);
        ctl_elect_retry(ctl, "decode /controller_epoch", ZSYSTEMERROR);
        return;
    }
    {
        char *cjson =
            zknode_controller_encode(ctl->cfg.broker_id, clock_wall_ms());
        char *ejson = zknode_controller_epoch_encode(epoch + 1);
        zk_op_t ops[2] = {
            {ZK_OP_CREATE, ZKNODE_CONTROLLER, cjson, (int)strlen(cjson),
             ZOO_EPHEMERAL, -1},
            {ZK_OP_SET, ZKNODE_CONTROLLER_EPOCH, ejson, (int)strlen(ejson), 0,
             res->stat->version},
        };

        ctl->pending_epoch = epoch + 1;
        zk_multi(zk, ops, 2, ctl_elect_multi_done, ctl);
        free(cjson);
        free(ejson);
    }
}

static void
ctl_elect_get_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    ctl_t *ctl = ud;
    int32_t id;
    char err[256];

    if (res->rc == ZNONODE) {
        /* vanished between exists and get: try again */
        ctl->electing = false;
        ctl_elect(ctl);
        return;
    }
    if (res->rc != ZOK) {
        ctl_elect_retry(ctl, "read /controller", res->rc);
        return;
    }
    if (zknode_controller_decode(res->data, res->datalen, &id, err,
                                 sizeof(err)) != 0) {
        say_error("[ctl] %s", err);
        id = -1;
    }
    if (id != ctl->controller_id)
        say_info("[ctl] controller is broker %d", (int)id);
    __atomic_store_n(&ctl->controller_id, id, __ATOMIC_RELEASE);
    if (id != ctl->cfg.broker_id)
        ctl_resign(ctl, "another broker holds /controller");
    ctl_elect_finish(ctl);
}

static void
ctl_elect_exists_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    ctl_t *ctl = ud;

    if (res->rc == ZOK) {
        zk_get(zk, ZKNODE_CONTROLLER, true, ctl_elect_get_done, ctl);
        return;
    }
    if (res->rc != ZNONODE) {
        ctl_elect_retry(ctl, "watch /controller", res->rc);
        return;
    }
    __atomic_store_n(&ctl->controller_id, -1, __ATOMIC_RELEASE);
    if (ctl->ctrl != NULL)
        ctl_resign(ctl, "/controller vanished");
    if (!ctl->registered) {
        ctl_elect_finish(ctl);
        return;
    }
    zk_get(zk, ZKNODE_CONTROLLER_EPOCH, false, ctl_elect_epoch_done, ctl);
}

void
ctl_elect(ctl_t *ctl)
{
    if (ctl->electing) {
        ctl->elect_again = true;
        return;
    }
    ctl->electing = true;
    zk_exists(ctl->zk, ZKNODE_CONTROLLER, true, ctl_elect_exists_done, ctl);
}

/* ---- start / stop ----------------------------------------------------- */

static char *
ctl_strdup_null(const char *s)
{
    return s != NULL ? xstrdup(s) : NULL;
}

static void
ctl_free(ctl_t *ctl)
{
    ctl_ev_t *ev;

    while ((ev = ctl->qhead) != NULL) {
        ctl->qhead = ev->next;
        ctl_ev_discard(ev);
    }
    if (ctl->snap != NULL)
        mc_snapshot_put(ctl->snap);
    ctl_config_fini(ctl);
    free(ctl->cluster_id);
    free((char *)ctl->cfg.zk_connect);
    free((char *)ctl->cfg.advertised_host);
    free((char *)ctl->cfg.rack);
    pthread_cond_destroy(&ctl->qcv);
    pthread_mutex_destroy(&ctl->qmu);
    free(ctl);
}

int
ctl_start(ctl_t **out, const ctl_config_t *cfg, const ctl_hooks_t *hooks,
          char *errbuf, size_t errlen)
{
    ctl_t *ctl;
    zk_config_t zc;
    int rc;

    *out = NULL;
    if (cfg->broker_id < 0) {
        snprintf(errbuf, errlen, "broker.id %d is negative",
                 (int)cfg->broker_id);
        return ERR_CONFIG;
    }
    ctl = xcalloc(1, sizeof(*ctl));
    ctl->cfg = *cfg;
    ctl->cfg.zk_connect = ctl_strdup_null(cfg->zk_connect);
    ctl->cfg.advertised_host =
        xstrdup(cfg->advertised_host ? cfg->advertised_host : "localhost");
    ctl->cfg.rack = ctl_strdup_null(cfg->rack);
    if (ctl->cfg.zk_session_timeout_ms <= 0)
        ctl->cfg.zk_session_timeout_ms = 18000;
    if (ctl->cfg.num_partitions <= 0)
        ctl->cfg.num_partitions = 1;
    if (ctl->cfg.default_replication_factor <= 0)
        ctl->cfg.default_replication_factor = 1;
    if (hooks != NULL)
        ctl->hooks = *hooks;
    __atomic_store_n(&ctl->controller_id, -1, __ATOMIC_RELEASE);
    ctl->seed = (unsigned)(clock_wall_ms() ^ getpid() ^
                           ((uint32_t)cfg->broker_id << 16));
    pthread_mutex_init(&ctl->qmu, NULL);
    pthread_cond_init(&ctl->qcv, NULL);

    memset(&zc, 0, sizeof(zc));
    zc.connect = ctl->cfg.zk_connect;
    zc.session_timeout_ms = ctl->cfg.zk_session_timeout_ms;
    zc.post = ctl_zk_post;
    zc.on_session = ctl_on_session;
    zc.on_watch = ctl_on_watch;
    zc.ud = ctl;
    rc = zk_open(&ctl->zk, &zc, errbuf, errlen);
    if (rc != 0)
        goto fail;
    for (size_t i = 0; i < sizeof(ctl_base_paths) / sizeof(*ctl_base_paths);
         i++) {
        int zrc = zk_sync_ensure_path(ctl->zk, ctl_base_paths[i]);

        if (zrc != ZOK) {
            snprintf(errbuf, errlen, "creating %s: %s", ctl_base_paths[i],
                     zk_strerror(zrc));
            rc = ERR_ZK;
            goto fail;
        }
    }
    rc = ctl_cluster_id_init(ctl, errbuf, errlen);
    if (rc != 0)
        goto fail;
    /* dynamic broker configs apply before the broker is seen as up */
    ctl_config_init(ctl);
    rc = ctl_register_sync(ctl, errbuf, errlen);
    if (rc != 0)
        goto fail;
    say_info("[ctl] broker %d registered in cluster %s (broker epoch %lld)",
             (int)ctl->cfg.broker_id, ctl->cluster_id,
             (long long)ctl->broker_epoch);
    ctl_registry_add(ctl);
    ctl_post(ctl, CTL_EV_START, NULL);
    if (pthread_create(&ctl->thread, NULL, ctl_thread_main, ctl) != 0) {
        snprintf(errbuf, errlen, "pthread_create failed");
        ctl_registry_remove(ctl);
        rc = ERR_STATE;
        goto fail;
    }
    ctl->thread_started = true;
    *out = ctl;
    return 0;
fail:
    zk_close(ctl->zk);
    ctl_free(ctl);
    return rc;
}

/*
 * After the thread has stopped: close the session, then run what is queued
 * (ZooKeeper completions fail with ZCLOSING and release their contexts;
 * admin requests get an error), here on the stopping thread.
 */
static void
ctl_drain(ctl_t *ctl)
{
    for (;;) {
        ctl_ev_t *ev;

        pthread_mutex_lock(&ctl->qmu);
        ev = ctl->qhead;
        if (ev != NULL) {
            ctl->qhead = ev->next;
            if (ctl->qhead == NULL)
                ctl->qtail = NULL;
        }
        pthread_mutex_unlock(&ctl->qmu);
        if (ev == NULL)
            break;
        if (ev->kind == CTL_EV_ZK || ev->kind == CTL_EV_ADMIN ||
            ev->kind == CTL_EV_CONFIG)
            ctl_ev_run(ctl, ev);
        else
            ctl_ev_discard(ev);
    }
}

void
ctl_stop(ctl_t *ctl)
{
    if (ctl == NULL)
        return;
    ctl_registry_remove(ctl);
    pthread_mutex_lock(&ctl->qmu);
    ctl->stopping = true;
    pthread_cond_signal(&ctl->qcv);
    pthread_mutex_unlock(&ctl->qmu);
    if (ctl->thread_started)
        pthread_join(ctl->thread, NULL);
    /* closing the session removes /brokers/ids/<id> and /controller now */
    zk_shutdown(ctl->zk);
    ctl_drain(ctl);
    ctl_admin_abort_all(ctl, KERR_REQUEST_TIMED_OUT);
    ctl_resign(ctl, "shutting down");
    ctl_elect_fini(ctl);
    /* sender threads of the channels just freed: bounded by their polls */
    ctl_chan_net_wait_all(3000);
    zk_close(ctl->zk);
    ctl->zk = NULL;
    ctl_free(ctl);
}

const char *
ctl_cluster_id(ctl_t *ctl)
{
    return ctl->cluster_id;
}

int32_t
ctl_broker_id(ctl_t *ctl)
{
    return ctl->cfg.broker_id;
}

int64_t
ctl_broker_epoch(ctl_t *ctl)
{
    return __atomic_load_n(&ctl->broker_epoch, __ATOMIC_ACQUIRE);
}

int32_t
ctl_controller_id(ctl_t *ctl)
{
    return __atomic_load_n(&ctl->controller_id, __ATOMIC_ACQUIRE);
}

bool
ctl_is_controller(ctl_t *ctl)
{
    return __atomic_load_n(&ctl->is_controller, __ATOMIC_ACQUIRE) != 0;
}

/* ---- admin entry points (any thread) ---------------------------------- */

static ctl_admin_t *
ctl_admin_new(ctl_admin_kind_t kind, int n, bool validate_only,
              int32_t timeout_ms, ctl_done_fn done, void *ud)
{
    ctl_admin_t *req = xcalloc(1, sizeof(*req));

    req->kind = kind;
    req->n = n > 0 ? n : 0;
    req->items = xcalloc(req->n + 1, sizeof(*req->items));
    req->validate_only = validate_only;
    req->timeout_ms = timeout_ms;
    req->deadline = clock_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    req->done = done;
    req->ud = ud;
    return req;
}

void
ctl_create_topics(ctl_t *ctl, const ctl_topic_spec_t *specs, int n,
                  bool validate_only, int32_t timeout_ms, ctl_done_fn done,
                  void *ud)
{
    ctl_admin_t *req =
        ctl_admin_new(CTL_ADMIN_CREATE, n, validate_only, timeout_ms, done, ud);

    for (int i = 0; i < req->n; i++) {
        const ctl_topic_spec_t *s = &specs[i];
        ctl_admin_item_t *it = &req->items[i];
        int32_t na = s->nassignments > 0 && s->assignments != NULL &&
                             s->assignment_lens != NULL
                         ? s->nassignments
                         : 0;
        int32_t nc = s->nconfigs > 0 && s->config_keys != NULL &&
                             s->config_values != NULL
                         ? s->nconfigs
                         : 0;

        it->name = xstrdup(s->name != NULL ? s->name : "");
        it->num_partitions = s->num_partitions;
        it->replication_factor = s->replication_factor;
        it->nassignments = na;
        it->assignments = xcalloc(na + 1, sizeof(int32_t *));
        it->assignment_lens = xcalloc(na + 1, sizeof(int32_t));
        for (int32_t p = 0; p < na; p++) {
            int32_t len = s->assignment_lens[p] > 0 ? s->assignment_lens[p] : 0;

            it->assignment_lens[p] = len;
            it->assignments[p] = xcalloc(len + 1, sizeof(int32_t));
            if (len > 0 && s->assignments[p] != NULL)
                memcpy(it->assignments[p], s->assignments[p],
                       sizeof(int32_t) * len);
        }
        it->nconfigs = nc;
        it->config_keys = xcalloc(nc + 1, sizeof(char *));
        it->config_values = xcalloc(nc + 1, sizeof(char *));
        for (int32_t k = 0; k < nc; k++) {
            it->config_keys[k] =
                xstrdup(s->config_keys[k] ? s->config_keys[k] : "");
            it->config_values[k] = ctl_strdup_null(s->config_values[k]);
        }
    }
    ctl_post(ctl, CTL_EV_ADMIN, req);
}

void
ctl_delete_topics(ctl_t *ctl, const char *const *names, int n,
                  int32_t timeout_ms, ctl_done_fn done, void *ud)
{
    ctl_admin_t *req =
        ctl_admin_new(CTL_ADMIN_DELETE, n, false, timeout_ms, done, ud);

    for (int i = 0; i < req->n; i++)
        req->items[i].name = xstrdup(names[i] != NULL ? names[i] : "");
    ctl_post(ctl, CTL_EV_ADMIN, req);
}

void
ctl_create_partitions(ctl_t *ctl, const char *const *names,
                      const int32_t *counts, int n, bool validate_only,
                      int32_t timeout_ms, ctl_done_fn done, void *ud)
{
    ctl_admin_t *req = ctl_admin_new(CTL_ADMIN_PARTITIONS, n, validate_only,
                                     timeout_ms, done, ud);

    for (int i = 0; i < req->n; i++) {
        req->items[i].name = xstrdup(names[i] != NULL ? names[i] : "");
        req->items[i].num_partitions = counts[i];
    }
    ctl_post(ctl, CTL_EV_ADMIN, req);
}
