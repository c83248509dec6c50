/*
 * group.c: one group's membership state machine (see group.h for the
 * diagram and the transition list).
 *
 * Owns: members, generation, protocol selection, leader choice, join and
 * sync parking, session and rebalance deadlines. Does not own offsets
 * (offstore.c), persistence or replies on the wire (coord.c).
 * Spec: Kafka 2.8 GroupCoordinator.scala / GroupMetadata.scala semantics;
 * KIP-394, KIP-345, KIP-389, KIP-134.
 */
#include "samsa/group.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "samsa/kerr.h"
#include "samsa/xmalloc.h"

/* Kafka's group.new.member.join.timeout.ms (KIP-394 pending members) and
 * the time a new dynamic member gets before its first heartbeat: 5 min */
#define GROUP_NEW_MEMBER_JOIN_TIMEOUT_MS 300000

static const char *const state_names[] = {
    "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead",
};

const char *
group_state_name(group_state_t state)
{
    return (unsigned)state <= GROUP_DEAD ? state_names[state] : "Unknown";
}

group_t *
group_new(const char *group_id, const group_config_t *conf,
          const group_ops_t *ops, int64_t now_ms)
{
    group_t *g = xcalloc(1, sizeof(*g));

    g->group_id = xstrdup(group_id);
    g->state = GROUP_EMPTY;
    g->conf = *conf;
    g->ops = *ops;
    g->state_since_ms = now_ms;
    if (getrandom(&g->id_seq, sizeof(g->id_seq), 0) != sizeof(g->id_seq))
        g->id_seq = (uint64_t)now_ms * 2654435761u;
    return g;
}

static void
member_free(group_member_t *m)
{
    if (m == NULL)
        return;
    for (int32_t i = 0; i < m->nprotocols; i++) {
        free(m->protocols[i].name);
        free(m->protocols[i].metadata);
    }
    free(m->protocols);
    free(m->assignment);
    free(m->member_id);
    free(m->instance_id);
    free(m->client_id);
    free(m->client_host);
    free(m);
}

void
group_free(group_t *g)
{
    if (g == NULL)
        return;
    for (int32_t i = 0; i < g->nmembers; i++)
        member_free(g->members[i]);
    for (int32_t i = 0; i < g->npending; i++)
        free(g->pending[i]);
    free(g->pending);
    free(g->pending_deadline);
    free(g->members);
    free(g->group_id);
    free(g->protocol_type);
    free(g->protocol_name);
    free(g->leader_id);
    free(g);
}

group_member_t *
group_member_find(const group_t *g, kstr_t member_id)
{
    for (int32_t i = 0; i < g->nmembers; i++)
        if (kstr_eq(member_id, g->members[i]->member_id))
            return g->members[i];
    return NULL;
}

static group_member_t *
member_by_instance(const group_t *g, kstr_t instance_id)
{
    if (instance_id.len < 0)
        return NULL;
    for (int32_t i = 0; i < g->nmembers; i++)
        if (g->members[i]->instance_id != NULL &&
            kstr_eq(instance_id, g->members[i]->instance_id))
            return g->members[i];
    return NULL;
}

static int
pending_index(const group_t *g, kstr_t member_id)
{
    for (int32_t i = 0; i < g->npending; i++)
        if (kstr_eq(member_id, g->pending[i]))
            return i;
    return -1;
}

static void
pending_remove(group_t *g, int i)
{
    free(g->pending[i]);
    g->npending--;
    memmove(&g->pending[i], &g->pending[i + 1],
            (size_t)(g->npending - i) * sizeof(*g->pending));
    memmove(&g->pending_deadline[i], &g->pending_deadline[i + 1],
            (size_t)(g->npending - i) * sizeof(*g->pending_deadline));
}

