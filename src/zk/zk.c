/*
 * zk.c: ZooKeeper session glue (see zk.h).
 *
 * Owns: the zhandle_t, the session life cycle (connect, chroot creation,
 * expiry -> new session), the hand-off of completions and watch events to
 * the owner's thread, and the routing of the client library's log lines to
 * say_*(). Does not own: what the znodes mean (zknode.c) or what to do on a
 * new session (the owner's on_session callback).
 *
 * Locking: zk->mu guards zh, state, session id and gen against the
 * library's completion thread (watcher). zookeeper_close() is never called
 * under zk->mu: it joins the completion thread, which may be waiting for it.
 */
/* the synchronous zoo_* calls are declared only for the threaded library */
#define THREADED 1

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "samsa/err.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"
#include "samsa/zk.h"

#define ZK_OP_BUFS 3

enum zk_msg_kind {
    ZK_MSG_DONE = 1,
    ZK_MSG_WATCH,
    ZK_MSG_SESSION,
};

struct zk {
    zk_config_t cfg;
    char *connect; /* full connect string, chroot included */
    char *hosts;   /* without the chroot */
    char *chroot;  /* NULL or "/samsa" */

    pthread_mutex_t mu;
    pthread_cond_t cv;
    zhandle_t *zh;
    int state; /* last session state of zh */
    int64_t session_id;
    uint64_t gen;
    bool want_new_event; /* post ZK_SESSION_NEW when zh connects */
    bool expiry_posted;  /* for the current zh */
    bool shut;           /* zk_shutdown() called */
};

/*
 * One message = one request (DONE), or one watch/session event. A request's
 * inputs and outputs live in the same allocation so the library can write
 * into it until the completion runs.
 */
struct zk_msg {
    enum zk_msg_kind kind;
    zk_t *zk;
    /* DONE */
    zk_done_fn done;
    void *ud;
    char *path;
    uint64_t gen;
    int rc;
    char *data;
    int datalen;
    struct Stat stat;
    bool has_stat;
    char **children;
    int nchildren;
    char *created;
    int created_cap;
    int nops;
    zoo_op_t *zops;
    zoo_op_result_t *zres;
    zk_op_result_t *ops;
    char **op_bufs; /* ZK_OP_BUFS per op: path, data, created path */
    /* WATCH */
    int type;
    /* SESSION */
    zk_session_event_t sev;
    zhandle_t *zh;
};

/* ---- logging ---------------------------------------------------------- */

/*
 * The client library logs every failed connect attempt (every ~25 ms while
 * a server is down), so WARN/ERROR lines are limited to ZK_LOG_BURST per
 * second; the number dropped is reported with the next line let through.
 */
#define ZK_LOG_BURST 5

static pthread_mutex_t zk_log_mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t zk_log_second;
static int zk_log_count;
static int zk_log_dropped;

