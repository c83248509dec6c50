/*
 * coord.c: the group coordinator thread (see coord.h).
 *
 * Owns: the coordinator's loop and ZooKeeper session, the table of hosted
 * groups (group.c state machines + offstore.c offsets), loading them when
 * this broker becomes controller, every ZooKeeper write for groups (one
 * fenced multi-op per commit, per completed generation, per deletion),
 * offsets retention, and encoding every group API's response.
 * Does not own: the wire framing (src/broker/h_group.c), FindCoordinator
 * (answered from metadata by the broker), the state machine (group.c).
 * Spec: Kafka 2.8 GroupCoordinator / KafkaApis group handlers; classic
 * ZooKeeper offsets path (DESIGN §5).
 *
 * Invariants:
 *   C1 every group change happens on the coordinator thread;
 *   C2 one OffsetCommit = one ZooKeeper multi-op, whose first op checks
 *      /controller_epoch's version as read when the groups were loaded;
 *   C3 a failed write drops every group and reloads them from ZooKeeper,
 *      so memory never shows an offset ZooKeeper does not hold for long,
 *      and committed offsets are never moved back by the coordinator;
 *   C4 every submitted request is answered exactly once.
 */
#include "samsa/coord.h"

#include <ev.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/arena.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/group.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/metacache.h"
#include "samsa/netloop.h"
#include "samsa/offstore.h"
#include "samsa/p_deletegroups.h"
#include "samsa/p_describegroups.h"
#include "samsa/p_heartbeat.h"
#include "samsa/p_joingroup.h"
#include "samsa/p_leavegroup.h"
#include "samsa/p_listgroups.h"
#include "samsa/p_offsetcommit.h"
#include "samsa/p_offsetdelete.h"
#include "samsa/p_offsetfetch.h"
#include "samsa/p_syncgroup.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"
#include "samsa/zk.h"

#define COORD_TICK_S 0.1
#define COORD_RETENTION_CHECK_MS 60000
/* Kafka's offset.metadata.max.bytes */
#define COORD_METADATA_MAX 4096

typedef enum phase {
    PH_INACTIVE = 0,
    PH_LOADING,
    PH_ACTIVE,
    PH_STOPPING,
} phase_t;

typedef struct cgroup {
    struct cgroup *next;
    group_t *g;
    offstore_t os;
    bool node_exists;      /* /samsa/groups/<g> */
    bool consumers_exists; /* /consumers/<g> */
    bool offsets_exists;   /* /consumers/<g>/offsets */
    bool deleting;
    int64_t empty_since_wall_ms;
} cgroup_t;

typedef struct job {
    coord_t *c;
    int16_t key, version;
    uint8_t *body;
    size_t len;
    char *client_id, *client_host;
    coord_reply_t reply;
    arena_t ar;
    union {
        joingroup_req_t join;
        syncgroup_req_t sync;
        heartbeat_req_t hb;
        leavegroup_req_t leave;
        offsetcommit_req_t commit;
        offsetfetch_req_t fetch;
        listgroups_req_t list;
        describegroups_req_t describe;
        deletegroups_req_t del;
        offsetdelete_req_t odel;
    } u;
    int16_t *errs; /* per partition (commit) or group (delete) */
    int pending;
    uint64_t gen;
} job_t;

struct coord {
    coord_config_t conf;
    netloop_t *nl;
    zk_t *zk;
    ev_timer tick;
    phase_t phase;
    uint64_t load_gen;
    int load_pending;
    bool load_failed;
    int32_t epoch_version;
    cgroup_t *groups;
    int64_t last_retention_ms;
    pthread_mutex_t lock; /* with cond: coord_stop's hand-off */
    pthread_cond_t cond;
    bool stopped;
    bool closing; /* coord_stop began: no more posts */
};

static void coord_reset(coord_t *c, int16_t err);

/* ---- jobs and replies ---- */

static void
job_free(job_t *j)
{
    arena_fini(&j->ar);
    free(j->body);
    free(j->client_id);
    free(j->client_host);
    free(j->errs);
    free(j);
}

static kstr_t
cs(const char *s)
{
    kstr_t k = {s, s ? (int32_t)strlen(s) : -1};
    return k;
}

static char *
arena_strdup(arena_t *ar, const char *s)
{
    return arena_strndup(ar, s, strlen(s));
}

static kstr_t
cs_or_empty(const char *s)
{
    return s ? cs(s) : cs("");
}

#define SEND(j, fam, resp)                                                     \
    do {                                                                       \
        kwrite_t *kw_ = (j)->reply.begin((j)->reply.ud);                       \
        p_##fam##_resp_encode(kw_, (j)->version, (resp));                      \
        (j)->reply.finish((j)->reply.ud, kw_);                                 \
        job_free(j);                                                           \
    } while (0)

static void
reply_commit(job_t *j)
{
    offsetcommit_req_t *req = &j->u.commit;
    offsetcommit_resp_t resp = {0};
    int k = 0;

    resp.ntopics = req->ntopics;
    resp.topics =
        arena_calloc(&j->ar, (size_t)(req->ntopics + 1), sizeof(*resp.topics));
    for (int32_t i = 0; i < req->ntopics; i++) {
        offsetcommit_resp_topic_t *t = &resp.topics[i];

        t->name = req->topics[i].name;
        t->npartitions = req->topics[i].npartitions;
        t->partitions = arena_calloc(&j->ar, (size_t)(t->npartitions + 1),
                                     sizeof(*t->partitions));
        for (int32_t p = 0; p < t->npartitions; p++, k++) {
            t->partitions[p].partition_index =
                req->topics[i].partitions[p].partition_index;
            t->partitions[p].error_code = j->errs ? j->errs[k] : 0;
        }
    }
    SEND(j, offsetcommit, &resp);
}

static int
commit_npartitions(const offsetcommit_req_t *req)
{
    int n = 0;

    for (int32_t i = 0; i < req->ntopics; i++)
        n += req->topics[i].npartitions;
    return n;
}

static void
reply_fetch_error(job_t *j, int16_t err)
{
    offsetfetch_req_t *req = &j->u.fetch;
    offsetfetch_resp_t resp = {0};

    resp.error_code = err;
    if (j->version <= 1 && req->ntopics > 0) {
        /* v0-1 have no top-level error: every partition carries it */
        resp.ntopics = req->ntopics;
        resp.topics =
            arena_calloc(&j->ar, (size_t)req->ntopics, sizeof(*resp.topics));
        for (int32_t i = 0; i < req->ntopics; i++) {
            offsetfetch_resp_topic_t *t = &resp.topics[i];

            t->name = req->topics[i].name;
            t->npartitions = req->topics[i].npartition_indexes;
            t->partitions = arena_calloc(&j->ar, (size_t)(t->npartitions + 1),
                                         sizeof(*t->partitions));
            for (int32_t p = 0; p < t->npartitions; p++) {
                t->partitions[p].partition_index =
                    req->topics[i].partition_indexes[p];
                t->partitions[p].committed_offset = -1;
                t->partitions[p].committed_leader_epoch = -1;
                t->partitions[p].metadata = cs("");
                t->partitions[p].error_code = err;
            }
        }
    }
    SEND(j, offsetfetch, &resp);
}