static char *
new_member_id(group_t *g, kstr_t prefix)
{
    uint64_t a = ++g->id_seq * 0x9e3779b97f4a7c15ull;
    uint64_t b = (a ^ (a >> 29)) * 0xbf58476d1ce4e5b9ull;

    return xasprintf("%.*s-%08" PRIx32 "-%04" PRIx32 "-%04" PRIx32 "-%04" PRIx32
                     "-%012" PRIx64,
                     prefix.len > 0 ? (int)prefix.len : 0,
                     prefix.len > 0 ? prefix.ptr : "", (uint32_t)(a >> 32),
                     (uint32_t)(a >> 16) & 0xffff, (uint32_t)a & 0xffff,
                     (uint32_t)(b >> 48), (uint64_t)(b & 0xffffffffffffull));
}

static void
set_state(group_t *g, group_state_t state, int64_t now_ms)
{
    g->state = state;
    g->state_since_ms = now_ms;
}

static void
member_set_protocols(group_member_t *m, const group_join_req_t *req)
{
    for (int32_t i = 0; i < m->nprotocols; i++) {
        free(m->protocols[i].name);
        free(m->protocols[i].metadata);
    }
    free(m->protocols);
    m->nprotocols = req->nprotocols;
    m->protocols = xcalloc((size_t)(req->nprotocols > 0 ? req->nprotocols : 1),
                           sizeof(*m->protocols));
    for (int32_t i = 0; i < req->nprotocols; i++) {
        kbytes_t md = req->protocol_metadata[i];

        m->protocols[i].name = kstr_dup(req->protocol_names[i]);
        m->protocols[i].metadata_len = md.len > 0 ? md.len : 0;
        m->protocols[i].metadata =
            xmalloc((size_t)md.len > 0 ? (size_t)md.len : 1);
        if (md.len > 0)
            memcpy(m->protocols[i].metadata, md.ptr, (size_t)md.len);
    }
    m->session_timeout_ms = req->session_timeout_ms;
    m->rebalance_timeout_ms = req->rebalance_timeout_ms > 0
                                  ? req->rebalance_timeout_ms
                                  : req->session_timeout_ms;
}

static bool
member_supports(const group_member_t *m, const char *proto)
{
    for (int32_t i = 0; i < m->nprotocols; i++)
        if (strcmp(m->protocols[i].name, proto) == 0)
            return true;
    return false;
}

/* same protocols, same order, same metadata */
static bool
member_same_protocols(const group_member_t *m, const group_join_req_t *req)
{
    if (m->nprotocols != req->nprotocols)
        return false;
    for (int32_t i = 0; i < m->nprotocols; i++) {
        kbytes_t md = req->protocol_metadata[i];

        if (!kstr_eq(req->protocol_names[i], m->protocols[i].name) ||
            md.len != m->protocols[i].metadata_len ||
            (md.len > 0 &&
             memcmp(md.ptr, m->protocols[i].metadata, (size_t)md.len) != 0))
            return false;
    }
    return true;
}

const group_protocol_t *
group_member_protocol(const group_t *g, const group_member_t *m)
{
    if (g->protocol_name == NULL)
        return NULL;
    for (int32_t i = 0; i < m->nprotocols; i++)
        if (strcmp(m->protocols[i].name, g->protocol_name) == 0)
            return &m->protocols[i];
    return NULL;
}

/* would a member with these protocols fit the group? (Kafka's
 * supportsProtocols: same type, and one protocol every member has) */
static bool
group_supports(const group_t *g, const group_join_req_t *req)
{
    if (g->nmembers == 0)
        return req->protocol_type.len > 0 && req->nprotocols > 0;
    if (g->protocol_type == NULL ||
        !kstr_eq(req->protocol_type, g->protocol_type))
        return false;
    for (int32_t i = 0; i < req->nprotocols; i++) {
        char *name = kstr_dup(req->protocol_names[i]);
        bool all = true;

        for (int32_t j = 0; j < g->nmembers && all; j++)
            all = member_supports(g->members[j], name);
        free(name);
        if (all)
            return true;
    }
    return false;
}

/* Kafka's selectProtocol: candidates every member supports; each member
 * votes for its first candidate; most votes wins (first candidate of the
 * first member on ties) */