static void
zk_log_cb(const char *message)
{
    say_level_t level = SAY_DEBUG;
    struct timespec ts;
    int dropped = 0;

    /* "<time>:<pid>(0x<tid>):ZOO_WARN@fn@line: text" */
    if (strstr(message, "ZOO_ERROR") != NULL)
        level = SAY_ERROR;
    else if (strstr(message, "ZOO_WARN") != NULL)
        level = SAY_WARN;
    if (level == SAY_DEBUG) {
        say_debug("[zk] %s", message);
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    pthread_mutex_lock(&zk_log_mu);
    if (ts.tv_sec != zk_log_second) {
        zk_log_second = ts.tv_sec;
        zk_log_count = 0;
    }
    if (++zk_log_count > ZK_LOG_BURST) {
        zk_log_dropped++;
        pthread_mutex_unlock(&zk_log_mu);
        return;
    }
    dropped = zk_log_dropped;
    zk_log_dropped = 0;
    pthread_mutex_unlock(&zk_log_mu);
    if (dropped > 0)
        say_msg(level, "[zk] %s (%d similar lines dropped)", message, dropped);
    else
        say_msg(level, "[zk] %s", message);
}

const char *
zk_strerror(int rc)
{
    return zerror(rc);
}

/* ---- message plumbing ------------------------------------------------- */

static zk_msg_t *
zk_req_new(zk_t *zk, const char *path, zk_done_fn done, void *ud)
{
    zk_msg_t *msg = xcalloc(1, sizeof(*msg));

    msg->kind = ZK_MSG_DONE;
    msg->zk = zk;
    msg->done = done;
    msg->ud = ud;
    msg->path = xstrdup(path);
    pthread_mutex_lock(&zk->mu);
    msg->gen = zk->gen;
    pthread_mutex_unlock(&zk->mu);
    return msg;
}

static void
zk_post(zk_msg_t *msg)
{
    msg->zk->cfg.post(msg, msg->zk->cfg.ud);
}

void
zk_msg_discard(zk_msg_t *msg)
{
    if (msg == NULL)
        return;
    free(msg->path);
    free(msg->data);
    for (int i = 0; i < msg->nchildren; i++)
        free(msg->children[i]);
    free(msg->children);
    free(msg->created);
    if (msg->op_bufs != NULL)
        for (int i = 0; i < ZK_OP_BUFS * msg->nops; i++)
            free(msg->op_bufs[i]);
    free(msg->op_bufs);
    free(msg->zops);
    free(msg->zres);
    free(msg->ops);
    free(msg);
}

static void zk_session_expired_run(zk_t *zk, zhandle_t *zh);

void
zk_msg_run(zk_msg_t *msg)
{
    zk_t *zk = msg->zk;

    switch (msg->kind) {
    case ZK_MSG_DONE: {
        zk_result_t res;

        memset(&res, 0, sizeof(res));
        res.rc = msg->rc;
        res.path = msg->path;
        res.session_gen = msg->gen;
        res.data = msg->data;
        res.datalen = msg->datalen;
        res.stat = msg->has_stat ? &msg->stat : NULL;
        res.nchildren = msg->nchildren;
        res.children = msg->children;
        res.created_path = msg->created;
        if (msg->ops != NULL) {
            for (int i = 0; i < msg->nops; i++)
                msg->ops[i].rc = msg->zres[i].err;
            res.nops = msg->nops;
            res.ops = msg->ops;
        }
        if (msg->done != NULL)
            msg->done(zk, &res, msg->ud);
        break;
    }
    case ZK_MSG_WATCH:
        if (zk->cfg.on_watch != NULL)
            zk->cfg.on_watch(zk, msg->type, msg->path, zk->cfg.ud);
        break;
    case ZK_MSG_SESSION:
        if (msg->sev == ZK_SESSION_EXPIRED)
            zk_session_expired_run(zk, msg->zh);
        else if (zk->cfg.on_session != NULL)
            zk->cfg.on_session(zk, ZK_SESSION_NEW, zk->cfg.ud);
        break;
    }
    zk_msg_discard(msg);
}

/* ---- session ---------------------------------------------------------- */

static const char *
zk_state_name(int state)
{
    if (state == ZOO_CONNECTED_STATE)
        return "connected";
    if (state == ZOO_CONNECTING_STATE)
        return "connecting";
    if (state == ZOO_EXPIRED_SESSION_STATE)
        return "expired";
    if (state == ZOO_AUTH_FAILED_STATE)
        return "auth failed";
    if (state == ZOO_ASSOCIATING_STATE)
        return "associating";
    return "other";
}

/* library completion thread */
static void
zk_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
    zk_t *zk = ctx;
    zk_msg_t *msg = NULL;

    pthread_mutex_lock(&zk->mu);
    if (zh != zk->zh) {
        /* an old handle, or zk_open's chroot session */
        pthread_mutex_unlock(&zk->mu);
        return;
    }
    if (type == ZOO_SESSION_EVENT) {
        int old = zk->state;

        zk->state = state;
        if (state == ZOO_CONNECTED_STATE) {
            const clientid_t *cid = zoo_client_id(zh);

            zk->session_id = cid != NULL ? cid->client_id : 0;
            if (zk->want_new_event && zk->cfg.post != NULL) {
                zk->want_new_event = false;
                msg = xcalloc(1, sizeof(*msg));
                msg->kind = ZK_MSG_SESSION;
                msg->zk = zk;
                msg->sev = ZK_SESSION_NEW;
                msg->zh = zh;
            }
        } else if (state == ZOO_EXPIRED_SESSION_STATE && !zk->expiry_posted &&
                   zk->cfg.post != NULL) {
            zk->expiry_posted = true;
            msg = xcalloc(1, sizeof(*msg));
            msg->kind = ZK_MSG_SESSION;
            msg->zk = zk;
            msg->sev = ZK_SESSION_EXPIRED;
            msg->zh = zh;
        }
        pthread_cond_broadcast(&zk->cv);
        if (old != state)
            say_msg(state == ZOO_CONNECTED_STATE ? SAY_INFO : SAY_WARN,
                    "[zk] session 0x%llx %s (%s)",
                    (unsigned long long)zk->session_id, zk_state_name(state),
                    zk->hosts);
    } else if (path != NULL && zk->cfg.post != NULL) {
        msg = xcalloc(1, sizeof(*msg));
        msg->kind = ZK_MSG_WATCH;
        msg->zk = zk;
        msg->type = type;
        msg->path = xstrdup(path);
    }
    pthread_mutex_unlock(&zk->mu);
    if (msg != NULL)
        zk_post(msg);
}