/* answers @j with @err wherever its response carries an error */
static void
reply_error(job_t *j, int16_t err)
{
    switch (j->key) {
    case API_JOIN_GROUP: {
        joingroup_resp_t resp = {0};

        resp.error_code = err;
        resp.generation_id = -1;
        resp.protocol_type = cs(NULL);
        resp.protocol_name = j->version >= 7 ? cs(NULL) : cs("");
        resp.leader = cs("");
        resp.member_id = j->u.join.member_id;
        SEND(j, joingroup, &resp);
        return;
    }
    case API_SYNC_GROUP: {
        syncgroup_resp_t resp = {0};

        resp.error_code = err;
        resp.protocol_type = cs(NULL);
        resp.protocol_name = cs(NULL);
        SEND(j, syncgroup, &resp);
        return;
    }
    case API_HEARTBEAT: {
        heartbeat_resp_t resp = {0, err};

        SEND(j, heartbeat, &resp);
        return;
    }
    case API_LEAVE_GROUP: {
        leavegroup_resp_t resp = {0};

        resp.error_code = err;
        SEND(j, leavegroup, &resp);
        return;
    }
    case API_OFFSET_COMMIT: {
        int n = commit_npartitions(&j->u.commit);

        free(j->errs);
        j->errs = xcalloc((size_t)(n + 1), sizeof(*j->errs));
        for (int i = 0; i < n; i++)
            j->errs[i] = err;
        reply_commit(j);
        return;
    }
    case API_OFFSET_FETCH: reply_fetch_error(j, err); return;
    case API_LIST_GROUPS: {
        listgroups_resp_t resp = {0};

        resp.error_code = err;
        SEND(j, listgroups, &resp);
        return;
    }
    case API_DESCRIBE_GROUPS: {
        describegroups_req_t *req = &j->u.describe;
        describegroups_resp_t resp = {0};

        resp.ngroups = req->ngroups;
        resp.groups = arena_calloc(&j->ar, (size_t)(req->ngroups + 1),
                                   sizeof(*resp.groups));
        for (int32_t i = 0; i < req->ngroups; i++) {
            resp.groups[i].error_code = err;
            resp.groups[i].group_id = req->groups[i];
            resp.groups[i].group_state = cs("");
            resp.groups[i].protocol_type = cs("");
            resp.groups[i].protocol_data = cs("");
            resp.groups[i].authorized_operations = INT32_MIN;
        }
        SEND(j, describegroups, &resp);
        return;
    }
    case API_DELETE_GROUPS: {
        deletegroups_req_t *req = &j->u.del;
        deletegroups_resp_t resp = {0};

        resp.nresults = req->ngroups_names;
        resp.results = arena_calloc(&j->ar, (size_t)(req->ngroups_names + 1),
                                    sizeof(*resp.results));
        for (int32_t i = 0; i < req->ngroups_names; i++) {
            resp.results[i].group_id = req->groups_names[i];
            resp.results[i].error_code = err;
        }
        SEND(j, deletegroups, &resp);
        return;
    }
    case API_OFFSET_DELETE: {
        offsetdelete_resp_t resp = {0};

        resp.error_code = err;
        SEND(j, offsetdelete, &resp);
        return;
    }
    default: {
        /* not a group API: nothing sensible to say; an empty body */
        kwrite_t *kw = j->reply.begin(j->reply.ud);

        j->reply.finish(j->reply.ud, kw);
        job_free(j);
        return;
    }
    }
}

/* ---- group callbacks ---- */

static void
on_join_done(void *waiter, const group_t *g, const group_member_t *m,
             const char *member_id, int16_t err, void *ud)
{
    job_t *j = waiter;
    joingroup_resp_t resp = {0};

    (void)ud;
    resp.error_code = err;
    resp.member_id = cs_or_empty(member_id);
    resp.generation_id = -1;
    resp.protocol_type = cs(NULL);
    resp.protocol_name = j->version >= 7 ? cs(NULL) : cs("");
    resp.leader = cs("");
    if (m != NULL && err == KERR_NONE) {
        resp.generation_id = g->generation_id;
        resp.protocol_type = cs(g->protocol_type);
        resp.protocol_name =
            g->protocol_name ? cs(g->protocol_name) : resp.protocol_name;
        resp.leader = cs_or_empty(g->leader_id);
        if (g->leader_id != NULL && strcmp(g->leader_id, m->member_id) == 0) {
            resp.nmembers = g->nmembers;
            resp.members = arena_calloc(&j->ar, (size_t)g->nmembers + 1,
                                        sizeof(*resp.members));
            for (int32_t i = 0; i < g->nmembers; i++) {
                const group_member_t *x = g->members[i];
                const group_protocol_t *p = group_member_protocol(g, x);
                joingroup_member_t *o = &resp.members[i];

                o->member_id = cs(x->member_id);
                o->group_instance_id = cs(x->instance_id);
                o->metadata.ptr = p ? p->metadata : NULL;
                o->metadata.len = p ? p->metadata_len : 0;
            }
        }
    }
    SEND(j, joingroup, &resp);
}

static void
on_sync_done(void *waiter, const group_t *g, const group_member_t *m,
             int16_t err, void *ud)
{
    job_t *j = waiter;
    syncgroup_resp_t resp = {0};

    (void)ud;
    resp.error_code = err;
    resp.protocol_type = cs(NULL);
    resp.protocol_name = cs(NULL);
    if (m != NULL && err == KERR_NONE) {
        resp.protocol_type = cs(g->protocol_type);
        resp.protocol_name = cs(g->protocol_name);
        resp.assignment.ptr = m->assignment;
        resp.assignment.len = m->assignment_len;
    }
    SEND(j, syncgroup, &resp);
}

static void on_group_changed(group_t *g, void *ud);

static const group_ops_t group_ops = {
    .join_done = on_join_done,
    .sync_done = on_sync_done,
    .changed = on_group_changed,
};

/* ---- the group table ---- */

static cgroup_t *
cg_find(coord_t *c, kstr_t id)
{
    for (cgroup_t *cg = c->groups; cg != NULL; cg = cg->next)
        if (kstr_eq(id, cg->g->group_id))
            return cg;
    return NULL;
}

static cgroup_t *
cg_find_c(coord_t *c, const char *id)
{
    return cg_find(c, cs(id));
}

static cgroup_t *
cg_add(coord_t *c, const char *id)
{
    cgroup_t *cg = xcalloc(1, sizeof(*cg));
    group_config_t gc = {
        .initial_rebalance_delay_ms = c->conf.initial_rebalance_delay_ms,
        .max_size = c->conf.max_size,
        .min_session_timeout_ms = c->conf.min_session_timeout_ms,
        .max_session_timeout_ms = c->conf.max_session_timeout_ms,
    };
    group_ops_t ops = group_ops;

    ops.ud = c;
    cg->g = group_new(id, &gc, &ops, clock_mono_ms());
    offstore_init(&cg->os);
    cg->empty_since_wall_ms = clock_wall_ms();
    cg->next = c->groups;
    c->groups = cg;
    return cg;
}

static void
cg_free(cgroup_t *cg)
{
    group_free(cg->g);
    offstore_fini(&cg->os);
    free(cg);
}

static void
cg_remove(coord_t *c, cgroup_t *cg)
{
    for (cgroup_t **pp = &c->groups; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == cg) {
            *pp = cg->next;
            break;
        }
    }
    cg_free(cg);
}

/* drops every group, answering parked requests with @err */
static void
drop_all(coord_t *c, int16_t err)
{
    while (c->groups != NULL) {
        cgroup_t *cg = c->groups;

        c->groups = cg->next;
        group_shutdown(cg->g, err);
        cg_free(cg);
    }
}

/* ---- ZooKeeper writes (C2) ---- */

typedef struct ops {
    int n, cap;
    zk_op_t *v;
    char **paths;
    char **datas;
} ops_t;

static void
ops_add(ops_t *o, zk_op_kind_t kind, char *path, char *data, int version)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 16;
        o->v = xrealloc(o->v, (size_t)o->cap * sizeof(*o->v));
        o->paths = xrealloc(o->paths, (size_t)o->cap * sizeof(char *));
        o->datas = xrealloc(o->datas, (size_t)o->cap * sizeof(char *));
    }
    memset(&o->v[o->n], 0, sizeof(o->v[o->n]));
    o->v[o->n].kind = kind;
    o->v[o->n].path = path;
    o->v[o->n].data = data;
    o->v[o->n].datalen = data ? (int)strlen(data) : -1;
    o->v[o->n].version = version;
    o->paths[o->n] = path;
    o->datas[o->n] = data;
    o->n++;
}