static char *
select_protocol(const group_t *g)
{
    const group_member_t *first = g->members[0];
    int32_t best = -1, best_votes = -1;

    for (int32_t c = 0; c < first->nprotocols; c++) {
        const char *cand = first->protocols[c].name;
        int32_t votes = 0;
        bool all = true;

        for (int32_t j = 0; j < g->nmembers && all; j++)
            all = member_supports(g->members[j], cand);
        if (!all)
            continue;
        for (int32_t j = 0; j < g->nmembers; j++) {
            const group_member_t *m = g->members[j];

            for (int32_t k = 0; k < m->nprotocols; k++) {
                bool cand_k = true;

                for (int32_t x = 0; x < g->nmembers && cand_k; x++)
                    cand_k =
                        member_supports(g->members[x], m->protocols[k].name);
                if (!cand_k)
                    continue;
                if (strcmp(m->protocols[k].name, cand) == 0)
                    votes++;
                break;
            }
        }
        if (votes > best_votes) {
            best = c;
            best_votes = votes;
        }
    }
    return best >= 0 ? xstrdup(first->protocols[best].name) : NULL;
}

static int32_t
max_rebalance_timeout(const group_t *g)
{
    int32_t t = 0;

    for (int32_t i = 0; i < g->nmembers; i++)
        if (g->members[i]->rebalance_timeout_ms > t)
            t = g->members[i]->rebalance_timeout_ms;
    return t;
}

static void
remove_member_at(group_t *g, int32_t i)
{
    group_member_t *m = g->members[i];

    if (g->leader_id != NULL && strcmp(g->leader_id, m->member_id) == 0) {
        free(g->leader_id);
        g->leader_id = NULL;
    }
    g->nmembers--;
    memmove(&g->members[i], &g->members[i + 1],
            (size_t)(g->nmembers - i) * sizeof(*g->members));
    if (g->leader_id == NULL && g->nmembers > 0)
        g->leader_id = xstrdup(g->members[0]->member_id);
    if (g->nmembers == 0) {
        free(g->protocol_type);
        g->protocol_type = NULL;
    }
    member_free(m);
}

static int32_t
member_index(const group_t *g, const group_member_t *m)
{
    for (int32_t i = 0; i < g->nmembers; i++)
        if (g->members[i] == m)
            return i;
    return -1;
}

/* CompletingRebalance: parked syncs learn the rebalance restarted */
static void
reset_syncs(group_t *g, int16_t error_code)
{
    for (int32_t i = 0; i < g->nmembers; i++) {
        group_member_t *m = g->members[i];
        void *w = m->sync_waiter;

        free(m->assignment);
        m->assignment = NULL;
        m->assignment_len = 0;
        if (w != NULL) {
            m->sync_waiter = NULL;
            g->ops.sync_done(w, g, m, error_code, g->ops.ud);
        }
    }
}

static void
prepare_rebalance(group_t *g, int64_t now_ms)
{
    if (g->state == GROUP_COMPLETING_REBALANCE)
        reset_syncs(g, KERR_REBALANCE_IN_PROGRESS);
    if (g->state == GROUP_EMPTY && g->conf.initial_rebalance_delay_ms > 0) {
        /* KIP-134: wait for more members, up to the rebalance timeout */
        int32_t rt = max_rebalance_timeout(g);
        int32_t d = g->conf.initial_rebalance_delay_ms;

        g->join_deadline_ms = now_ms + (d < rt ? d : rt);
        g->initial_delay_end_ms = now_ms + rt;
    } else {
        g->join_deadline_ms = now_ms + max_rebalance_timeout(g);
        g->initial_delay_end_ms = 0;
    }
    set_state(g, GROUP_PREPARING_REBALANCE, now_ms);
}

static bool
all_joined(const group_t *g)
{
    if (g->npending > 0)
        return false;
    for (int32_t i = 0; i < g->nmembers; i++)
        if (g->members[i]->join_waiter == NULL)
            return false;
    return true;
}