static zhandle_t *
zk_init_handle_locked(zk_t *zk, const char *connect)
{
    zhandle_t *zh;

    zk->state = 0;
    zk->expiry_posted = false;
    zh = zookeeper_init2(connect, zk_watcher, zk->cfg.session_timeout_ms, NULL,
                         zk, 0, zk_log_cb);
    return zh;
}

/* waits for zk->zh to connect; 0 or ERR_ZK */
static int
zk_wait_connected(zk_t *zk, int32_t timeout_ms)
{
    struct timespec ts;
    int rc = 0;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&zk->mu);
    while (zk->state != ZOO_CONNECTED_STATE) {
        if (zk->state == ZOO_EXPIRED_SESSION_STATE ||
            zk->state == ZOO_AUTH_FAILED_STATE) {
            rc = ERR_ZK;
            break;
        }
        if (pthread_cond_timedwait(&zk->cv, &zk->mu, &ts) == ETIMEDOUT) {
            rc = zk->state == ZOO_CONNECTED_STATE ? 0 : ERR_ZK;
            break;
        }
    }
    pthread_mutex_unlock(&zk->mu);
    return rc;
}

/* owner thread: replaces an expired handle with a new session */
static void
zk_session_expired_run(zk_t *zk, zhandle_t *expired)
{
    zhandle_t *old;

    pthread_mutex_lock(&zk->mu);
    old = zk->zh;
    if (old != expired) {
        pthread_mutex_unlock(&zk->mu);
        return;
    }
    zk->zh = NULL;
    pthread_mutex_unlock(&zk->mu);
    say_warn("[zk] session 0x%llx expired, starting a new one",
             (unsigned long long)zk->session_id);
    zookeeper_close(old);
    if (zk->cfg.on_session != NULL)
        zk->cfg.on_session(zk, ZK_SESSION_EXPIRED, zk->cfg.ud);
    pthread_mutex_lock(&zk->mu);
    zk->gen++;
    zk->session_id = 0;
    zk->want_new_event = true;
    zk->zh = zk_init_handle_locked(zk, zk->connect);
    if (zk->zh == NULL)
        say_error("[zk] cannot start a new session to %s: %s", zk->connect,
                  strerror(errno));
    pthread_mutex_unlock(&zk->mu);
}

