/*
 * cmd_configs.c: samsa configs, after kafka-configs.sh: --describe the
 * configuration of topics and brokers with DescribeConfigs (a broker's
 * own entry is asked of that broker); --alter them with
 * IncrementalAlterConfigs (SET for --add-config, DELETE for
 * --delete-config), or, when the broker lacks it, AlterConfigs with the
 * current overrides merged (the whole set is replaced). A broker's own
 * entry is altered through that broker; --entity-default alters the
 * cluster-wide broker defaults (/config/brokers/<default>).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_alterconfigs.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

#define CMD "configs"

static const tool_opt_t opts[] = {
    {"bootstrap-server", "HOST:PORT[,...]",
     "brokers to contact (default $SAMSA_BOOTSTRAP_SERVERS)"},
    {"describe", NULL, "print the configs of --entity-type/--entity-name"},
    {"alter", NULL, "change the configs of --entity-type/--entity-name"},
    {"entity-type", "topics|brokers", "the kind of entity"},
    {"entity-name", "NAME", "the topic name or broker id (default: every one)"},
    {"topic", "NAME", "same as --entity-type topics --entity-name NAME"},
    {"broker", "ID", "same as --entity-type brokers --entity-name ID"},
    {"entity-default", NULL, "with brokers: the cluster-wide dynamic defaults"},
    {"all", NULL, "every config, not only the overrides"},
    {"add-config", "K=V[,K=V...]",
     "with --alter: set these (a list value in brackets: K=[a,b])"},
    {"delete-config", "K[,K...]",
     "with --alter: remove these overrides (back to the default)"},
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

        json_object_set_new(
            o, "entity_type",
            json_string(type == TOOL_RESOURCE_TOPIC ? "topics" : "brokers"));
        json_object_set_new(o, "entity_name", json_string(name));
        for (int i = 0; i < n; i++) {
            json_t *c;

            if (!all && !is_override(&cfg[i], type))
                continue;
            c = json_object();
            json_object_set_new(c, "name", json_string(cfg[i].name));
            json_object_set_new(c, "value",
                                cfg[i].value ? json_string(cfg[i].value)
                                             : json_null());
            json_object_set_new(
                c, "source",
                json_string(tool_config_source_name(cfg[i].source)));
            json_object_set_new(c, "read_only", json_boolean(cfg[i].read_only));
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

/* ---- --alter ---------------------------------------------------------- */

/* a copy of @old's @n elements in a new arena array of @m */
static void *
ops_grow(arena_t *ar, void *old, int32_t n, int32_t m, size_t size)
{
    void *p = arena_calloc(ar, (size_t)m, size);

    if (n > 0)
        memcpy(p, old, (size_t)n * size);
    return p;
}

/* splits "k=v,k2=[a,b]" (@with_values) or "k,k2" into @ar-owned ops */
static int
parse_ops(arena_t *ar, const char *arg, bool with_values, int8_t op,
          alterconfigs_req_config_t **ops, int32_t *n)
{
    size_t len = strlen(arg);
    char *copy = arena_strndup(ar, arg, len), *p = copy;

    while (*p != '\0') {
        char *start = p, *eq = NULL;
        int depth = 0;
        alterconfigs_req_config_t *c;

        for (; *p != '\0' && (depth > 0 || *p != ','); p++) {
            if (*p == '[')
                depth++;
            else if (*p == ']' && depth > 0)
                depth--;
            else if (*p == '=' && eq == NULL)
                eq = p;
        }
        if (*p == ',')
            *p++ = '\0';
        if (*start == '\0')
            continue;
        if (with_values && eq == NULL) {
            tool_err(CMD, "--add-config: '%s' is not KEY=VALUE", start);
            return TOOL_EXIT_USAGE;
        }
        *ops = ops_grow(ar, *ops, *n, *n + 1, sizeof(**ops));
        c = &(*ops)[(*n)++];
        memset(c, 0, sizeof(*c));
        c->config_operation = op;
        if (with_values) {
            char *v = eq + 1;
            size_t vl = strlen(v);

            *eq = '\0';
            if (vl >= 2 && v[0] == '[' && v[vl - 1] == ']') {
                v[vl - 1] = '\0';
                v++;
            }
            c->value = (kstr_t){v, (int32_t)strlen(v)};
        } else {
            c->value = (kstr_t){NULL, -1};
        }
        c->name = (kstr_t){start, (int32_t)strlen(start)};
    }
    return 0;
}