static void
join_complete(group_t *g, int64_t now_ms)
{
    /* dynamic members that did not rejoin are gone; static ones stay */
    for (int32_t i = g->nmembers - 1; i >= 0; i--) {
        group_member_t *m = g->members[i];

        if (m->join_waiter == NULL && m->instance_id == NULL)
            remove_member_at(g, i);
    }
    g->initial_delay_end_ms = 0;
    g->generation_id++;
    free(g->protocol_name);
    g->protocol_name = NULL;
    if (g->nmembers == 0) {
        set_state(g, GROUP_EMPTY, now_ms);
        g->ops.changed(g, g->ops.ud);
        return;
    }
    g->protocol_name = select_protocol(g);
    if (g->leader_id == NULL)
        g->leader_id = xstrdup(g->members[0]->member_id);
    set_state(g, GROUP_COMPLETING_REBALANCE, now_ms);
    for (int32_t i = 0; i < g->nmembers; i++) {
        group_member_t *m = g->members[i];
        void *w = m->join_waiter;

        m->last_heartbeat_ms = now_ms;
        m->is_new = false;
        if (w != NULL) {
            m->join_waiter = NULL;
            g->ops.join_done(w, g, m, m->member_id, KERR_NONE, g->ops.ud);
        }
    }
}

static void
maybe_complete_join(group_t *g, int64_t now_ms)
{
    if (g->state != GROUP_PREPARING_REBALANCE)
        return;
    if (g->initial_delay_end_ms != 0)
        return; /* the initial delay runs out in group_tick */
    if (all_joined(g))
        join_complete(g, now_ms);
}

static group_member_t *
add_member(group_t *g, char *member_id, const group_join_req_t *req,
           void *waiter, int64_t now_ms)
{
    group_member_t *m = xcalloc(1, sizeof(*m));

    m->member_id = member_id;
    m->instance_id = kstr_dup(req->group_instance_id);
    m->client_id =
        req->client_id.len >= 0 ? kstr_dup(req->client_id) : xstrdup("");
    m->client_host = xstrdup(req->client_host ? req->client_host : "");
    member_set_protocols(m, req);
    m->join_waiter = waiter;
    m->last_heartbeat_ms = now_ms;
    m->is_new = true;
    if (g->nmembers == 0) {
        free(g->protocol_type);
        g->protocol_type = kstr_dup(req->protocol_type);
    }
    g->members =
        xrealloc(g->members, (size_t)(g->nmembers + 1) * sizeof(*g->members));
    g->members[g->nmembers++] = m;
    if (g->leader_id == NULL)
        g->leader_id = xstrdup(m->member_id);
    return m;
}

static void
join_reply_error(group_t *g, void *waiter, const char *member_id, int16_t err)
{
    g->ops.join_done(waiter, g, NULL, member_id, err, g->ops.ud);
}

/* a member joins (new, or a static member's new incarnation) */
static void
add_and_rebalance(group_t *g, char *member_id, const group_join_req_t *req,
                  void *waiter, int64_t now_ms)
{
    add_member(g, member_id, req, waiter, now_ms);
    if (g->state == GROUP_PREPARING_REBALANCE) {
        if (g->initial_delay_end_ms != 0) {
            /* KIP-134: each new member pushes the end out, up to the cap */
            int64_t next = now_ms + g->conf.initial_rebalance_delay_ms;

            g->join_deadline_ms =
                next < g->initial_delay_end_ms ? next : g->initial_delay_end_ms;
        }
        maybe_complete_join(g, now_ms);
    } else {
        prepare_rebalance(g, now_ms);
        maybe_complete_join(g, now_ms);
    }
}

