/*
 * cmd_cluster.c: samsa cluster: the cluster id, the controller and the
 * brokers, from DescribeCluster when the broker serves it, else from
 * Metadata (kafka-cluster.sh cluster-id and kafka-metadata's view).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_describecluster.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

#define CMD "cluster"

static const tool_opt_t opts[] = {
    {"bootstrap-server", "HOST:PORT[,...]",
     "brokers to contact (default $SAMSA_BOOTSTRAP_SERVERS)"},
    {"json", NULL, "print JSON"},
    {"timeout-ms", "MS", "bound for each broker answer (default 30000)"},
    {"help", NULL, "print this help"},
};

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

typedef struct cl_broker {
    int32_t id;
    char *host;
    int32_t port;
    char *rack;
} cl_broker_t;

static int
cmp_broker(const void *x, const void *y)
{
    const cl_broker_t *a = x, *b = y;

    return (a->id > b->id) - (a->id < b->id);
}

/* DescribeCluster into @ids/@brokers; 0, or -1 to fall back to Metadata */
static int
describe_cluster(tool_client_t *tc, arena_t *ar, char **cluster_id,
                 int32_t *controller, cl_broker_t **brokers, int *n)
{
    describecluster_req_t req = {0};
    describecluster_resp_t resp;
    buf_t frame = BUF_INIT;
    char err[512];
    tool_req_t r;
    kread_t kr;
    int16_t v;
    int rc = -1;

    if (tool_client_version(tc, -1, API_DESCRIBE_CLUSTER, &v, err,
                            sizeof(err)) != 0)
        return -1;
    tool_req_begin(tc, &r, -1, API_DESCRIBE_CLUSTER, v);
    p_describecluster_req_encode(&r.kw, v, &req);
    if (tool_req_call(tc, &r, &frame, &kr, err, sizeof(err)) == 0 &&
        p_describecluster_resp_decode(&kr, v, ar, &resp) == 0 &&
        resp.error_code == 0) {
        *cluster_id = tool_kstr(ar, resp.cluster_id);
        *controller = resp.controller_id;
        *n = resp.nbrokers;
        *brokers =
            arena_calloc(ar, (size_t)resp.nbrokers + 1, sizeof(**brokers));
        for (int32_t i = 0; i < resp.nbrokers; i++) {
            (*brokers)[i].id = resp.brokers[i].broker_id;
            (*brokers)[i].host = tool_kstr(ar, resp.brokers[i].host);
            (*brokers)[i].port = resp.brokers[i].port;
            (*brokers)[i].rack = tool_kstr(ar, resp.brokers[i].rack);
        }
        rc = 0;
    }
    buf_fini(&frame);
    return rc;
}

int
cmd_cluster(int argc, char **argv)
{
    tool_client_t *tc = NULL;
    cl_broker_t *brokers = NULL;
    char *cluster_id = NULL;
    int32_t controller = -1;
    tool_args_t a;
    arena_t ar;
    int rc, n = 0;

    rc = tool_args_begin(&a, CMD, "[--bootstrap-server HOST:PORT] [--json]",
                         "Prints the cluster id, the controller and the "
                         "brokers.",
                         opts, NOPTS, argc, argv);
    if (rc != 0) {
        tool_args_fini(&a);
        return rc < 0 ? TOOL_EXIT_OK : rc;
    }
    if (a.noperands > 0) {
        tool_err(CMD, "unexpected argument '%s'", a.operands[0]);
        tool_args_fini(&a);
        return TOOL_EXIT_USAGE;
    }
    arena_init(&ar);
    rc = tool_client_open_args(&a, CMD, &tc);
    if (rc == 0 && describe_cluster(tc, &ar, &cluster_id, &controller, &brokers,
                                    &n) != 0) {
        const tool_broker_t *tb = tool_client_brokers(tc, &n);

        brokers = arena_calloc(&ar, (size_t)n + 1, sizeof(*brokers));
        for (int i = 0; i < n; i++)
            brokers[i] = (cl_broker_t){
                tb[i].node_id,
                arena_strndup(&ar, tb[i].host, strlen(tb[i].host)), tb[i].port,
                tb[i].rack ? arena_strndup(&ar, tb[i].rack, strlen(tb[i].rack))
                           : NULL};
        controller = tool_client_controller(tc);
        if (tool_client_cluster_id(tc))
            cluster_id = arena_strndup(&ar, tool_client_cluster_id(tc),
                                       strlen(tool_client_cluster_id(tc)));
    }
    if (rc == 0) {
        qsort(brokers, (size_t)n, sizeof(*brokers), cmp_broker);
        if (tool_opt_has(&a, "json")) {
            json_t *o = json_object(), *jb = json_array();

            json_object_set_new(o, "cluster_id",
                                cluster_id ? json_string(cluster_id)
                                           : json_null());
            json_object_set_new(o, "controller", json_integer(controller));
            for (int i = 0; i < n; i++) {
                json_t *b = json_object();

                json_object_set_new(b, "id", json_integer(brokers[i].id));
                json_object_set_new(b, "host", json_string(brokers[i].host));
                json_object_set_new(b, "port", json_integer(brokers[i].port));
                json_object_set_new(b, "rack",
                                    brokers[i].rack
                                        ? json_string(brokers[i].rack)
                                        : json_null());
                json_array_append_new(jb, b);
            }
            json_object_set_new(o, "brokers", jb);
            json_dumpf(o, stdout, JSON_INDENT(2));
            printf("\n");
            json_decref(o);
        } else {
            printf("Cluster ID: %s\n", cluster_id ? cluster_id : "(none)");
            if (controller >= 0)
                printf("Controller: %d\n", (int)controller);
            else
                printf("Controller: none (no controller elected)\n");
            printf("Brokers: %d\n%-6s %-30s %-6s %s\n", n, "ID", "HOST", "PORT",
                   "RACK");
            for (int i = 0; i < n; i++)
                printf("%-6d %-30s %-6d %s\n", (int)brokers[i].id,
                       brokers[i].host ? brokers[i].host : "?",
                       (int)brokers[i].port,
                       brokers[i].rack ? brokers[i].rack : "-");
        }
    }
    arena_fini(&ar);
    tool_client_close(tc);
    tool_args_fini(&a);
    return rc;
}
