/*
 * cmd_configs.c: samsa configs, after kafka-configs.sh: --describe the
 * configuration of topics and brokers with DescribeConfigs (a broker's
 * own entry is asked of that broker). --alter needs AlterConfigs /
 * IncrementalAlterConfigs, which samsad does not serve yet: it is refused
 * with that reason instead of being attempted.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/kerr.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

#define CMD "configs"

static const tool_opt_t opts[] = {
    {"bootstrap-server", "HOST:PORT[,...]",
     "brokers to contact (default $SAMSA_BOOTSTRAP_SERVERS)"},
    {"describe", NULL, "print the configs of --entity-type/--entity-name"},
    {"alter", NULL, "not supported yet (samsad does not serve AlterConfigs)"},
    {"entity-type", "topics|brokers", "the kind of entity"},
    {"entity-name", "NAME",
     "the topic name or broker id (default: every one)"},
    {"topic", "NAME", "same as --entity-type topics --entity-name NAME"},
    {"broker", "ID", "same as --entity-type brokers --entity-name ID"},
    {"all", NULL, "every config, not only the overrides"},
    {"add-config", "K=V[,K=V...]", "with --alter (not supported yet)"},
    {"delete-config", "K[,K...]", "with --alter (not supported yet)"},
    {"json", NULL, "print JSON"},
    {"timeout-ms", "MS", "bound for each broker answer (default 30000)"},
    {"help", NULL, "print this help"},
};

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

/* an override: set on the topic or dynamically on the broker */
static bool
is_override(const tool_config_t *c, int8_t type)
{
    if (c->source < 0)
        return !c->is_default;
    if (type == TOOL_RESOURCE_TOPIC)
        return c->source == 1;
    return c->source == 2 || c->source == 3;
}

static int
describe_one(tool_client_t *tc, int8_t type, const char *name, bool all,
             json_t *out)
{
    const char *kind = type == TOOL_RESOURCE_TOPIC ? "topic" : "broker";
    tool_config_t *cfg;
    char err[512];
    int16_t ec;
    int n, rc;
    arena_t ar;

    arena_init(&ar);
    rc = tool_describe_configs(tc, type, name, &ar, &cfg, &n, &ec, err,
                               sizeof(err));
    if (rc != 0) {
        tool_err(CMD, "%s", err);
    } else if (ec != 0) {
        if (type == TOOL_RESOURCE_TOPIC)
            tool_topic_error(CMD, name, ec, err);
        else
            tool_err(CMD, "broker %s: %s", name, err);
        rc = TOOL_EXIT_FAIL;
    } else if (out) {
        json_t *o = json_object(), *jc = json_array();

        json_object_set_new(o, "entity_type",
                            json_string(type == TOOL_RESOURCE_TOPIC
                                            ? "topics"
                                            : "brokers"));
        json_object_set_new(o, "entity_name", json_string(name));
        for (int i = 0; i < n; i++) {
            json_t *c;

            if (!all && !is_override(&cfg[i], type))
                continue;
            c = json_object();
            json_object_set_new(c, "name", json_string(cfg[i].name));
            json_object_set_new(c, "value", cfg[i].value
                                                ? json_string(cfg[i].value)
                                                : json_null());
            json_object_set_new(c, "source",
                                json_string(tool_config_source_name(
                                    cfg[i].source)));
            json_object_set_new(c, "read_only",
                                json_boolean(cfg[i].read_only));
            json_object_set_new(c, "sensitive",
                                json_boolean(cfg[i].is_sensitive));
            json_array_append_new(jc, c);
        }
        json_object_set_new(o, "configs", jc);
        json_array_append_new(out, o);
    } else {
        printf("%s configs for %s %s are:\n", all ? "All" : "Dynamic", kind,
               name);
        for (int i = 0; i < n; i++) {
            if (!all && !is_override(&cfg[i], type))
                continue;
            printf("  %s=%s sensitive=%s source=%s\n", cfg[i].name,
                   cfg[i].is_sensitive ? "null"
                   : cfg[i].value      ? cfg[i].value
                                       : "null",
                   cfg[i].is_sensitive ? "true" : "false",
                   tool_config_source_name(cfg[i].source));
        }
    }
    arena_fini(&ar);
    return rc;
}