static void
join_unknown_member(group_t *g, const group_join_req_t *req, void *waiter,
                    int64_t now_ms)
{
    kstr_t prefix = req->client_id;
    char *id;

    if (req->group_instance_id.len >= 0) {
        group_member_t *old = member_by_instance(g, req->group_instance_id);

        id = new_member_id(g, req->group_instance_id);
        if (old != NULL) {
            /* KIP-345: a static member's new incarnation replaces the old
             * member id; the old one is fenced */
            void *ow = old->join_waiter, *sw = old->sync_waiter;
            char *old_id = old->member_id;
            bool same = member_same_protocols(old, req);
            bool was_leader =
                g->leader_id != NULL && strcmp(g->leader_id, old_id) == 0;

            old->join_waiter = old->sync_waiter = NULL;
            if (ow != NULL)
                join_reply_error(g, ow, old_id, KERR_FENCED_INSTANCE_ID);
            if (sw != NULL)
                g->ops.sync_done(sw, g, old, KERR_FENCED_INSTANCE_ID,
                                 g->ops.ud);
            old->member_id = id;
            member_set_protocols(old, req);
            old->last_heartbeat_ms = now_ms;
            if (g->state == GROUP_STABLE && same) {
                /* Kafka's updateStaticMemberAndRebalance: a Stable group
                 * whose protocols do not change keeps its generation; the
                 * new incarnation gets the new id and, from SyncGroup, the
                 * assignment it had. The answer names the old leader id so
                 * a rejoining leader does not compute a trivial
                 * assignment a Stable group would not broadcast. */
                old->is_new = false;
                g->ops.join_done(waiter, g, old, id, KERR_NONE, g->ops.ud);
                if (was_leader) {
                    free(g->leader_id);
                    g->leader_id = xstrdup(id);
                }
                free(old_id);
                return;
            }
            if (was_leader) {
                free(g->leader_id);
                g->leader_id = xstrdup(id);
            }
            free(old_id);
            old->join_waiter = waiter;
            if (g->state == GROUP_PREPARING_REBALANCE)
                maybe_complete_join(g, now_ms);
            else {
                prepare_rebalance(g, now_ms);
                maybe_complete_join(g, now_ms);
            }
            return;
        }
        add_and_rebalance(g, id, req, waiter, now_ms);
        return;
    }
    id = new_member_id(g, prefix);
    if (req->version >= 4) {
        /* KIP-394: hand the id out; the member joins with it */
        g->pending = xrealloc(g->pending,
                              (size_t)(g->npending + 1) * sizeof(*g->pending));
        g->pending_deadline =
            xrealloc(g->pending_deadline,
                     (size_t)(g->npending + 1) * sizeof(*g->pending_deadline));
        g->pending[g->npending] = id;
        g->pending_deadline[g->npending] = now_ms + req->session_timeout_ms;
        g->npending++;
        join_reply_error(g, waiter, id, KERR_MEMBER_ID_REQUIRED);
        return;
    }
    add_and_rebalance(g, id, req, waiter, now_ms);
}

static void
join_known_member(group_t *g, group_member_t *m, const group_join_req_t *req,
                  void *waiter, int64_t now_ms)
{
    if (m->join_waiter != NULL) {
        /* a retried join replaces the parked one (Kafka answers the old
         * one with the same outcome later; we drop it as superseded) */
        void *old = m->join_waiter;

        m->join_waiter = NULL;
        join_reply_error(g, old, m->member_id, KERR_REBALANCE_IN_PROGRESS);
    }
    m->last_heartbeat_ms = now_ms;
    switch (g->state) {
    case GROUP_PREPARING_REBALANCE:
        member_set_protocols(m, req);
        m->join_waiter = waiter;
        maybe_complete_join(g, now_ms);
        break;
    case GROUP_COMPLETING_REBALANCE:
        if (member_same_protocols(m, req)) {
            /* the join response got lost: send it again */
            g->ops.join_done(waiter, g, m, m->member_id, KERR_NONE, g->ops.ud);
            break;
        }
        member_set_protocols(m, req);
        m->join_waiter = waiter;
        prepare_rebalance(g, now_ms);
        maybe_complete_join(g, now_ms);
        break;
    case GROUP_STABLE:
        if (strcmp(g->leader_id ? g->leader_id : "", m->member_id) != 0 &&
            member_same_protocols(m, req)) {
            g->ops.join_done(waiter, g, m, m->member_id, KERR_NONE, g->ops.ud);
            break;
        }
        member_set_protocols(m, req);
        m->join_waiter = waiter;
        prepare_rebalance(g, now_ms);
        maybe_complete_join(g, now_ms);
        break;
    default:
        join_reply_error(g, waiter, m->member_id, KERR_UNKNOWN_MEMBER_ID);
        break;
    }
}

