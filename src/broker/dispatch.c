/*
 * dispatch.c: request framing and the API-key dispatch table.
 *
 * Owns: reading the request header, choosing the handler, the response
 * header, deferred replies. Does not own any API's semantics (h_*.c).
 * Spec: Kafka protocol guide, "Requests and Responses" and "Request Header";
 * KIP-482 (flexible versions), KIP-511 (ApiVersions version fallback).
 *
 * A request for an API key samsa does not serve, a version outside the
 * advertised range (ApiVersions excepted), or a malformed body closes the
 * connection, as Kafka does; everyone else's connections are unaffected.
 */
#include <stdlib.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

static const struct {
    int16_t key;
    bhandler_fn fn;
} dispatch_table[] = {
    {API_PRODUCE, h_produce},
    {API_FETCH, h_fetch},
    {API_LIST_OFFSETS, h_list_offsets},
    {API_DELETE_RECORDS, h_delete_records},
    {API_METADATA, h_metadata},
    {API_DESCRIBE_CONFIGS, h_describe_configs},
    {API_ALTER_CONFIGS, h_alter_configs},
    {API_INCREMENTAL_ALTER_CONFIGS, h_alter_configs},
    {API_API_VERSIONS, h_api_versions},
    {API_CREATE_TOPICS, h_create_topics},
    {API_DELETE_TOPICS, h_delete_topics},
    {API_CREATE_PARTITIONS, h_create_partitions},
    {API_DESCRIBE_CLUSTER, h_describe_cluster},
    {API_OFFSET_FOR_LEADER_EPOCH, h_offset_for_leader_epoch},
    {API_LEADER_AND_ISR, h_leader_and_isr},
    {API_STOP_REPLICA, h_stop_replica},
    {API_UPDATE_METADATA, h_update_metadata},
    {API_ALTER_ISR, h_alter_isr},
    {API_CONTROLLED_SHUTDOWN, h_controlled_shutdown},
    {API_ELECT_LEADERS, h_elect_leaders},
    {API_ALTER_PARTITION_REASSIGNMENTS, h_alter_partition_reassignments},
    {API_LIST_PARTITION_REASSIGNMENTS, h_list_partition_reassignments},
    {API_FIND_COORDINATOR, h_find_coordinator},
    {API_JOIN_GROUP, h_group},
    {API_SYNC_GROUP, h_group},
    {API_HEARTBEAT, h_group},
    {API_LEAVE_GROUP, h_group},
    {API_OFFSET_COMMIT, h_group},
    {API_OFFSET_FETCH, h_group},
    {API_LIST_GROUPS, h_group},
    {API_DESCRIBE_GROUPS, h_group},
    {API_DELETE_GROUPS, h_group},
    {API_OFFSET_DELETE, h_group},
};
#define DISPATCH_N (int)(sizeof(dispatch_table) / sizeof(dispatch_table[0]))

int
broker_api_count(void)
{
    return DISPATCH_N;
}

void
broker_api_at(int i, int16_t *key, int16_t *min_version, int16_t *max_version)
{
    const kapi_t *api = kapi_find(dispatch_table[i].key);

    *key = api->key;
    *min_version = api->min_version;
    *max_version = api->max_version;
}

static bhandler_fn
dispatch_find(int16_t key)
{
    for (int i = 0; i < DISPATCH_N; i++)
        if (dispatch_table[i].key == key)
            return dispatch_table[i].fn;
    return NULL;
}

kwrite_t *
bresp_begin(int32_t correlation_id, int16_t api_key, int16_t api_version)
{
    kwrite_t *kw = xmalloc(sizeof(*kw));

    kwrite_init(kw);
    kwrite_i32(kw, 0); /* size, patched when the response is complete */
    khdr_encode_response(
        kw, correlation_id,
        khdr_response_flexible(api_key, kapi_flexible(api_key, api_version)));
    return kw;
}