/* creates the chroot through a chroot-less session, as Kafka does */
static int
zk_create_chroot(zk_t *zk, char *errbuf, size_t errlen)
{
    zhandle_t *zh;
    int rc;

    pthread_mutex_lock(&zk->mu);
    zh = zk_init_handle_locked(zk, zk->hosts);
    zk->zh = zh;
    pthread_mutex_unlock(&zk->mu);
    if (zh == NULL) {
        snprintf(errbuf, errlen, "zookeeper_init(%s): %s", zk->hosts,
                 strerror(errno));
        return ERR_ZK;
    }
    rc = zk_wait_connected(zk, zk->cfg.session_timeout_ms);
    if (rc == 0) {
        rc = zk_sync_ensure_path(zk, zk->chroot);
        if (rc != ZOK)
            snprintf(errbuf, errlen, "cannot create chroot %s on %s: %s",
                     zk->chroot, zk->hosts, zerror(rc));
        rc = rc == ZOK ? 0 : ERR_ZK;
    } else {
        snprintf(errbuf, errlen,
                 "cannot connect to ZooKeeper at %s within %d ms", zk->hosts,
                 (int)zk->cfg.session_timeout_ms);
    }
    pthread_mutex_lock(&zk->mu);
    zk->zh = NULL;
    pthread_mutex_unlock(&zk->mu);
    zookeeper_close(zh);
    return rc;
}

int
zk_open(zk_t **out, const zk_config_t *cfg, char *errbuf, size_t errlen)
{
    zk_t *zk;
    const char *slash;
    int rc;

    *out = NULL;
    if (cfg->connect == NULL || cfg->connect[0] == '\0' ||
        cfg->connect[0] == '/') {
        snprintf(errbuf, errlen, "zookeeper.connect is empty");
        return ERR_CONFIG;
    }
    zk = xcalloc(1, sizeof(*zk));
    zk->cfg = *cfg;
    if (zk->cfg.session_timeout_ms <= 0)
        zk->cfg.session_timeout_ms = 18000;
    zk->connect = xstrdup(cfg->connect);
    slash = strchr(cfg->connect, '/');
    if (slash != NULL) {
        zk->hosts = xstrndup(cfg->connect, slash - cfg->connect);
        /* "/" or "/samsa/" -> normalize the trailing slash away */
        zk->chroot = xstrdup(slash);
        size_t n = strlen(zk->chroot);
        while (n > 1 && zk->chroot[n - 1] == '/')
            zk->chroot[--n] = '\0';
        if (strcmp(zk->chroot, "/") == 0) {
            free(zk->chroot);
            zk->chroot = NULL;
            free(zk->connect);
            zk->connect = xstrdup(zk->hosts);
        }
    } else {
        zk->hosts = xstrdup(cfg->connect);
    }
    pthread_mutex_init(&zk->mu, NULL);
    pthread_cond_init(&zk->cv, NULL);
    zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);

    if (zk->chroot != NULL) {
        rc = zk_create_chroot(zk, errbuf, errlen);
        if (rc != 0) {
            zk_close(zk);
            return rc;
        }
    }
    pthread_mutex_lock(&zk->mu);
    zk->gen = 1;
    zk->zh = zk_init_handle_locked(zk, zk->connect);
    pthread_mutex_unlock(&zk->mu);
    if (zk->zh == NULL) {
        snprintf(errbuf, errlen, "zookeeper_init(%s): %s", zk->connect,
                 strerror(errno));
        zk_close(zk);
        return ERR_ZK;
    }
    if (zk_wait_connected(zk, zk->cfg.session_timeout_ms) != 0) {
        snprintf(errbuf, errlen,
                 "cannot connect to ZooKeeper at %s within %d ms", zk->hosts,
                 (int)zk->cfg.session_timeout_ms);
        zk_close(zk);
        return ERR_ZK;
    }
    *out = zk;
    return 0;
}

void
zk_shutdown(zk_t *zk)
{
    zhandle_t *zh;

    pthread_mutex_lock(&zk->mu);
    zh = zk->zh;
    zk->zh = NULL;
    zk->shut = true;
    pthread_mutex_unlock(&zk->mu);
    /* pending completions are posted with ZCLOSING while closing */
    if (zh != NULL)
        zookeeper_close(zh);
}