void
group_join(group_t *g, const group_join_req_t *req, void *waiter,
           int64_t now_ms)
{
    char member_id[256];

    snprintf(member_id, sizeof(member_id), "%.*s",
             req->member_id.len > 0 ? (int)req->member_id.len : 0,
             req->member_id.len > 0 ? req->member_id.ptr : "");
    if (g->state == GROUP_DEAD) {
        join_reply_error(g, waiter, member_id, KERR_COORDINATOR_NOT_AVAILABLE);
        return;
    }
    if (req->session_timeout_ms < g->conf.min_session_timeout_ms ||
        req->session_timeout_ms > g->conf.max_session_timeout_ms) {
        join_reply_error(g, waiter, member_id, KERR_INVALID_SESSION_TIMEOUT);
        return;
    }
    if (!group_supports(g, req)) {
        join_reply_error(g, waiter, member_id,
                         KERR_INCONSISTENT_GROUP_PROTOCOL);
        return;
    }
    if (req->member_id.len <= 0) {
        bool known_static = req->group_instance_id.len >= 0 &&
                            member_by_instance(g, req->group_instance_id);

        if (!known_static && g->nmembers + g->npending >= g->conf.max_size) {
            join_reply_error(g, waiter, member_id, KERR_GROUP_MAX_SIZE_REACHED);
            return;
        }
        join_unknown_member(g, req, waiter, now_ms);
        return;
    }
    {
        int pi = pending_index(g, req->member_id);
        group_member_t *m;

        if (pi >= 0) {
            if (g->nmembers >= g->conf.max_size) {
                pending_remove(g, pi);
                join_reply_error(g, waiter, member_id,
                                 KERR_GROUP_MAX_SIZE_REACHED);
                return;
            }
            char *id = g->pending[pi];

            g->pending[pi] = NULL;
            pending_remove(g, pi);
            add_and_rebalance(g, id, req, waiter, now_ms);
            return;
        }
        m = group_member_find(g, req->member_id);
        if (req->group_instance_id.len >= 0) {
            group_member_t *s = member_by_instance(g, req->group_instance_id);

            if (s != NULL && s != m) {
                join_reply_error(g, waiter, member_id, KERR_FENCED_INSTANCE_ID);
                return;
            }
        }
        if (m == NULL) {
            join_reply_error(g, waiter, member_id, KERR_UNKNOWN_MEMBER_ID);
            return;
        }
        join_known_member(g, m, req, waiter, now_ms);
    }
}

/* Kafka's validateOfferedMember / static fencing */
static int16_t
check_member(const group_t *g, kstr_t member_id, kstr_t instance_id,
             group_member_t **out)
{
    group_member_t *m = group_member_find(g, member_id);

    *out = m;
    if (instance_id.len >= 0) {
        group_member_t *s = member_by_instance(g, instance_id);

        if (s != NULL && s != m)
            return KERR_FENCED_INSTANCE_ID;
    }
    if (m == NULL)
        return KERR_UNKNOWN_MEMBER_ID;
    if (m->instance_id != NULL && instance_id.len >= 0 &&
        !kstr_eq(instance_id, m->instance_id))
        return KERR_FENCED_INSTANCE_ID;
    return KERR_NONE;
}