static void
ops_fini(ops_t *o)
{
    for (int i = 0; i < o->n; i++) {
        free(o->paths[i]);
        free(o->datas[i]);
    }
    free(o->v);
    free(o->paths);
    free(o->datas);
}

static void
ops_fence(coord_t *c, ops_t *o)
{
    ops_add(o, ZK_OP_CHECK, xstrdup("/controller_epoch"), NULL,
            c->epoch_version);
}

static char *
group_node_json(const cgroup_t *cg)
{
    offstore_group_info_t info = {
        .generation = cg->g->generation_id,
        .protocol_type = cg->g->protocol_type,
        .protocol = cg->g->protocol_name,
        .state_timestamp = cg->empty_since_wall_ms,
    };

    return offstore_json_encode(&info, &cg->os);
}

static void
ops_group_node(ops_t *o, cgroup_t *cg)
{
    char *path = xasprintf("/samsa/groups/%s", cg->g->group_id);

    if (cg->node_exists) {
        ops_add(o, ZK_OP_SET, path, group_node_json(cg), -1);
    } else {
        ops_add(o, ZK_OP_CREATE, path, group_node_json(cg), 0);
        cg->node_exists = true;
    }
}

typedef struct wctx {
    coord_t *c;
    uint64_t gen;
    job_t *j;
    char *group;
} wctx_t;

static wctx_t *
wctx_new(coord_t *c, job_t *j, const char *group)
{
    wctx_t *w = xcalloc(1, sizeof(*w));

    w->c = c;
    w->gen = c->load_gen;
    w->j = j;
    w->group = group ? xstrdup(group) : NULL;
    return w;
}

static int16_t
zk_write_error(int rc)
{
    return rc == ZBADVERSION ? KERR_NOT_COORDINATOR
                             : KERR_COORDINATOR_NOT_AVAILABLE;
}

/* a failed write: C3 */
static void
write_failed(coord_t *c, const char *what, int rc)
{
    say_warn("group coordinator: %s failed (%s); reloading groups", what,
             zk_strerror(rc));
    coord_reset(c, zk_write_error(rc));
}

static void
persist_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    wctx_t *w = ud;

    (void)zk;
    if (res->rc != ZOK && w->gen == w->c->load_gen && w->c->phase == PH_ACTIVE)
        write_failed(w->c, "writing a group node", res->rc);
    free(w->group);
    free(w);
}

static void
on_group_changed(group_t *g, void *ud)
{
    coord_t *c = ud;
    cgroup_t *cg = cg_find_c(c, g->group_id);
    ops_t o = {0};

    if (cg == NULL || c->phase != PH_ACTIVE)
        return;
    if (g->state == GROUP_EMPTY)
        cg->empty_since_wall_ms = clock_wall_ms();
    ops_fence(c, &o);
    ops_group_node(&o, cg);
    zk_multi(c->zk, o.v, o.n, persist_done, wctx_new(c, NULL, g->group_id));
    ops_fini(&o);
}

/* ---- OffsetCommit ---- */

static bool
partition_exists(const mc_snapshot_t *snap, kstr_t topic, int32_t p)
{
    const mc_topic_t *t = mc_topic_find(snap, topic.ptr, topic.len);

    return t != NULL && p >= 0 && p < t->npartitions;
}

static void
commit_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    wctx_t *w = ud;
    job_t *j = w->j;
    int n = commit_npartitions(&j->u.commit);

    (void)zk;
    if (res->rc != ZOK) {
        int16_t err = w->gen == w->c->load_gen ? zk_write_error(res->rc)
                                               : KERR_NOT_COORDINATOR;

        for (int i = 0; i < n; i++)
            if (j->errs[i] == KERR_NONE)
                j->errs[i] = err;
        if (w->gen == w->c->load_gen && w->c->phase == PH_ACTIVE)
            write_failed(w->c, "an offset commit", res->rc);
    }
    reply_commit(j);
    free(w->group);
    free(w);
}