void
bresp_finish(kwrite_t *kw)
{
    kwrite_patch_i32(kw, 0, (int32_t)(kwrite_len(kw) - 4));
}

void
breq_reply(breq_t *req, kwrite_t *kw)
{
    bresp_finish(kw);
    conn_reply(req->conn, req->seq, kw);
}

void
breq_reply_none(breq_t *req)
{
    conn_reply(req->conn, req->seq, NULL);
}

void
bdefer_init(bdefer_t *d, const breq_t *req)
{
    conn_ref(req->conn);
    d->conn = req->conn;
    d->seq = req->seq;
    d->correlation_id = req->hdr.correlation_id;
    d->api_key = req->hdr.request_api_key;
    d->api_version = req->hdr.request_api_version;
}

void
bdefer_reply(bdefer_t *d, kwrite_t *kw)
{
    bresp_finish(kw);
    conn_reply_async(d->conn, d->seq, kw);
    conn_unref(d->conn);
    d->conn = NULL;
}

static void
bconn_free(void *data)
{
    bconn_t *bc = data;

    arena_fini(&bc->arena);
    buf_fini(&bc->scratch);
    free(bc);
}

static bconn_t *
bconn_get(conn_t *conn)
{
    bconn_t *bc = conn_get_data(conn);

    if (bc == NULL) {
        bc = xcalloc(1, sizeof(*bc));
        arena_init(&bc->arena);
        conn_set_data(conn, bc, bconn_free);
    }
    return bc;
}

void
broker_on_frame(conn_t *conn, uint64_t seq, uint8_t *frame, size_t len,
                void *ud)
{
    broker_t *b = ud;
    bconn_t *bc = bconn_get(conn);
    bhandler_fn fn;
    const kapi_t *api;
    kread_t kr;
    breq_t req;
    int rc;

    memset(&req, 0, sizeof(req));
    req.b = b;
    req.conn = conn;
    req.seq = seq;
    req.ar = &bc->arena;
    req.bc = bc;
    if (khdr_peek(frame, len, &req.hdr) != 0) {
        conn_close(conn, "request shorter than a request header");
        return;
    }
    api = kapi_find(req.hdr.request_api_key);
    fn = dispatch_find(req.hdr.request_api_key);
    if (api == NULL || fn == NULL) {
        say_warn("%s: unsupported API key %d, closing connection",
                 conn_peer(conn), req.hdr.request_api_key);
        conn_close(conn, "unsupported API key");
        return;
    }
    if (req.hdr.request_api_version < api->min_version ||
        req.hdr.request_api_version > api->max_version) {
        if (req.hdr.request_api_key == API_API_VERSIONS) {
            h_api_versions_unsupported(&req);
            arena_reset(&bc->arena);
            return;
        }
        say_warn("%s: %s version %d is not supported (%d-%d), closing "
                 "connection",
                 conn_peer(conn), api->name, req.hdr.request_api_version,
                 api->min_version, api->max_version);
        conn_close(conn, "unsupported API version");
        return;
    }
    req.flexible =
        kapi_flexible(req.hdr.request_api_key, req.hdr.request_api_version);
    kread_init(&kr, frame, len);
    rc = khdr_decode(&kr, &req.hdr, req.flexible);
    if (rc != 0) {
        conn_close(conn, "malformed request header");
        return;
    }
    req.snap = metacache_get();
    rc = fn(&req, &kr);
    mc_snapshot_put(req.snap);
    if (rc != 0) {
        say_warn("%s: malformed %s v%d request (correlation id %d), "
                 "closing connection",
                 conn_peer(conn), api->name, req.hdr.request_api_version,
                 req.hdr.correlation_id);
        conn_close(conn, "malformed request");
    }
    /* a handler that parks its request takes the arena with it */
    arena_reset(&bc->arena);
}

void
broker_on_close(conn_t *conn, void *ud)
{
    (void)conn;
    (void)ud;
}