void
zk_close(zk_t *zk)
{
    if (zk == NULL)
        return;
    zk_shutdown(zk);
    pthread_cond_destroy(&zk->cv);
    pthread_mutex_destroy(&zk->mu);
    free(zk->connect);
    free(zk->hosts);
    free(zk->chroot);
    free(zk);
}

int64_t
zk_session_id(zk_t *zk)
{
    int64_t id;

    pthread_mutex_lock(&zk->mu);
    id = zk->session_id;
    pthread_mutex_unlock(&zk->mu);
    return id;
}

uint64_t
zk_session_gen(zk_t *zk)
{
    uint64_t gen;

    pthread_mutex_lock(&zk->mu);
    gen = zk->gen;
    pthread_mutex_unlock(&zk->mu);
    return gen;
}

bool
zk_connected(zk_t *zk)
{
    bool c;

    pthread_mutex_lock(&zk->mu);
    c = zk->zh != NULL && zk->state == ZOO_CONNECTED_STATE;
    pthread_mutex_unlock(&zk->mu);
    return c;
}

const char *
zk_hosts(zk_t *zk)
{
    return zk->hosts;
}

static zhandle_t *
zk_handle(zk_t *zk)
{
    zhandle_t *zh;

    pthread_mutex_lock(&zk->mu);
    zh = zk->zh;
    pthread_mutex_unlock(&zk->mu);
    return zh;
}

/* the error for a call made without a handle */
static int
zk_no_handle_rc(zk_t *zk)
{
    bool shut;

    pthread_mutex_lock(&zk->mu);
    shut = zk->shut;
    pthread_mutex_unlock(&zk->mu);
    return shut ? ZCLOSING : ZINVALIDSTATE;
}

/* ---- async calls ------------------------------------------------------ */

static void
zk_fail_now(zk_msg_t *msg, int rc)
{
    msg->rc = rc;
    zk_post(msg);
}

static void
zk_data_cb(int rc, const char *value, int value_len, const struct Stat *stat,
           const void *data)
{
    zk_msg_t *msg = (zk_msg_t *)data;

    msg->rc = rc;
    if (rc == ZOK && value != NULL && value_len >= 0) {
        msg->data = xmalloc(value_len + 1);
        memcpy(msg->data, value, value_len);
        msg->data[value_len] = '\0';
        msg->datalen = value_len;
    }
    if (rc == ZOK && stat != NULL) {
        msg->stat = *stat;
        msg->has_stat = true;
    }
    zk_post(msg);
}

static void
zk_stat_cb(int rc, const struct Stat *stat, const void *data)
{
    zk_msg_t *msg = (zk_msg_t *)data;

    msg->rc = rc;
    if (rc == ZOK && stat != NULL) {
        msg->stat = *stat;
        msg->has_stat = true;
    }
    zk_post(msg);
}

static void
zk_strings_cb(int rc, const struct String_vector *strings,
              const struct Stat *stat, const void *data)
{
    zk_msg_t *msg = (zk_msg_t *)data;

    msg->rc = rc;
    if (rc == ZOK && strings != NULL && strings->count > 0) {
        msg->children = xcalloc(strings->count, sizeof(char *));
        for (int i = 0; i < strings->count; i++)
            msg->children[i] = xstrdup(strings->data[i]);
        msg->nchildren = strings->count;
    }
    if (rc == ZOK && stat != NULL) {
        msg->stat = *stat;
        msg->has_stat = true;
    }
    zk_post(msg);
}

static void
zk_string_cb(int rc, const char *value, const void *data)
{
    zk_msg_t *msg = (zk_msg_t *)data;

    msg->rc = rc;
    if (rc == ZOK && value != NULL)
        msg->created = xstrdup(value);
    zk_post(msg);
}

static void
zk_void_cb(int rc, const void *data)
{
    zk_msg_t *msg = (zk_msg_t *)data;

    msg->rc = rc;
    zk_post(msg);
}