static void
handle_commit(coord_t *c, job_t *j)
{
    offsetcommit_req_t *req = &j->u.commit;
    int n = commit_npartitions(req), k = 0, nok = 0;
    cgroup_t *cg = cg_find(c, req->group_id);
    int16_t err = KERR_NONE;
    int64_t now = clock_mono_ms(), wall = clock_wall_ms();
    mc_snapshot_t *snap;
    ops_t o = {0};
    char *gid;

    j->errs = xcalloc((size_t)(n + 1), sizeof(*j->errs));
    if (req->group_id.len <= 0) {
        reply_error(j, KERR_INVALID_GROUP_ID);
        return;
    }
    if (cg == NULL) {
        if (req->generation_id >= 0) {
            reply_error(j, KERR_ILLEGAL_GENERATION);
            return;
        }
        gid = kstr_dup(req->group_id);
        cg = cg_add(c, gid);
        free(gid);
    }
    if (cg->deleting)
        err = KERR_COORDINATOR_NOT_AVAILABLE;
    else
        err = group_commit_check(cg->g, req->generation_id, req->member_id,
                                 req->group_instance_id, now);
    if (err != KERR_NONE) {
        reply_error(j, err);
        return;
    }
    snap = metacache_get();
    ops_fence(c, &o);
    if (!cg->consumers_exists) {
        ops_add(&o, ZK_OP_CREATE, xasprintf("/consumers/%s", cg->g->group_id),
                NULL, 0);
        cg->consumers_exists = true;
    }
    if (!cg->offsets_exists) {
        ops_add(&o, ZK_OP_CREATE,
                xasprintf("/consumers/%s/offsets", cg->g->group_id), NULL, 0);
        cg->offsets_exists = true;
    }
    for (int32_t i = 0; i < req->ntopics; i++) {
        offsetcommit_req_topic_t *t = &req->topics[i];
        char *topic = kstr_dup(t->name);

        for (int32_t p = 0; p < t->npartitions; p++, k++) {
            offsetcommit_req_partition_t *rp = &t->partitions[p];
            offstore_entry_t *e;
            char *meta;

            if (snap == NULL ||
                !partition_exists(snap, t->name, rp->partition_index)) {
                j->errs[k] = KERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
            if (rp->committed_metadata.len > COORD_METADATA_MAX) {
                j->errs[k] = KERR_OFFSET_METADATA_TOO_LARGE;
                continue;
            }
            if (!offstore_topic_exists(&cg->os, topic)) {
                ops_add(&o, ZK_OP_CREATE,
                        xasprintf("/consumers/%s/offsets/%s", cg->g->group_id,
                                  topic),
                        NULL, 0);
                offstore_topic_add(&cg->os, topic);
            }
            e = offstore_get(&cg->os, topic, rp->partition_index);
            /* optimistic: C3 reloads if the multi fails */
            e->offset = rp->committed_offset;
            e->leader_epoch = rp->committed_leader_epoch;
            e->commit_timestamp =
                rp->commit_timestamp >= 0 ? rp->commit_timestamp : wall;
            meta = kstr_dup(rp->committed_metadata);
            offstore_set_metadata(e, meta);
            free(meta);
            ops_add(&o, e->zk_exists ? ZK_OP_SET : ZK_OP_CREATE,
                    xasprintf("/consumers/%s/offsets/%s/%" PRId32,
                              cg->g->group_id, topic, rp->partition_index),
                    xasprintf("%" PRId64, rp->committed_offset),
                    e->zk_exists ? -1 : 0);
            e->zk_exists = true;
            nok++;
        }
        free(topic);
    }
    if (snap != NULL)
        mc_snapshot_put(snap);
    if (nok == 0) {
        ops_fini(&o);
        reply_commit(j);
        return;
    }
    ops_group_node(&o, cg);
    zk_multi(c->zk, o.v, o.n, commit_done, wctx_new(c, j, cg->g->group_id));
    ops_fini(&o);
}

/* ---- OffsetFetch ---- */

static void
handle_fetch(coord_t *c, job_t *j)
{
    offsetfetch_req_t *req = &j->u.fetch;
    cgroup_t *cg = cg_find(c, req->group_id);
    offsetfetch_resp_t resp = {0};

    if (req->ntopics >= 0) {
        resp.ntopics = req->ntopics;
        resp.topics = arena_calloc(&j->ar, (size_t)(req->ntopics + 1),
                                   sizeof(*resp.topics));
        for (int32_t i = 0; i < req->ntopics; i++) {
            offsetfetch_resp_topic_t *t = &resp.topics[i];
            char *topic = kstr_dup(req->topics[i].name);

            t->name = req->topics[i].name;
            t->npartitions = req->topics[i].npartition_indexes;
            t->partitions = arena_calloc(&j->ar, (size_t)(t->npartitions + 1),
                                         sizeof(*t->partitions));
            for (int32_t p = 0; p < t->npartitions; p++) {
                offsetfetch_resp_partition_t *rp = &t->partitions[p];
                offstore_entry_t *e =
                    cg ? offstore_find(&cg->os, topic,
                                       req->topics[i].partition_indexes[p])
                       : NULL;

                rp->partition_index = req->topics[i].partition_indexes[p];
                rp->committed_offset = -1;
                rp->committed_leader_epoch = -1;
                rp->metadata = cs("");
                if (e != NULL && e->offset >= 0) {
                    rp->committed_offset = e->offset;
                    rp->committed_leader_epoch = e->leader_epoch;
                    rp->metadata = e->metadata
                                       ? cs(arena_strdup(&j->ar, e->metadata))
                                       : cs(NULL);
                }
            }
            free(topic);
        }
    } else if (cg != NULL) {
        /* v2+ null topics: every committed partition */
        for (int32_t i = 0; i < cg->os.n; i++) {
            const offstore_entry_t *e = &cg->os.entries[i];
            offsetfetch_resp_topic_t *t = NULL;
            offsetfetch_resp_partition_t *rp;

            if (e->offset < 0)
                continue;
            for (int32_t x = 0; x < resp.ntopics; x++)
                if (kstr_eq(resp.topics[x].name, e->topic))
                    t = &resp.topics[x];
            if (t == NULL) {
                offsetfetch_resp_topic_t *nt =
                    arena_calloc(&j->ar, (size_t)resp.ntopics + 1, sizeof(*nt));

                if (resp.ntopics > 0)
                    memcpy(nt, resp.topics, (size_t)resp.ntopics * sizeof(*nt));
                resp.topics = nt;
                t = &resp.topics[resp.ntopics++];
                t->name = cs(arena_strdup(&j->ar, e->topic));
            }
            {
                offsetfetch_resp_partition_t *np = arena_calloc(
                    &j->ar, (size_t)t->npartitions + 1, sizeof(*np));

                if (t->npartitions > 0)
                    memcpy(np, t->partitions,
                           (size_t)t->npartitions * sizeof(*np));
                t->partitions = np;
            }
            rp = &t->partitions[t->npartitions++];
            rp->partition_index = e->partition;
            rp->committed_offset = e->offset;
            rp->committed_leader_epoch = e->leader_epoch;
            rp->metadata =
                e->metadata ? cs(arena_strdup(&j->ar, e->metadata)) : cs(NULL);
        }
    }
    SEND(j, offsetfetch, &resp);
}

/* ---- membership APIs ---- */

static void
handle_join(coord_t *c, job_t *j)
{
    joingroup_req_t *req = &j->u.join;
    cgroup_t *cg = cg_find(c, req->group_id);
    group_join_req_t jr = {0};
    kstr_t *names;
    kbytes_t *mds;

    if (req->group_id.len <= 0) {
        reply_error(j, KERR_INVALID_GROUP_ID);
        return;
    }
    if (cg == NULL) {
        char *gid;

        if (req->member_id.len > 0) {
            reply_error(j, KERR_UNKNOWN_MEMBER_ID);
            return;
        }
        gid = kstr_dup(req->group_id);
        cg = cg_add(c, gid);
        free(gid);
    }
    if (cg->deleting) {
        reply_error(j, KERR_COORDINATOR_NOT_AVAILABLE);
        return;
    }
    names = arena_calloc(&j->ar, (size_t)req->nprotocols + 1, sizeof(*names));
    mds = arena_calloc(&j->ar, (size_t)req->nprotocols + 1, sizeof(*mds));
    for (int32_t i = 0; i < req->nprotocols; i++) {
        names[i] = req->protocols[i].name;
        mds[i] = req->protocols[i].metadata;
    }
    jr.version = j->version;
    jr.member_id = req->member_id;
    jr.group_instance_id = req->group_instance_id;
    jr.client_id = cs_or_empty(j->client_id);
    jr.client_host = j->client_host;
    jr.session_timeout_ms = req->session_timeout_ms;
    jr.rebalance_timeout_ms = req->rebalance_timeout_ms;
    jr.protocol_type = req->protocol_type;
    jr.nprotocols = req->nprotocols;
    jr.protocol_names = names;
    jr.protocol_metadata = mds;
    group_join(cg->g, &jr, j, clock_mono_ms());
}

static void
handle_sync(coord_t *c, job_t *j)
{
    syncgroup_req_t *req = &j->u.sync;
    cgroup_t *cg = cg_find(c, req->group_id);
    group_sync_req_t sr = {0};
    kstr_t *ids;
    kbytes_t *as;

    if (cg == NULL) {
        reply_error(j, KERR_UNKNOWN_MEMBER_ID);
        return;
    }
    ids = arena_calloc(&j->ar, (size_t)req->nassignments + 1, sizeof(*ids));
    as = arena_calloc(&j->ar, (size_t)req->nassignments + 1, sizeof(*as));
    for (int32_t i = 0; i < req->nassignments; i++) {
        ids[i] = req->assignments[i].member_id;
        as[i] = req->assignments[i].assignment;
    }
    sr.version = j->version;
    sr.generation_id = req->generation_id;
    sr.member_id = req->member_id;
    sr.group_instance_id = req->group_instance_id;
    sr.protocol_type = req->protocol_type;
    sr.protocol_name = req->protocol_name;
    sr.nassignments = req->nassignments;
    sr.assign_members = ids;
    sr.assignments = as;
    group_sync(cg->g, &sr, j, clock_mono_ms());
}

static void
handle_heartbeat(coord_t *c, job_t *j)
{
    heartbeat_req_t *req = &j->u.hb;
    cgroup_t *cg = cg_find(c, req->group_id);
    heartbeat_resp_t resp = {0};

    resp.error_code =
        cg == NULL ? KERR_UNKNOWN_MEMBER_ID
                   : group_heartbeat(cg->g, req->generation_id, req->member_id,
                                     req->group_instance_id, clock_mono_ms());
    SEND(j, heartbeat, &resp);
}

static void
handle_leave(coord_t *c, job_t *j)
{
    leavegroup_req_t *req = &j->u.leave;
    cgroup_t *cg = cg_find(c, req->group_id);
    leavegroup_resp_t resp = {0};
    int64_t now = clock_mono_ms();

    if (j->version <= 2) {
        resp.error_code =
            cg == NULL ? KERR_UNKNOWN_MEMBER_ID
                       : group_leave(cg->g, req->member_id, cs(NULL), now);
        SEND(j, leavegroup, &resp);
        return;
    }
    resp.nmembers = req->nmembers;
    resp.members =
        arena_calloc(&j->ar, (size_t)req->nmembers + 1, sizeof(*resp.members));
    for (int32_t i = 0; i < req->nmembers; i++) {
        leavegroup_member_t *m = &resp.members[i];

        *m = req->members[i];
        m->error_code = cg == NULL ? KERR_UNKNOWN_MEMBER_ID
                                   : group_leave(cg->g, m->member_id,
                                                 m->group_instance_id, now);
    }
    SEND(j, leavegroup, &resp);
}

/* ---- ListGroups, DescribeGroups, DeleteGroups ---- */

static bool
state_matches(const listgroups_req_t *req, const char *state)
{
    if (req->nstates_filter <= 0)
        return true;
    for (int32_t i = 0; i < req->nstates_filter; i++)
        if (req->states_filter[i].len == (int32_t)strlen(state) &&
            strncasecmp(req->states_filter[i].ptr, state,
                        (size_t)req->states_filter[i].len) == 0)
            return true;
    return false;
}

static void
handle_list(coord_t *c, job_t *j)
{
    listgroups_resp_t resp = {0};
    int32_t n = 0;

    for (cgroup_t *cg = c->groups; cg != NULL; cg = cg->next)
        n++;
    resp.groups = arena_calloc(&j->ar, (size_t)n + 1, sizeof(*resp.groups));
    for (cgroup_t *cg = c->groups; cg != NULL; cg = cg->next) {
        const char *state = group_state_name(cg->g->state);

        if (cg->deleting || !state_matches(&j->u.list, state))
            continue;
        resp.groups[resp.ngroups].group_id = cs(cg->g->group_id);
        resp.groups[resp.ngroups].protocol_type =
            cs_or_empty(cg->g->protocol_type);
        resp.groups[resp.ngroups].group_state = cs(state);
        resp.ngroups++;
    }
    SEND(j, listgroups, &resp);
}

static void
handle_describe(coord_t *c, job_t *j)
{
    describegroups_req_t *req = &j->u.describe;
    describegroups_resp_t resp = {0};

    resp.ngroups = req->ngroups;
    resp.groups =
        arena_calloc(&j->ar, (size_t)req->ngroups + 1, sizeof(*resp.groups));
    for (int32_t i = 0; i < req->ngroups; i++) {
        describegroups_group_t *o = &resp.groups[i];
        cgroup_t *cg = cg_find(c, req->groups[i]);
        const group_t *g;
        bool stable;

        o->group_id = req->groups[i];
        o->authorized_operations = INT32_MIN;
        o->protocol_type = cs("");
        o->protocol_data = cs("");
        if (cg == NULL || cg->deleting) {
            o->group_state = cs("Dead");
            continue;
        }
        g = cg->g;
        stable = g->state == GROUP_STABLE;
        o->group_state = cs(group_state_name(g->state));
        o->protocol_type = cs_or_empty(g->protocol_type);
        o->protocol_data = stable ? cs_or_empty(g->protocol_name) : cs("");
        o->nmembers = g->nmembers;
        o->members =
            arena_calloc(&j->ar, (size_t)g->nmembers + 1, sizeof(*o->members));
        for (int32_t k = 0; k < g->nmembers; k++) {
            const group_member_t *m = g->members[k];
            describegroups_member_t *om = &o->members[k];
            const group_protocol_t *p = group_member_protocol(g, m);

            om->member_id = cs(m->member_id);
            om->group_instance_id = cs(m->instance_id);
            om->client_id = cs_or_empty(m->client_id);
            om->client_host = cs_or_empty(m->client_host);
            if (stable && p != NULL) {
                om->member_metadata.ptr = p->metadata;
                om->member_metadata.len = p->metadata_len;
                om->member_assignment.ptr = m->assignment;
                om->member_assignment.len = m->assignment_len;
            }
        }
    }
    SEND(j, describegroups, &resp);
}

/* every node of a group, children first, in one multi */
static void
ops_delete_group(ops_t *o, cgroup_t *cg)
{
    const char *gid = cg->g->group_id;

    for (int32_t i = 0; i < cg->os.n; i++)
        if (cg->os.entries[i].zk_exists)
            ops_add(o, ZK_OP_DELETE,
                    xasprintf("/consumers/%s/offsets/%s/%" PRId32, gid,
                              cg->os.entries[i].topic,
                              cg->os.entries[i].partition),
                    NULL, -1);
    for (int32_t i = 0; i < cg->os.ntopics; i++)
        ops_add(o, ZK_OP_DELETE,
                xasprintf("/consumers/%s/offsets/%s", gid, cg->os.topics[i]),
                NULL, -1);
    if (cg->offsets_exists)
        ops_add(o, ZK_OP_DELETE, xasprintf("/consumers/%s/offsets", gid), NULL,
                -1);
    if (cg->consumers_exists)
        ops_add(o, ZK_OP_DELETE, xasprintf("/consumers/%s", gid), NULL, -1);
    if (cg->node_exists)
        ops_add(o, ZK_OP_DELETE, xasprintf("/samsa/groups/%s", gid), NULL, -1);
}

typedef struct dctx {
    wctx_t w;
    int index; /* in the DeleteGroups request, -1: retention */
} dctx_t;

static void
delete_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    dctx_t *d = ud;
    coord_t *c = d->w.c;
    job_t *j = d->w.j;
    bool current = d->w.gen == c->load_gen && c->phase == PH_ACTIVE;

    (void)zk;
    if (current && d->w.group != NULL) {
        cgroup_t *cg = cg_find_c(c, d->w.group);

        if (res->rc == ZOK && cg != NULL)
            cg_remove(c, cg);
        else if (res->rc != ZOK)
            write_failed(c, "deleting a group", res->rc);
    }
    if (j != NULL) {
        if (res->rc != ZOK)
            j->errs[d->index] =
                current ? zk_write_error(res->rc) : KERR_NOT_COORDINATOR;
        if (--j->pending == 0) {
            deletegroups_resp_t resp = {0};

            resp.nresults = j->u.del.ngroups_names;
            resp.results = arena_calloc(&j->ar, (size_t)resp.nresults + 1,
                                        sizeof(*resp.results));
            for (int32_t i = 0; i < resp.nresults; i++) {
                resp.results[i].group_id = j->u.del.groups_names[i];
                resp.results[i].error_code = j->errs[i];
            }
            SEND(j, deletegroups, &resp);
        }
    }
    free(d->w.group);
    free(d);
}