/* AlterConfigs replaces the set: the current overrides, merged */
static int
merge_current(tool_client_t *tc, int8_t type, const char *name, arena_t *ar,
              alterconfigs_req_config_t **ops, int32_t *n)
{
    int8_t want = type == TOOL_RESOURCE_TOPIC ? 1 : *name ? 2 : 3;
    int32_t given = *n;
    tool_config_t *cfg;
    char err[512];
    int16_t ec;
    int nc, rc;

    rc = tool_describe_configs(tc, type, name, ar, &cfg, &nc, &ec, err,
                               sizeof(err));
    if (rc == 0 && ec != 0)
        rc = TOOL_EXIT_FAIL;
    if (rc != 0) {
        tool_err(CMD, "%s", err);
        return rc;
    }
    for (int i = 0; i < nc; i++) {
        bool named = false;

        if (cfg[i].source != want || cfg[i].value == NULL)
            continue;
        for (int32_t k = 0; k < given; k++)
            if ((*ops)[k].name.len == (int32_t)strlen(cfg[i].name) &&
                memcmp((*ops)[k].name.ptr, cfg[i].name, strlen(cfg[i].name)) ==
                    0)
                named = true;
        if (named)
            continue;
        *ops = ops_grow(ar, *ops, *n, *n + 1, sizeof(**ops));
        (*ops)[*n] = (alterconfigs_req_config_t){
            {cfg[i].name, (int32_t)strlen(cfg[i].name)},
            0,
            {cfg[i].value, (int32_t)strlen(cfg[i].value)}};
        (*n)++;
    }
    /* deletions are simply left out of the new set */
    for (int32_t k = 0; k < *n; k++)
        if ((*ops)[k].config_operation == 1) {
            (*ops)[k] = (*ops)[*n - 1];
            (*n)--;
            k--;
        }
    return 0;
}