int
cmd_configs(int argc, char **argv)
{
    tool_client_t *tc = NULL;
    tool_args_t a;
    const char *type_s, *name;
    int8_t type = 0;
    json_t *out = NULL;
    int rc, status = 0;

    rc = tool_args_begin(&a, CMD,
                         "--describe --entity-type topics|brokers "
                         "[--entity-name NAME] [--all]",
                         "Describes topic and broker configurations "
                         "(kafka-configs.sh).",
                         opts, NOPTS, argc, argv);
    if (rc != 0) {
        tool_args_fini(&a);
        return rc < 0 ? TOOL_EXIT_OK : rc;
    }
    type_s = tool_opt_get(&a, "entity-type");
    name = tool_opt_get(&a, "entity-name");
    if (tool_opt_get(&a, "topic")) {
        type_s = "topics";
        name = tool_opt_get(&a, "topic");
    } else if (tool_opt_get(&a, "broker")) {
        type_s = "brokers";
        name = tool_opt_get(&a, "broker");
    }
    rc = TOOL_EXIT_USAGE;
    if (tool_opt_has(&a, "alter") || tool_opt_has(&a, "add-config") ||
        tool_opt_has(&a, "delete-config"))
        tool_err(CMD, "--alter is not supported yet: samsad does not serve "
                      "AlterConfigs or IncrementalAlterConfigs. Topic "
                      "overrides can be given at creation with samsa topics "
                      "--create --config KEY=VALUE");
    else if (!tool_opt_has(&a, "describe"))
        tool_err(CMD, "say what to do: --describe (see samsa configs "
                      "--help)");
    else if (type_s == NULL)
        tool_err(CMD, "--describe needs --entity-type topics|brokers (or "
                      "--topic NAME / --broker ID)");
    else if (strcmp(type_s, "topics") == 0 || strcmp(type_s, "topic") == 0)
        type = TOOL_RESOURCE_TOPIC;
    else if (strcmp(type_s, "brokers") == 0 || strcmp(type_s, "broker") == 0)
        type = TOOL_RESOURCE_BROKER;
    else
        tool_err(CMD, "--entity-type %s is not supported: use topics or "
                      "brokers", type_s);
    if (type == TOOL_RESOURCE_BROKER && name &&
        strspn(name, "0123456789") != strlen(name)) {
        tool_err(CMD, "--entity-name %s: a broker is named by its numeric "
                      "id (see samsa cluster)", name);
        type = 0;
    }
    if (type != 0 && a.noperands > 0) {
        tool_err(CMD, "unexpected argument '%s'", a.operands[0]);
        type = 0;
    }
    if (type != 0)
        rc = tool_client_open_args(&a, CMD, &tc);
    if (rc == 0 && tool_opt_has(&a, "json"))
        out = json_array();
    if (rc == 0 && name) {
        status = describe_one(tc, type, name, tool_opt_has(&a, "all"), out);
    } else if (rc == 0 && type == TOOL_RESOURCE_BROKER) {
        int n;
        const tool_broker_t *b = tool_client_brokers(tc, &n);

        for (int i = 0; i < n; i++) {
            char id[16];
            int r;

            snprintf(id, sizeof(id), "%d", (int)b[i].node_id);
            r = describe_one(tc, type, id, tool_opt_has(&a, "all"), out);
            if (r > status)
                status = r;
        }
    } else if (rc == 0) {
        const metadata_resp_t *md;
        char err[512];

        rc = tool_client_metadata(tc, NULL, -1, &md, err, sizeof(err));
        if (rc != 0)
            tool_err(CMD, "%s", err);
        for (int32_t i = 0; rc == 0 && i < md->ntopics; i++) {
            char *t = xasprintf("%.*s", (int)md->topics[i].name.len,
                                md->topics[i].name.ptr);
            int r = describe_one(tc, type, t, tool_opt_has(&a, "all"), out);

            if (r > status)
                status = r;
            free(t);
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