/* starts deleting @cg's nodes; @j (may be NULL) learns through delete_done */
static void
delete_group(coord_t *c, cgroup_t *cg, job_t *j, int index)
{
    dctx_t *d = xcalloc(1, sizeof(*d));
    ops_t o = {0};

    d->w.c = c;
    d->w.gen = c->load_gen;
    d->w.j = j;
    d->w.group = xstrdup(cg->g->group_id);
    d->index = index;
    cg->deleting = true;
    group_shutdown(cg->g, KERR_COORDINATOR_NOT_AVAILABLE);
    ops_fence(c, &o);
    ops_delete_group(&o, cg);
    if (j != NULL)
        j->pending++;
    zk_multi(c->zk, o.v, o.n, delete_done, d);
    ops_fini(&o);
}

static void
handle_delete(coord_t *c, job_t *j)
{
    deletegroups_req_t *req = &j->u.del;

    j->errs = xcalloc((size_t)req->ngroups_names + 1, sizeof(*j->errs));
    j->pending = 1; /* held until every group is started */
    for (int32_t i = 0; i < req->ngroups_names; i++) {
        cgroup_t *cg = cg_find(c, req->groups_names[i]);

        if (cg == NULL || cg->deleting || cg->g->state == GROUP_DEAD)
            j->errs[i] = KERR_GROUP_ID_NOT_FOUND;
        else if (cg->g->state != GROUP_EMPTY)
            j->errs[i] = KERR_NON_EMPTY_GROUP;
        else
            delete_group(c, cg, j, i);
    }
    {
        /* drop the hold: a fake completion of nothing */
        zk_result_t none = {0};
        dctx_t *d = xcalloc(1, sizeof(*d));

        none.rc = ZOK;
        d->w.c = c;
        d->w.gen = 0; /* never current: touches no group */
        d->w.j = j;
        d->index = 0;
        delete_done(c->zk, &none, d);
    }
}

/* ---- OffsetDelete (KIP-496) ---- */