void
zk_get(zk_t *zk, const char *path, bool watch, zk_done_fn done, void *ud)
{
    zk_msg_t *msg = zk_req_new(zk, path, done, ud);
    zhandle_t *zh = zk_handle(zk);
    int rc;

    rc = zh == NULL ? zk_no_handle_rc(zk)
                    : zoo_aget(zh, msg->path, watch, zk_data_cb, msg);
    if (rc != ZOK)
        zk_fail_now(msg, rc);
}

void
zk_exists(zk_t *zk, const char *path, bool watch, zk_done_fn done, void *ud)
{
    zk_msg_t *msg = zk_req_new(zk, path, done, ud);
    zhandle_t *zh = zk_handle(zk);
    int rc;

    rc = zh == NULL ? zk_no_handle_rc(zk)
                    : zoo_aexists(zh, msg->path, watch, zk_stat_cb, msg);
    if (rc != ZOK)
        zk_fail_now(msg, rc);
}

void
zk_children(zk_t *zk, const char *path, bool watch, zk_done_fn done, void *ud)
{
    zk_msg_t *msg = zk_req_new(zk, path, done, ud);
    zhandle_t *zh = zk_handle(zk);
    int rc;

    rc = zh == NULL
             ? zk_no_handle_rc(zk)
             : zoo_aget_children2(zh, msg->path, watch, zk_strings_cb, msg);
    if (rc != ZOK)
        zk_fail_now(msg, rc);
}

void
zk_create(zk_t *zk, const char *path, const char *data, int datalen, int flags,
          zk_done_fn done, void *ud)
{
    zk_msg_t *msg = zk_req_new(zk, path, done, ud);
    zhandle_t *zh = zk_handle(zk);
    int rc;

    rc = zh == NULL
             ? zk_no_handle_rc(zk)
             : zoo_acreate(zh, msg->path, data, data ? datalen : -1,
                           &ZOO_OPEN_ACL_UNSAFE, flags, zk_string_cb, msg);
    if (rc != ZOK)
        zk_fail_now(msg, rc);
}

void
zk_set(zk_t *zk, const char *path, const char *data, int datalen, int version,
       zk_done_fn done, void *ud)
{
    zk_msg_t *msg = zk_req_new(zk, path, done, ud);
    zhandle_t *zh = zk_handle(zk);
    int rc;

    rc = zh == NULL ? zk_no_handle_rc(zk)
                    : zoo_aset(zh, msg->path, data, data ? datalen : -1,
                               version, zk_stat_cb, msg);
    if (rc != ZOK)
        zk_fail_now(msg, rc);
}

void
zk_delete(zk_t *zk, const char *path, int version, zk_done_fn done, void *ud)
{
    zk_msg_t *msg = zk_req_new(zk, path, done, ud);
    zhandle_t *zh = zk_handle(zk);
    int rc;

    rc = zh == NULL ? zk_no_handle_rc(zk)
                    : zoo_adelete(zh, msg->path, version, zk_void_cb, msg);
    if (rc != ZOK)
        zk_fail_now(msg, rc);
}