static int
alter_one(tool_client_t *tc, int8_t type, const char *name, const char *add,
          const char *del)
{
    int32_t node = type == TOOL_RESOURCE_BROKER && *name
                       ? (int32_t)strtol(name, NULL, 10)
                       : -1;
    alterconfigs_req_config_t *ops = NULL;
    alterconfigs_req_resource_t res = {0};
    alterconfigs_req_t req = {0};
    alterconfigs_resp_t resp;
    int16_t key = API_INCREMENTAL_ALTER_CONFIGS, v;
    buf_t frame = BUF_INIT;
    int32_t n = 0;
    char err[512];
    tool_req_t r;
    kread_t kr;
    arena_t ar;
    int rc;

    arena_init(&ar);
    rc = add ? parse_ops(&ar, add, true, 0, &ops, &n) : 0;
    if (rc == 0 && del)
        rc = parse_ops(&ar, del, false, 1, &ops, &n);
    if (rc == 0 && n == 0) {
        tool_err(CMD, "--alter needs --add-config or --delete-config");
        rc = TOOL_EXIT_USAGE;
    }
    if (rc == 0 &&
        tool_client_version(tc, node, key, &v, err, sizeof(err)) != 0) {
        key = API_ALTER_CONFIGS;
        rc = tool_client_version(tc, node, key, &v, err, sizeof(err));
        if (rc != 0)
            tool_err(CMD, "%s", err);
        else
            rc = merge_current(tc, type, name, &ar, &ops, &n);
    }
    if (rc != 0) {
        arena_fini(&ar);
        return rc;
    }
    res.resource_type = type;
    res.resource_name = (kstr_t){name, (int32_t)strlen(name)};
    res.nconfigs = n;
    res.configs = ops;
    req.nresources = 1;
    req.resources = &res;
    tool_req_begin(tc, &r, node, key, v);
    if (key == API_ALTER_CONFIGS)
        p_alterconfigs_req_encode(&r.kw, v, &req);
    else
        p_incrementalalterconfigs_req_encode(&r.kw, v, &req);
    rc = tool_req_call(tc, &r, &frame, &kr, err, sizeof(err));
    if (rc == 0 && ((key == API_ALTER_CONFIGS
                         ? p_alterconfigs_resp_decode(&kr, v, &ar, &resp)
                         : p_incrementalalterconfigs_resp_decode(&kr, v, &ar,
                                                                 &resp)) != 0 ||
                    resp.nresponses < 1)) {
        snprintf(err, sizeof(err), "malformed %s response",
                 kapi_find(key)->name);
        rc = TOOL_EXIT_FAIL;
    }
    if (rc != 0) {
        tool_err(CMD, "%s", err);
    } else if (resp.responses[0].error_code != 0) {
        const alterconfigs_resp_response_t *e = &resp.responses[0];

        if (e->error_code == KERR_UNKNOWN_TOPIC_OR_PARTITION &&
            type == TOOL_RESOURCE_TOPIC)
            tool_topic_error(CMD, name, e->error_code, NULL);
        else
            tool_err(CMD, "%s: %.*s", kerr_name(e->error_code),
                     (int)(e->error_message.len > 0 ? e->error_message.len : 0),
                     e->error_message.len > 0 ? e->error_message.ptr : "");
        rc = TOOL_EXIT_FAIL;
    } else if (type == TOOL_RESOURCE_TOPIC) {
        printf("Completed updating config for topic %s.\n", name);
    } else if (*name) {
        printf("Completed updating config for broker %s.\n", name);
    } else {
        printf("Completed updating default config for brokers in the "
               "cluster.\n");
    }
    buf_fini(&frame);
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
    bool alter;

    rc = tool_args_begin(&a, CMD,
                         "--describe|--alter --entity-type topics|brokers "
                         "[--entity-name NAME | --entity-default] [--all] "
                         "[--add-config K=V,...] [--delete-config K,...]",
                         "Describes and alters topic and broker "
                         "configurations (kafka-configs.sh).",
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
    if (tool_opt_has(&a, "entity-default"))
        name = "";
    alter = tool_opt_has(&a, "alter");
    rc = TOOL_EXIT_USAGE;
    if (!alter &&
        (tool_opt_has(&a, "add-config") || tool_opt_has(&a, "delete-config")))
        tool_err(CMD, "--add-config and --delete-config go with --alter");
    else if (alter && tool_opt_has(&a, "describe"))
        tool_err(CMD, "say one thing to do: --describe or --alter");
    else if (!alter && !tool_opt_has(&a, "describe"))
        tool_err(CMD, "say what to do: --describe or --alter (see samsa "
                      "configs --help)");
    else if (type_s == NULL)
        tool_err(CMD,
                 "--%s needs --entity-type topics|brokers (or "
                 "--topic NAME / --broker ID)",
                 alter ? "alter" : "describe");
    else if (strcmp(type_s, "topics") == 0 || strcmp(type_s, "topic") == 0)
        type = TOOL_RESOURCE_TOPIC;
    else if (strcmp(type_s, "brokers") == 0 || strcmp(type_s, "broker") == 0)
        type = TOOL_RESOURCE_BROKER;
    else
        tool_err(CMD,
                 "--entity-type %s is not supported: use topics or "
                 "brokers",
                 type_s);
    if (type == TOOL_RESOURCE_TOPIC && name && *name == '\0') {
        tool_err(CMD, "--entity-default goes with --entity-type brokers");
        type = 0;
    }
    if (type != 0 && alter && name == NULL) {
        tool_err(CMD, "--alter needs --entity-name%s",
                 type == TOOL_RESOURCE_BROKER ? " or --entity-default" : "");
        type = 0;
    }
    if (type == TOOL_RESOURCE_BROKER && name &&
        strspn(name, "0123456789") != strlen(name)) {
        tool_err(CMD,
                 "--entity-name %s: a broker is named by its numeric "
                 "id (see samsa cluster)",
                 name);
        type = 0;
    }
    if (type != 0 && a.noperands > 0) {
        tool_err(CMD, "unexpected argument '%s'", a.operands[0]);
        type = 0;
    }
    if (type != 0)
        rc = tool_client_open_args(&a, CMD, &tc);
    if (rc == 0 && tool_opt_has(&a, "json") && !alter)
        out = json_array();
    if (rc == 0 && alter) {
        status = alter_one(tc, type, name, tool_opt_get(&a, "add-config"),
                           tool_opt_get(&a, "delete-config"));
    } else if (rc == 0 && name) {
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