/* does the consumer-protocol subscription @md (ConsumerProtocol
 * Subscription: int16 version, [string] topics, ...) name @topic? */
static bool
subscription_has(const uint8_t *md, int32_t len, kstr_t topic)
{
    kread_t kr;
    int32_t n;

    if (md == NULL || len < 6)
        return false;
    kread_init(&kr, md, (size_t)len);
    (void)kread_i16(&kr);
    n = kread_i32(&kr);
    for (int32_t i = 0; i < n && !kr.err; i++) {
        kstr_t t = kread_str(&kr, false);

        if (!kr.err && t.len == topic.len && t.len >= 0 &&
            memcmp(t.ptr, topic.ptr, (size_t)t.len) == 0)
            return true;
    }
    return false;
}

/* Kafka's isSubscribedToTopic, conservatively: any member's metadata for
 * the selected protocol (every protocol while none is selected) */
static bool
group_subscribed(const group_t *g, kstr_t topic)
{
    for (int32_t i = 0; i < g->nmembers; i++) {
        const group_member_t *m = g->members[i];
        const group_protocol_t *sel = group_member_protocol(g, m);

        if (sel != NULL) {
            if (subscription_has(sel->metadata, sel->metadata_len, topic))
                return true;
            continue;
        }
        for (int32_t k = 0; k < m->nprotocols; k++)
            if (subscription_has(m->protocols[k].metadata,
                                 m->protocols[k].metadata_len, topic))
                return true;
    }
    return false;
}

static void
offset_delete_reply(job_t *j)
{
    offsetdelete_req_t *req = &j->u.odel;
    offsetdelete_resp_t resp = {0};
    int k = 0;

    resp.ntopics = req->ntopics;
    resp.topics =
        arena_calloc(&j->ar, (size_t)req->ntopics + 1, sizeof(*resp.topics));
    for (int32_t i = 0; i < req->ntopics; i++) {
        offsetdelete_topic_t *t = &resp.topics[i];

        t->name = req->topics[i].name;
        t->npartitions = req->topics[i].npartitions;
        t->partitions = arena_calloc(&j->ar, (size_t)t->npartitions + 1,
                                     sizeof(*t->partitions));
        for (int32_t p = 0; p < t->npartitions; p++, k++) {
            t->partitions[p].partition_index =
                req->topics[i].partitions[p].partition_index;
            t->partitions[p].error_code = j->errs[k];
        }
    }
    SEND(j, offsetdelete, &resp);
}

static void
offset_delete_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    wctx_t *w = ud;
    job_t *j = w->j;

    (void)zk;
    if (res->rc != ZOK) {
        int16_t err = w->gen == w->c->load_gen ? zk_write_error(res->rc)
                                               : KERR_NOT_COORDINATOR;

        for (int i = 0; i < j->pending; i++)
            if (j->errs[i] == KERR_NONE)
                j->errs[i] = err;
        if (w->gen == w->c->load_gen && w->c->phase == PH_ACTIVE)
            write_failed(w->c, "an offset deletion", res->rc);
    }
    offset_delete_reply(j);
    free(w->group);
    free(w);
}

/* Kafka 2.8 GroupCoordinator.handleDeleteOffsets: an Empty group loses
 * any offsets; a live consumer group only those of topics no member
 * subscribes to (GROUP_SUBSCRIBED_TO_TOPIC); another live group:
 * NON_EMPTY_GROUP. The offset nodes go in one fenced multi (C2). */
static void
handle_offset_delete(coord_t *c, job_t *j)
{
    offsetdelete_req_t *req = &j->u.odel;
    cgroup_t *cg = cg_find(c, req->group_id);
    int n = 0, k = 0, ndel = 0;
    bool consumer;
    mc_snapshot_t *snap;
    ops_t o = {0};

    if (req->group_id.len <= 0) {
        reply_error(j, KERR_INVALID_GROUP_ID);
        return;
    }
    if (cg == NULL || cg->deleting || cg->g->state == GROUP_DEAD) {
        reply_error(j, KERR_GROUP_ID_NOT_FOUND);
        return;
    }
    consumer = cg->g->protocol_type != NULL &&
               strcmp(cg->g->protocol_type, "consumer") == 0;
    if (cg->g->state != GROUP_EMPTY && !consumer) {
        reply_error(j, KERR_NON_EMPTY_GROUP);
        return;
    }
    for (int32_t i = 0; i < req->ntopics; i++)
        n += req->topics[i].npartitions;
    j->errs = xcalloc((size_t)n + 1, sizeof(*j->errs));
    j->pending = n;
    snap = metacache_get();
    ops_fence(c, &o);
    for (int32_t i = 0; i < req->ntopics; i++) {
        offsetdelete_topic_t *t = &req->topics[i];
        bool subscribed =
            cg->g->state != GROUP_EMPTY && group_subscribed(cg->g, t->name);
        char *topic = kstr_dup(t->name);

        for (int32_t p = 0; p < t->npartitions; p++, k++) {
            int32_t part = t->partitions[p].partition_index;
            offstore_entry_t *e;

            if (snap == NULL || !partition_exists(snap, t->name, part)) {
                j->errs[k] = KERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
            if (subscribed) {
                j->errs[k] = KERR_GROUP_SUBSCRIBED_TO_TOPIC;
                continue;
            }
            e = offstore_find(&cg->os, topic, part);
            if (e == NULL)
                continue;
            if (e->zk_exists) {
                ops_add(&o, ZK_OP_DELETE,
                        xasprintf("/consumers/%s/offsets/%s/%" PRId32,
                                  cg->g->group_id, topic, part),
                        NULL, -1);
                ndel++;
            }
            offstore_remove(&cg->os, topic, part);
        }
        /* the topic's node goes with its last partition */
        if (offstore_topic_exists(&cg->os, topic)) {
            bool left = false;

            for (int32_t x = 0; x < cg->os.n && !left; x++)
                left = strcmp(cg->os.entries[x].topic, topic) == 0;
            if (!left) {
                ops_add(&o, ZK_OP_DELETE,
                        xasprintf("/consumers/%s/offsets/%s", cg->g->group_id,
                                  topic),
                        NULL, -1);
                offstore_topic_remove(&cg->os, topic);
                ndel++;
            }
        }
        free(topic);
    }
    if (snap != NULL)
        mc_snapshot_put(snap);
    if (ndel == 0) {
        ops_fini(&o);
        offset_delete_reply(j);
        return;
    }
    if (cg->node_exists)
        ops_group_node(&o, cg);
    zk_multi(c->zk, o.v, o.n, offset_delete_done,
             wctx_new(c, j, cg->g->group_id));
    ops_fini(&o);
}

/* ---- loading (on becoming controller) ---- */

typedef struct lctx {
    coord_t *c;
    uint64_t gen;
    char *group;
    char *topic;
} lctx_t;

static lctx_t *
lctx_new(coord_t *c, const char *group, const char *topic)
{
    lctx_t *l = xcalloc(1, sizeof(*l));

    l->c = c;
    l->gen = c->load_gen;
    l->group = group ? xstrdup(group) : NULL;
    l->topic = topic ? xstrdup(topic) : NULL;
    return l;
}

static void
lctx_free(lctx_t *l)
{
    free(l->group);
    free(l->topic);
    free(l);
}

/* one load step finished; false if the load is stale */
static bool
load_step(lctx_t *l, int rc, bool nonode_ok)
{
    coord_t *c = l->c;

    if (l->gen != c->load_gen || c->phase != PH_LOADING)
        return false;
    if (rc != ZOK && !(nonode_ok && rc == ZNONODE)) {
        say_warn("group coordinator: loading %s failed (%s)",
                 l->group ? l->group : "groups", zk_strerror(rc));
        c->load_failed = true;
    }
    return true;
}

static void
load_settle(coord_t *c)
{
    if (--c->load_pending > 0)
        return;
    if (c->load_failed) {
        drop_all(c, KERR_COORDINATOR_LOAD_IN_PROGRESS);
        c->phase = PH_INACTIVE; /* the tick retries */
        return;
    }
    c->phase = PH_ACTIVE;
    {
        int n = 0;

        for (cgroup_t *cg = c->groups; cg != NULL; cg = cg->next)
            n++;
        say_info("group coordinator: active, %d group(s) loaded", n);
    }
}

static cgroup_t *
cg_ensure(coord_t *c, const char *id)
{
    cgroup_t *cg = cg_find_c(c, id);

    return cg ? cg : cg_add(c, id);
}

static void
load_offset_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    lctx_t *l = ud;
    coord_t *c = l->c;

    (void)zk;
    if (load_step(l, res->rc, true)) {
        if (res->rc == ZOK) {
            const char *p = strrchr(res->path, '/');
            int64_t off;
            cgroup_t *cg = cg_ensure(c, l->group);

            if (p != NULL && res->data != NULL &&
                offstore_parse_offset(res->data, (size_t)res->datalen, &off) ==
                    0) {
                offstore_entry_t *e =
                    offstore_get(&cg->os, l->topic, (int32_t)atoi(p + 1));

                e->offset = off;
                e->zk_exists = true;
            } else {
                say_warn("group coordinator: %s is not a decimal offset; "
                         "ignored",
                         res->path);
                if (p != NULL)
                    offstore_get(&cg->os, l->topic, (int32_t)atoi(p + 1))
                        ->zk_exists = true;
            }
        }
        load_settle(c);
    }
    lctx_free(l);
}

