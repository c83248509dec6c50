/*
 * zk: ZooKeeper session glue over libzookeeper_mt's asynchronous API.
 *
 * One zk_t is one logical session owner. Its callbacks (completions, watch
 * events, session changes) never run on a ZooKeeper client thread: the
 * client thread wraps each of them in a zk_msg_t and hands it to the owner's
 * @post function, which only enqueues it; the owner later runs it on its own
 * thread with zk_msg_run() (DESIGN §3: nobody blocks an IO loop on
 * ZooKeeper). Every async call's callback fires exactly once, also when the
 * call fails at once or the session is closed.
 *
 * Connect string: "host:port[,host:port...][/chroot]". A missing chroot path
 * is created at open, as Kafka does (through a second, chroot-less session).
 *
 * Session life cycle:
 *
 *     zk_open ──> CONNECTED <──> (disconnected: the client reconnects by
 *                     │            itself; watches and ephemerals survive)
 *                     │ expired
 *                     v
 *                 EXPIRED ── owner runs the msg: old handle closed, new one
 *                     │       started (zk_session_id() changes)
 *                     v
 *                 CONNECTED again, on_session(ZK_SESSION_NEW): the owner
 *                 re-creates its ephemerals and watches.
 *
 * Watches: one owner callback, on_watch(type, path), as in Kafka's
 * ZooKeeperClient; the owner dispatches by path. A watch is set by passing
 * watch=true to zk_get/zk_exists/zk_children.
 *
 * Thread-safety: zk_open/zk_close and the synchronous helpers on the owner's
 * thread (synchronous helpers are meant for startup); the async calls on the
 * owner's thread; @post on any thread.
 */
#ifndef SAMSA_ZK_H
#define SAMSA_ZK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zookeeper/zookeeper.h>

typedef struct zk zk_t;
typedef struct zk_msg zk_msg_t;

typedef enum zk_session_event {
    ZK_SESSION_EXPIRED = 1, /* the old session is gone with its ephemerals */
    ZK_SESSION_NEW,         /* a new session replaced an expired one */
} zk_session_event_t;

typedef struct zk_config {
    const char *connect; /* host:port[,host:port][/chroot] */
    int32_t session_timeout_ms;
    /* any thread; must only enqueue @msg for zk_msg_run() */
    void (*post)(zk_msg_t *msg, void *ud);
    /* owner thread; may be NULL */
    void (*on_session)(zk_t *zk, zk_session_event_t ev, void *ud);
    /* owner thread; @type is ZOO_CREATED_EVENT, ZOO_DELETED_EVENT,
     * ZOO_CHANGED_EVENT or ZOO_CHILD_EVENT; may be NULL */
    void (*on_watch)(zk_t *zk, int type, const char *path, void *ud);
    void *ud;
} zk_config_t;

/* one operation's outcome inside a multi */
typedef struct zk_op_result {
    int rc;           /* ZOK or a ZooKeeper error */
    struct Stat stat; /* after a set op */
} zk_op_result_t;

/*
 * What a completion sees; valid only during the callback.
 * rc is ZOK or a ZooKeeper error code (ZNONODE, ZNODEEXISTS, ZBADVERSION,
 * ZCONNECTIONLOSS, ZSESSIONEXPIRED, ZCLOSING, ...).
 */
typedef struct zk_result {
    int rc;
    const char *path;     /* the path the call was made on */
    uint64_t session_gen; /* zk_session_gen() when the call was made */
    const char *data;     /* get: the node's bytes (NULL if it has none) */
    int datalen;
    const struct Stat *stat; /* get, exists, set, children: NULL otherwise */
    int nchildren;           /* children */
    char *const *children;
    const char *created_path; /* create (sequential nodes) */
    int nops;                 /* multi */
    const zk_op_result_t *ops;
} zk_result_t;

typedef void (*zk_done_fn)(zk_t *zk, const zk_result_t *res, void *ud);

typedef enum zk_op_kind {
    ZK_OP_CREATE = 1,
    ZK_OP_DELETE,
    ZK_OP_SET,
    ZK_OP_CHECK,
} zk_op_kind_t;

/* one operation of a multi; zk_multi() copies everything */
typedef struct zk_op {
    zk_op_kind_t kind;
    const char *path;
    const char *data; /* create, set; may be NULL */
    int datalen;
    int flags;   /* create: ZOO_EPHEMERAL, ZOO_SEQUENCE */
    int version; /* delete, set, check; -1 matches any */
} zk_op_t;

/*
 * Connects and waits for the session (at most the session timeout), creating
 * the chroot path first if the connect string has one. Returns 0, or ERR_ZK
 * with a message naming the servers in @errbuf.
 */
int zk_open(zk_t **out, const zk_config_t *cfg, char *errbuf, size_t errlen);
/* closes the session at once (ephemerals vanish); pending callbacks are
 * posted with ZCLOSING and later calls fail the same way, so the owner can
 * run what is queued to release its contexts. zk_t stays valid. */
void zk_shutdown(zk_t *zk);
/* zk_shutdown, then frees; the owner must run or discard the messages
 * still queued before this. zk_close(NULL) is a no-op. */
void zk_close(zk_t *zk);

/* owner thread: runs the callback the message carries, then frees it */
void zk_msg_run(zk_msg_t *msg);
/* frees a message without running it (owner shutting down) */
void zk_msg_discard(zk_msg_t *msg);

/* the current session's id (changes after expiry) */
int64_t zk_session_id(zk_t *zk);
/* counts sessions: 1 for the first, +1 after each expiry */
uint64_t zk_session_gen(zk_t *zk);
/* true while the current session is connected */
bool zk_connected(zk_t *zk);
/* the chroot-less connect string's hosts part, for messages */
const char *zk_hosts(zk_t *zk);

/* asynchronous calls (owner thread); @done fires once on the owner thread */
void zk_get(zk_t *zk, const char *path, bool watch, zk_done_fn done, void *ud);
void zk_exists(zk_t *zk, const char *path, bool watch, zk_done_fn done,
               void *ud);
void zk_children(zk_t *zk, const char *path, bool watch, zk_done_fn done,
                 void *ud);
void zk_create(zk_t *zk, const char *path, const char *data, int datalen,
               int flags, zk_done_fn done, void *ud);
void zk_set(zk_t *zk, const char *path, const char *data, int datalen,
            int version, zk_done_fn done, void *ud);
void zk_delete(zk_t *zk, const char *path, int version, zk_done_fn done,
               void *ud);
void zk_multi(zk_t *zk, const zk_op_t *ops, int n, zk_done_fn done, void *ud);

/*
 * Synchronous helpers for startup (block the calling thread; return a
 * ZooKeeper code: ZOK, ZNONODE, ZNODEEXISTS, ...).
 */
/* *data is NUL-terminated and malloc'd (NULL when the node has no data) */
int zk_sync_get(zk_t *zk, const char *path, char **data, int *datalen,
                struct Stat *stat);
int zk_sync_create(zk_t *zk, const char *path, const char *data, int datalen,
                   int flags);
int zk_sync_delete(zk_t *zk, const char *path, int version);
int zk_sync_exists(zk_t *zk, const char *path, struct Stat *stat);
/* creates @path and its missing parents (persistent, empty); ZOK if it
 * exists afterwards */
int zk_sync_ensure_path(zk_t *zk, const char *path);

/* "connection loss", "no node", ... (zerror) */
const char *zk_strerror(int rc);

#endif
