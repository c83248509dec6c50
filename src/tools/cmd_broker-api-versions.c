/*
 * cmd_broker-api-versions.c: samsa broker-api-versions, after
 * kafka-broker-api-versions.sh: every broker's ApiVersions table, with
 * the version samsa's tools would use ("usable") where they speak the API.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/kapi.h"
#include "samsa/tool.h"

#define CMD "broker-api-versions"

static const tool_opt_t opts[] = {
    {"bootstrap-server", "HOST:PORT[,...]",
     "brokers to contact (default $SAMSA_BOOTSTRAP_SERVERS)"},
    {"json", NULL, "print JSON"},
    {"timeout-ms", "MS", "bound for each broker answer (default 30000)"},
    {"help", NULL, "print this help"},
};

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

int
cmd_broker_api_versions(int argc, char **argv)
{
    tool_client_t *tc = NULL;
    const tool_broker_t *brokers;
    tool_args_t a;
    json_t *out = NULL;
    int rc, nbrokers, status = 0;

    rc = tool_args_begin(&a, CMD, "[--bootstrap-server HOST:PORT]",
                         "Prints the API versions every broker serves "
                         "(kafka-broker-api-versions.sh).",
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
    rc = tool_client_open_args(&a, CMD, &tc);
    if (rc == 0 && tool_opt_has(&a, "json"))
        out = json_array();
    brokers = rc == 0 ? tool_client_brokers(tc, &nbrokers) : NULL;
    for (int b = 0; rc == 0 && b < nbrokers; b++) {
        const tool_broker_t *br = &brokers[b];
        const int16_t *keys, *mins, *maxs;
        json_t *jb = NULL, *japis = NULL;
        char err[512];
        int n;

        if (tool_client_broker_table(tc, br->node_id, &keys, &mins, &maxs, &n,
                                     err, sizeof(err)) != 0) {
            tool_err(CMD, "broker %d (%s:%d): %s", (int)br->node_id, br->host,
                     (int)br->port, err);
            status = TOOL_EXIT_FAIL;
            continue;
        }
        if (out) {
            jb = json_object();
            japis = json_array();
            json_object_set_new(jb, "id", json_integer(br->node_id));
            json_object_set_new(jb, "host", json_string(br->host));
            json_object_set_new(jb, "port", json_integer(br->port));
            json_object_set_new(jb, "rack",
                                br->rack ? json_string(br->rack) : json_null());
        } else {
            printf("%s:%d (id: %d rack: %s) -> (\n", br->host, (int)br->port,
                   (int)br->node_id, br->rack ? br->rack : "null");
        }
        int order[n + 1];

        for (int i = 0; i < n; i++) { /* ascending API key */
            int j = i;

            while (j > 0 && keys[order[j - 1]] > keys[i]) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        for (int k = 0; k < n; k++) {
            int i = order[k];
            const kapi_t *api = kapi_find(keys[i]);
            int16_t usable = -1;
            char ebuf[8];

            if (tool_client_version(tc, br->node_id, keys[i], &usable, ebuf,
                                    sizeof(ebuf)) != 0)
                usable = -1;
            if (out) {
                json_t *o = json_object();

                json_object_set_new(o, "key", json_integer(keys[i]));
                json_object_set_new(o, "name",
                                    json_string(api ? api->name : "UNKNOWN"));
                json_object_set_new(o, "min_version", json_integer(mins[i]));
                json_object_set_new(o, "max_version", json_integer(maxs[i]));
                json_object_set_new(o, "usable",
                                    usable >= 0 ? json_integer(usable)
                                                : json_null());
                json_array_append_new(japis, o);
                continue;
            }
            printf("\t%s(%d): %d to %d", api ? api->name : "UNKNOWN",
                   (int)keys[i], (int)mins[i], (int)maxs[i]);
            if (usable >= 0)
                printf(" [usable: %d]", (int)usable);
            printf("%s\n", k + 1 < n ? "," : "");
        }
        if (out) {
            json_object_set_new(jb, "apis", japis);
            json_array_append_new(out, jb);
        } else {
            printf(")\n");
        }
    }
    if (out) {
        json_dumpf(out, stdout, JSON_INDENT(2));
        printf("\n");
        json_decref(out);
    }
    tool_client_close(tc);
    tool_args_fini(&a);
    return rc ? rc : status;
}