static bool
is_partition_name(const char *s)
{
    if (*s == 0 || strlen(s) > 9)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static void
load_topic_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    lctx_t *l = ud;
    coord_t *c = l->c;

    if (load_step(l, res->rc, true)) {
        for (int i = 0; res->rc == ZOK && i < res->nchildren; i++) {
            char *path;

            if (!is_partition_name(res->children[i]))
                continue;
            path = xasprintf("/consumers/%s/offsets/%s/%s", l->group, l->topic,
                             res->children[i]);
            c->load_pending++;
            zk_get(zk, path, false, load_offset_done,
                   lctx_new(c, l->group, l->topic));
            free(path);
        }
        load_settle(c);
    }
    lctx_free(l);
}

static void
load_offsets_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    lctx_t *l = ud;
    coord_t *c = l->c;

    if (load_step(l, res->rc, true)) {
        cgroup_t *cg = cg_ensure(c, l->group);

        cg->offsets_exists = res->rc == ZOK;
        for (int i = 0; res->rc == ZOK && i < res->nchildren; i++) {
            char *path = xasprintf("/consumers/%s/offsets/%s", l->group,
                                   res->children[i]);

            offstore_topic_add(&cg->os, res->children[i]);
            c->load_pending++;
            zk_children(zk, path, false, load_topic_done,
                        lctx_new(c, l->group, res->children[i]));
            free(path);
        }
        load_settle(c);
    }
    lctx_free(l);
}

static void
load_node_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    lctx_t *l = ud;
    coord_t *c = l->c;

    (void)zk;
    if (load_step(l, res->rc, true)) {
        cgroup_t *cg = cg_ensure(c, l->group);

        cg->node_exists = res->rc == ZOK;
        if (res->rc == ZOK && res->data != NULL) {
            offstore_group_info_t info;
            char err[128];

            if (offstore_json_decode(res->data, (size_t)res->datalen, &info,
                                     &cg->os, err, sizeof(err)) == 0) {
                cg->g->generation_id = info.generation;
                if (info.state_timestamp > 0)
                    cg->empty_since_wall_ms = info.state_timestamp;
            } else {
                say_warn("group coordinator: %s: %s; ignored", res->path, err);
            }
            offstore_group_info_fini(&info);
        }
        load_settle(c);
    }
    lctx_free(l);
}

static void
load_consumers_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    lctx_t *l = ud;
    coord_t *c = l->c;

    if (load_step(l, res->rc, true)) {
        for (int i = 0; res->rc == ZOK && i < res->nchildren; i++) {
            char *path = xasprintf("/consumers/%s/offsets", res->children[i]);

            cg_ensure(c, res->children[i])->consumers_exists = true;
            c->load_pending++;
            zk_children(zk, path, false, load_offsets_done,
                        lctx_new(c, res->children[i], NULL));
            free(path);
        }
        load_settle(c);
    }
    lctx_free(l);
}

static void
load_groups_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    lctx_t *l = ud;
    coord_t *c = l->c;

    if (load_step(l, res->rc, true)) {
        for (int i = 0; res->rc == ZOK && i < res->nchildren; i++) {
            char *path = xasprintf("/samsa/groups/%s", res->children[i]);

            cg_ensure(c, res->children[i]);
            c->load_pending++;
            zk_get(zk, path, false, load_node_done,
                   lctx_new(c, res->children[i], NULL));
            free(path);
        }
        load_settle(c);
    }
    lctx_free(l);
}

static void
load_epoch_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    lctx_t *l = ud;
    coord_t *c = l->c;

    if (load_step(l, res->rc, false)) {
        if (res->rc == ZOK && res->stat != NULL) {
            c->epoch_version = res->stat->version;
            c->load_pending += 2;
            zk_children(zk, "/consumers", false, load_consumers_done,
                        lctx_new(c, NULL, NULL));
            zk_children(zk, "/samsa/groups", false, load_groups_done,
                        lctx_new(c, NULL, NULL));
        }
        load_settle(c);
    }
    lctx_free(l);
}

static void
start_load(coord_t *c)
{
    drop_all(c, KERR_NOT_COORDINATOR);
    c->load_gen++;
    c->phase = PH_LOADING;
    c->load_failed = false;
    c->load_pending = 1;
    zk_get(c->zk, "/controller_epoch", false, load_epoch_done,
           lctx_new(c, NULL, NULL));
}

/* C3: drop everything; the tick reloads while we are controller */
static void
coord_reset(coord_t *c, int16_t err)
{
    drop_all(c, err);
    c->load_gen++;
    c->phase = PH_INACTIVE;
}

/* ---- the loop ---- */

static void
retention(coord_t *c, int64_t wall)
{
    cgroup_t *next;

    for (cgroup_t *cg = c->groups; cg != NULL; cg = next) {
        next = cg->next;
        if (cg->deleting || cg->g->state != GROUP_EMPTY ||
            cg->empty_since_wall_ms + c->conf.offsets_retention_ms > wall)
            continue;
        say_info("group coordinator: group %s empty since %" PRId64
                 " ms: deleting its offsets (offsets.retention.minutes)",
                 cg->g->group_id, wall - cg->empty_since_wall_ms);
        delete_group(c, cg, NULL, -1);
    }
}

static void
on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
    coord_t *c = w->data;
    bool is = ctl_is_controller(c->conf.ctl);
    int64_t now = clock_mono_ms();

    (void)loop;
    (void)revents;
    if (c->phase == PH_STOPPING)
        return;
    if (!is && c->phase != PH_INACTIVE) {
        say_info("group coordinator: no longer controller; groups dropped");
        coord_reset(c, KERR_NOT_COORDINATOR);
        return;
    }
    if (is && c->phase == PH_INACTIVE) {
        start_load(c);
        return;
    }
    if (c->phase != PH_ACTIVE)
        return;
    for (cgroup_t *cg = c->groups; cg != NULL; cg = cg->next)
        if (!cg->deleting)
            group_tick(cg->g, now);
    if (now - c->last_retention_ms >= COORD_RETENTION_CHECK_MS) {
        c->last_retention_ms = now;
        retention(c, clock_wall_ms());
    }
}