void
group_sync(group_t *g, const group_sync_req_t *req, void *waiter,
           int64_t now_ms)
{
    group_member_t *m;
    int16_t err;

    if (g->state == GROUP_DEAD) {
        g->ops.sync_done(waiter, g, NULL, KERR_COORDINATOR_NOT_AVAILABLE,
                         g->ops.ud);
        return;
    }
    err = check_member(g, req->member_id, req->group_instance_id, &m);
    if (err == KERR_NONE && req->generation_id != g->generation_id)
        err = KERR_ILLEGAL_GENERATION;
    if (err == KERR_NONE && ((req->protocol_type.len >= 0 &&
                              !kstr_eq(req->protocol_type, g->protocol_type)) ||
                             (req->protocol_name.len >= 0 &&
                              !kstr_eq(req->protocol_name, g->protocol_name))))
        err = KERR_INCONSISTENT_GROUP_PROTOCOL;
    if (err != KERR_NONE) {
        g->ops.sync_done(waiter, g, NULL, err, g->ops.ud);
        return;
    }
    m->last_heartbeat_ms = now_ms;
    switch (g->state) {
    case GROUP_PREPARING_REBALANCE:
        g->ops.sync_done(waiter, g, NULL, KERR_REBALANCE_IN_PROGRESS,
                         g->ops.ud);
        return;
    case GROUP_STABLE:
        g->ops.sync_done(waiter, g, m, KERR_NONE, g->ops.ud);
        return;
    case GROUP_COMPLETING_REBALANCE: break;
    default:
        g->ops.sync_done(waiter, g, NULL, KERR_UNKNOWN_MEMBER_ID, g->ops.ud);
        return;
    }
    if (m->sync_waiter != NULL) {
        void *old = m->sync_waiter;

        m->sync_waiter = NULL;
        g->ops.sync_done(old, g, NULL, KERR_REBALANCE_IN_PROGRESS, g->ops.ud);
    }
    m->sync_waiter = waiter;
    if (g->leader_id == NULL || strcmp(g->leader_id, m->member_id) != 0)
        return;
    /* the leader's assignment: every member's share, empty if missing */
    for (int32_t i = 0; i < g->nmembers; i++) {
        group_member_t *x = g->members[i];

        free(x->assignment);
        x->assignment = NULL;
        x->assignment_len = 0;
        for (int32_t j = 0; j < req->nassignments; j++) {
            kbytes_t a = req->assignments[j];

            if (!kstr_eq(req->assign_members[j], x->member_id))
                continue;
            x->assignment_len = a.len > 0 ? a.len : 0;
            x->assignment = xmalloc(a.len > 0 ? (size_t)a.len : 1);
            if (a.len > 0)
                memcpy(x->assignment, a.ptr, (size_t)a.len);
            break;
        }
    }
    set_state(g, GROUP_STABLE, now_ms);
    g->ops.changed(g, g->ops.ud);
    for (int32_t i = 0; i < g->nmembers; i++) {
        group_member_t *x = g->members[i];
        void *w = x->sync_waiter;

        x->last_heartbeat_ms = now_ms;
        if (w != NULL) {
            x->sync_waiter = NULL;
            g->ops.sync_done(w, g, x, KERR_NONE, g->ops.ud);
        }
    }
}

int16_t
group_heartbeat(group_t *g, int32_t generation_id, kstr_t member_id,
                kstr_t group_instance_id, int64_t now_ms)
{
    group_member_t *m;
    int16_t err;

    if (g->state == GROUP_DEAD)
        return KERR_COORDINATOR_NOT_AVAILABLE;
    if (g->state == GROUP_EMPTY)
        return KERR_UNKNOWN_MEMBER_ID;
    err = check_member(g, member_id, group_instance_id, &m);
    if (err != KERR_NONE)
        return err;
    if (generation_id != g->generation_id &&
        g->state != GROUP_PREPARING_REBALANCE)
        return KERR_ILLEGAL_GENERATION;
    m->last_heartbeat_ms = now_ms;
    if (g->state == GROUP_PREPARING_REBALANCE)
        return KERR_REBALANCE_IN_PROGRESS;
    if (generation_id != g->generation_id)
        return KERR_ILLEGAL_GENERATION;
    return KERR_NONE;
}

/* after a member went away (left or expired) */
static void
member_gone(group_t *g, int64_t now_ms)
{
    switch (g->state) {
    case GROUP_STABLE:
    case GROUP_COMPLETING_REBALANCE:
        prepare_rebalance(g, now_ms);
        maybe_complete_join(g, now_ms);
        break;
    case GROUP_PREPARING_REBALANCE: maybe_complete_join(g, now_ms); break;
    default: break;
    }
}

static void
remove_member(group_t *g, group_member_t *m, int16_t err, int64_t now_ms)
{
    void *jw = m->join_waiter, *sw = m->sync_waiter;
    char *id = xstrdup(m->member_id);
    int32_t i = member_index(g, m);

    m->join_waiter = m->sync_waiter = NULL;
    if (jw != NULL)
        join_reply_error(g, jw, id, err);
    if (sw != NULL)
        g->ops.sync_done(sw, g, NULL, err, g->ops.ud);
    free(id);
    if (i >= 0)
        remove_member_at(g, i);
    member_gone(g, now_ms);
}