void
zk_multi(zk_t *zk, const zk_op_t *ops, int n, zk_done_fn done, void *ud)
{
    zk_msg_t *msg = zk_req_new(zk, n > 0 ? ops[0].path : "", done, ud);
    zhandle_t *zh = zk_handle(zk);
    int m = n > 0 ? n : 1;
    int rc;

    msg->nops = n;
    msg->zops = xcalloc(m, sizeof(*msg->zops));
    msg->zres = xcalloc(m, sizeof(*msg->zres));
    msg->ops = xcalloc(m, sizeof(*msg->ops));
    /* per op: path copy, data copy, created-path buffer */
    msg->op_bufs = xcalloc(ZK_OP_BUFS * m, sizeof(char *));
    for (int i = 0; i < n; i++) {
        const zk_op_t *op = &ops[i];
        char **bufs = &msg->op_bufs[ZK_OP_BUFS * i];
        int dlen = op->data != NULL ? op->datalen : -1;
        int plen = (int)strlen(op->path) + 16;

        bufs[0] = xstrdup(op->path);
        if (op->data != NULL) {
            bufs[1] = xmalloc(op->datalen + 1);
            memcpy(bufs[1], op->data, op->datalen);
            bufs[1][op->datalen] = '\0';
        }
        switch (op->kind) {
        case ZK_OP_CREATE:
            bufs[2] = xmalloc(plen);
            zoo_create_op_init(&msg->zops[i], bufs[0], bufs[1], dlen,
                               &ZOO_OPEN_ACL_UNSAFE, op->flags, bufs[2], plen);
            break;
        case ZK_OP_DELETE:
            zoo_delete_op_init(&msg->zops[i], bufs[0], op->version);
            break;
        case ZK_OP_SET:
            zoo_set_op_init(&msg->zops[i], bufs[0], bufs[1], dlen, op->version,
                            &msg->ops[i].stat);
            break;
        case ZK_OP_CHECK:
            zoo_check_op_init(&msg->zops[i], bufs[0], op->version);
            break;
        }
    }
    if (n <= 0)
        rc = ZBADARGUMENTS;
    else if (zh == NULL)
        rc = zk_no_handle_rc(zk);
    else
        rc = zoo_amulti(zh, n, msg->zops, msg->zres, zk_void_cb, msg);
    if (rc != ZOK) {
        for (int i = 0; i < n; i++)
            msg->zres[i].err = rc;
        zk_fail_now(msg, rc);
    }
}

/* ---- synchronous helpers ---------------------------------------------- */

int
zk_sync_get(zk_t *zk, const char *path, char **data, int *datalen,
            struct Stat *stat)
{
    zhandle_t *zh = zk_handle(zk);
    struct Stat st;
    int rc;

    *data = NULL;
    if (datalen != NULL)
        *datalen = 0;
    if (zh == NULL)
        return ZINVALIDSTATE;
    for (int tries = 0; tries < 5; tries++) {
        int cap, len;
        char *buf;

        rc = zoo_exists(zh, path, 0, &st);
        if (rc != ZOK)
            return rc;
        cap = st.dataLength + 1;
        buf = xmalloc(cap);
        len = cap;
        rc = zoo_get(zh, path, 0, buf, &len, &st);
        if (rc != ZOK) {
            free(buf);
            return rc;
        }
        if (len >= cap) {
            free(buf); /* grew in between; read again */
            continue;
        }
        if (len < 0) {
            free(buf);
            buf = NULL;
            len = 0;
        } else {
            buf[len] = '\0';
        }
        *data = buf;
        if (datalen != NULL)
            *datalen = len;
        if (stat != NULL)
            *stat = st;
        return ZOK;
    }
    return ZSYSTEMERROR;
}

int
zk_sync_create(zk_t *zk, const char *path, const char *data, int datalen,
               int flags)
{
    zhandle_t *zh = zk_handle(zk);

    if (zh == NULL)
        return ZINVALIDSTATE;
    return zoo_create(zh, path, data, data ? datalen : -1, &ZOO_OPEN_ACL_UNSAFE,
                      flags, NULL, 0);
}

int
zk_sync_delete(zk_t *zk, const char *path, int version)
{
    zhandle_t *zh = zk_handle(zk);

    if (zh == NULL)
        return ZINVALIDSTATE;
    return zoo_delete(zh, path, version);
}

int
zk_sync_exists(zk_t *zk, const char *path, struct Stat *stat)
{
    zhandle_t *zh = zk_handle(zk);
    struct Stat st;

    if (zh == NULL)
        return ZINVALIDSTATE;
    return zoo_exists(zh, path, 0, stat != NULL ? stat : &st);
}

int
zk_sync_ensure_path(zk_t *zk, const char *path)
{
    char *p = xstrdup(path);
    int rc = ZOK;

    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;

            *s = '\0';
            rc = zk_sync_create(zk, p, NULL, 0, 0);
            if (rc == ZNODEEXISTS)
                rc = ZOK;
            *s = c;
            if (rc != ZOK || c == '\0')
                break;
        }
    }
    free(p);
    return rc;
}