static int
job_decode(job_t *j)
{
    kread_t kr;

    kread_init(&kr, j->body, j->len);
    switch (j->key) {
    case API_JOIN_GROUP:
        return p_joingroup_req_decode(&kr, j->version, &j->ar, &j->u.join);
    case API_SYNC_GROUP:
        return p_syncgroup_req_decode(&kr, j->version, &j->ar, &j->u.sync);
    case API_HEARTBEAT:
        return p_heartbeat_req_decode(&kr, j->version, &j->ar, &j->u.hb);
    case API_LEAVE_GROUP:
        return p_leavegroup_req_decode(&kr, j->version, &j->ar, &j->u.leave);
    case API_OFFSET_COMMIT:
        return p_offsetcommit_req_decode(&kr, j->version, &j->ar, &j->u.commit);
    case API_OFFSET_FETCH:
        return p_offsetfetch_req_decode(&kr, j->version, &j->ar, &j->u.fetch);
    case API_LIST_GROUPS:
        return p_listgroups_req_decode(&kr, j->version, &j->ar, &j->u.list);
    case API_DESCRIBE_GROUPS:
        return p_describegroups_req_decode(&kr, j->version, &j->ar,
                                           &j->u.describe);
    case API_DELETE_GROUPS:
        return p_deletegroups_req_decode(&kr, j->version, &j->ar, &j->u.del);
    case API_OFFSET_DELETE:
        return p_offsetdelete_req_decode(&kr, j->version, &j->ar, &j->u.odel);
    default: return ERR_PROTO;
    }
}

static void
job_run(void *arg)
{
    job_t *j = arg;
    coord_t *c = j->c;

    if (job_decode(j) != 0) {
        /* the IO loop validated it: cannot happen; answer anyway (C4) */
        memset(&j->u, 0, sizeof(j->u));
        reply_error(j, KERR_INVALID_REQUEST);
        return;
    }
    if (c == NULL || c->phase == PH_STOPPING) {
        reply_error(j, KERR_NOT_COORDINATOR);
        return;
    }
    if (c->phase != PH_ACTIVE) {
        if (!ctl_is_controller(c->conf.ctl)) {
            reply_error(j, KERR_NOT_COORDINATOR);
            return;
        }
        if (c->phase == PH_INACTIVE)
            start_load(c);
        reply_error(j, KERR_COORDINATOR_LOAD_IN_PROGRESS);
        return;
    }
    switch (j->key) {
    case API_JOIN_GROUP: handle_join(c, j); break;
    case API_SYNC_GROUP: handle_sync(c, j); break;
    case API_HEARTBEAT: handle_heartbeat(c, j); break;
    case API_LEAVE_GROUP: handle_leave(c, j); break;
    case API_OFFSET_COMMIT: handle_commit(c, j); break;
    case API_OFFSET_FETCH: handle_fetch(c, j); break;
    case API_LIST_GROUPS: handle_list(c, j); break;
    case API_DESCRIBE_GROUPS: handle_describe(c, j); break;
    case API_DELETE_GROUPS: handle_delete(c, j); break;
    case API_OFFSET_DELETE: handle_offset_delete(c, j); break;
    default: reply_error(j, KERR_INVALID_REQUEST); break;
    }
}

void
coord_submit(coord_t *c, int16_t api_key, int16_t version, const uint8_t *body,
             size_t len, const char *client_id, const char *client_host,
             const coord_reply_t *reply)
{
    job_t *j = xcalloc(1, sizeof(*j));

    j->c = c;
    j->key = api_key;
    j->version = version;
    j->body = xmalloc(len ? len : 1);
    if (len)
        memcpy(j->body, body, len);
    j->len = len;
    j->client_id = xstrdup(client_id ? client_id : "");
    j->client_host = xstrdup(client_host ? client_host : "");
    j->reply = *reply;
    arena_init(&j->ar);
    if (c != NULL) {
        pthread_mutex_lock(&c->lock);
        if (!c->closing) {
            netloop_post(c->nl, job_run, j);
            j = NULL;
        }
        pthread_mutex_unlock(&c->lock);
    }
    if (j != NULL) {
        /* stopped or absent: NOT_COORDINATOR, here and now */
        j->c = NULL;
        job_run(j);
    }
}

/* ---- ZooKeeper glue ---- */

static void
zk_msg_runner(void *arg)
{
    zk_msg_run(arg);
}

static void
zk_post(zk_msg_t *msg, void *ud)
{
    coord_t *c = ud;

    netloop_post(c->nl, zk_msg_runner, msg);
}

static void
on_zk_session(zk_t *zk, zk_session_event_t ev, void *ud)
{
    coord_t *c = ud;

    (void)zk;
    if (ev == ZK_SESSION_EXPIRED && c->phase != PH_STOPPING &&
        c->phase != PH_INACTIVE) {
        say_warn("group coordinator: ZooKeeper session expired; reloading");
        coord_reset(c, KERR_NOT_COORDINATOR);
    }
}

static void
start_tick(void *arg)
{
    coord_t *c = arg;

    ev_timer_init(&c->tick, on_tick, COORD_TICK_S, COORD_TICK_S);
    c->tick.data = c;
    ev_timer_start(netloop_ev(c->nl), &c->tick);
}

int
coord_start(coord_t **out, const coord_config_t *cfg, char *errbuf,
            size_t errlen)
{
    coord_t *c = xcalloc(1, sizeof(*c));
    zk_config_t zc = {
        .connect = cfg->zk_connect,
        .session_timeout_ms = cfg->zk_session_timeout_ms,
        .post = zk_post,
        .on_session = on_zk_session,
        .ud = c,
    };
    int rc;

    *out = NULL;
    c->conf = *cfg;
    c->nl = netloop_new();
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    if (zk_open(&c->zk, &zc, errbuf, errlen) != 0) {
        netloop_free(c->nl);
        pthread_mutex_destroy(&c->lock);
        pthread_cond_destroy(&c->cond);
        free(c);
        return ERR_ZK;
    }
    if ((rc = zk_sync_ensure_path(c->zk, "/consumers")) != ZOK ||
        (rc = zk_sync_ensure_path(c->zk, "/samsa/groups")) != ZOK) {
        snprintf(errbuf, errlen, "cannot create the group paths: %s",
                 zk_strerror(rc));
        zk_close(c->zk);
        netloop_free(c->nl);
        pthread_mutex_destroy(&c->lock);
        pthread_cond_destroy(&c->cond);
        free(c);
        return ERR_ZK;
    }
    if (netloop_start(c->nl, "group") != 0) {
        snprintf(errbuf, errlen, "cannot start the group coordinator thread");
        zk_close(c->zk);
        netloop_free(c->nl);
        pthread_mutex_destroy(&c->lock);
        pthread_cond_destroy(&c->cond);
        free(c);
        return ERR_IO;
    }
    netloop_post(c->nl, start_tick, c);
    *out = c;
    return 0;
}

static void
stop_on_loop(void *arg)
{
    coord_t *c = arg;

    c->phase = PH_STOPPING;
    ev_timer_stop(netloop_ev(c->nl), &c->tick);
    drop_all(c, KERR_NOT_COORDINATOR);
    c->load_gen++;
    /* writes in flight complete with ZCLOSING, posted to this loop */
    zk_shutdown(c->zk);
    pthread_mutex_lock(&c->lock);
    c->stopped = true;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

void
coord_stop(coord_t *c)
{
    if (c == NULL || c->nl == NULL)
        return;
    pthread_mutex_lock(&c->lock);
    c->closing = true;
    pthread_mutex_unlock(&c->lock);
    netloop_post(c->nl, stop_on_loop, c);
    pthread_mutex_lock(&c->lock);
    while (!c->stopped)
        pthread_cond_wait(&c->cond, &c->lock);
    pthread_mutex_unlock(&c->lock);
    netloop_stop(c->nl);
    netloop_free(c->nl);
    c->nl = NULL;
    zk_close(c->zk);
    c->zk = NULL;
}

void
coord_free(coord_t *c)
{
    if (c == NULL)
        return;
    coord_stop(c);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->cond);
    free(c);
}