int16_t
group_leave(group_t *g, kstr_t member_id, kstr_t group_instance_id,
            int64_t now_ms)
{
    group_member_t *m;
    int pi;

    if (g->state == GROUP_DEAD)
        return KERR_COORDINATOR_NOT_AVAILABLE;
    if (member_id.len > 0 && (pi = pending_index(g, member_id)) >= 0) {
        pending_remove(g, pi);
        maybe_complete_join(g, now_ms);
        return KERR_NONE;
    }
    if (group_instance_id.len >= 0) {
        m = member_by_instance(g, group_instance_id);
        if (m == NULL)
            return KERR_UNKNOWN_MEMBER_ID;
        if (member_id.len > 0 && !kstr_eq(member_id, m->member_id))
            return KERR_FENCED_INSTANCE_ID;
    } else {
        m = group_member_find(g, member_id);
        if (m == NULL)
            return KERR_UNKNOWN_MEMBER_ID;
    }
    remove_member(g, m, KERR_UNKNOWN_MEMBER_ID, now_ms);
    return KERR_NONE;
}

int16_t
group_commit_check(group_t *g, int32_t generation_id, kstr_t member_id,
                   kstr_t group_instance_id, int64_t now_ms)
{
    group_member_t *m;

    if (g->state == GROUP_DEAD)
        return KERR_COORDINATOR_NOT_AVAILABLE;
    if (group_instance_id.len >= 0) {
        group_member_t *s = member_by_instance(g, group_instance_id);

        if (s != NULL && !kstr_eq(member_id, s->member_id))
            return KERR_FENCED_INSTANCE_ID;
    }
    if (generation_id < 0 && g->state == GROUP_EMPTY)
        return KERR_NONE; /* a simple consumer: no group management */
    if (g->state == GROUP_COMPLETING_REBALANCE)
        return KERR_REBALANCE_IN_PROGRESS;
    m = group_member_find(g, member_id);
    if (m == NULL)
        return KERR_UNKNOWN_MEMBER_ID;
    if (generation_id != g->generation_id)
        return KERR_ILLEGAL_GENERATION;
    m->last_heartbeat_ms = now_ms;
    return KERR_NONE;
}

void
group_tick(group_t *g, int64_t now_ms)
{
    /* KIP-394 ids never used */
    for (int32_t i = g->npending - 1; i >= 0; i--) {
        if (g->pending_deadline[i] <= now_ms) {
            pending_remove(g, i);
            maybe_complete_join(g, now_ms);
        }
    }
    /* session timeouts: members not parked in a join or a sync */
    for (int32_t i = g->nmembers - 1; i >= 0 && i < g->nmembers; i--) {
        group_member_t *m = g->members[i];
        int64_t limit = m->session_timeout_ms;

        if (m->join_waiter != NULL || m->sync_waiter != NULL)
            continue;
        if (g->state == GROUP_PREPARING_REBALANCE)
            continue; /* the join deadline decides */
        if (m->is_new && limit < GROUP_NEW_MEMBER_JOIN_TIMEOUT_MS)
            limit = GROUP_NEW_MEMBER_JOIN_TIMEOUT_MS;
        if (now_ms - m->last_heartbeat_ms > limit)
            remove_member(g, m, KERR_UNKNOWN_MEMBER_ID, now_ms);
    }
    if (g->state == GROUP_PREPARING_REBALANCE &&
        now_ms >= g->join_deadline_ms) {
        g->initial_delay_end_ms = 0;
        for (int32_t i = g->npending - 1; i >= 0; i--)
            pending_remove(g, i);
        join_complete(g, now_ms);
    }
}

void
group_shutdown(group_t *g, int16_t error_code)
{
    for (int32_t i = 0; i < g->nmembers; i++) {
        group_member_t *m = g->members[i];
        void *jw = m->join_waiter, *sw = m->sync_waiter;

        m->join_waiter = m->sync_waiter = NULL;
        if (jw != NULL)
            join_reply_error(g, jw, m->member_id, error_code);
        if (sw != NULL)
            g->ops.sync_done(sw, g, NULL, error_code, g->ops.ud);
    }
    g->state = GROUP_DEAD;
}
