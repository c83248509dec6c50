/*
 * cmd_get-offsets.c: samsa get-offsets, after kafka-get-offsets.sh (Kafka
 * 3.x; GetOffsetShell before): each partition's offset for --time, asked
 * of its leader with ListOffsets. Prints "topic:partition:offset" lines.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/kerr.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

#define CMD "get-offsets"

static const tool_opt_t opts[] = {
    {"bootstrap-server", "HOST:PORT[,...]",
     "brokers to contact (default $SAMSA_BOOTSTRAP_SERVERS)"},
    {"topic", "NAME", "the topic (repeatable; default every topic)"},
    {"partitions", "P[,P...]", "only these partitions"},
    {"time", "-1|-2|MS",
     "-1 latest (default), -2 earliest, or a timestamp in ms: the first "
     "offset at or after it"},
    {"json", NULL, "print JSON"},
    {"timeout-ms", "MS", "bound for each broker answer (default 30000)"},
    {"help", NULL, "print this help"},
};

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

/* true if @p is in the comma-separated @list (NULL: every partition) */
static bool
wanted(const char *list, int32_t p)
{
    const char *s = list;

    if (list == NULL)
        return true;
    while (*s) {
        char *end;
        long v = strtol(s, &end, 10);

        if (end != s && v == p)
            return true;
        s = strchr(s, ',');
        if (s == NULL)
            break;
        s++;
    }
    return false;
}

static int
check_list(const char *list)
{
    for (const char *s = list; s && *s; s++)
        if (!(*s >= '0' && *s <= '9') && *s != ',')
            return -1;
    return 0;
}

int
cmd_get_offsets(int argc, char **argv)
{
    const metadata_resp_t *md;
    tool_client_t *tc = NULL;
    tool_args_t a;
    char *const *topics;
    const char *plist, *t;
    char err[512];
    int64_t ts = -1;
    int ntopics, rc, status = 0;
    bool json;
    json_t *out = NULL;

    rc = tool_args_begin(&a, CMD, "[--topic NAME] [--time -1|-2|MS] [options]",
                         "Prints each partition's offset at a time "
                         "(kafka-get-offsets.sh).",
                         opts, NOPTS, argc, argv);
    if (rc != 0) {
        tool_args_fini(&a);
        return rc < 0 ? TOOL_EXIT_OK : rc;
    }
    topics = tool_opt_all(&a, "topic", &ntopics);
    plist = tool_opt_get(&a, "partitions");
    json = tool_opt_has(&a, "json");
    rc = TOOL_EXIT_USAGE;
    if ((t = tool_opt_get(&a, "time")) &&
        (strcmp(t, "latest") == 0 || strcmp(t, "earliest") == 0))
        ts = t[0] == 'l' ? -1 : -2;
    else if (t && tool_parse_int("time", t, -2, INT64_MAX, &ts, err,
                                 sizeof(err)) != 0)
        tool_err(CMD, "%s (-1 latest, -2 earliest, or ms since the epoch)",
                 err);
    else if (check_list(plist) != 0)
        tool_err(CMD,
                 "--partitions '%s': expected numbers separated by "
                 "commas",
                 plist);
    else if (a.noperands > 0)
        tool_err(CMD, "unexpected argument '%s'", a.operands[0]);
    else
        rc = tool_client_open_args(&a, CMD, &tc);
    if (rc == 0) {
        rc =
            tool_client_metadata(tc, (const char *const *)topics,
                                 ntopics ? ntopics : -1, &md, err, sizeof(err));
        if (rc != 0)
            tool_err(CMD, "%s", err);
    }
    if (rc == 0 && json)
        out = json_array();
    for (int32_t i = 0; rc == 0 && i < md->ntopics; i++) {
        const metadata_resp_topic_t *mt = &md->topics[i];
        char *name = xasprintf("%.*s", (int)mt->name.len, mt->name.ptr);
        int32_t *parts = xcalloc((size_t)mt->npartitions + 1, sizeof(int32_t));
        int32_t *leaders =
            xcalloc((size_t)mt->npartitions + 1, sizeof(int32_t));
        int64_t *offs = xcalloc((size_t)mt->npartitions + 1, sizeof(int64_t));
        int16_t *errs = xcalloc((size_t)mt->npartitions + 1, sizeof(int16_t));
        int n = 0;

        if (mt->error_code != 0) {
            tool_topic_error(CMD, name, mt->error_code, NULL);
            status = TOOL_EXIT_FAIL;
        }
        for (int32_t p = 0; p < mt->npartitions && mt->error_code == 0; p++) {
            /* in partition order */
            for (int32_t q = 0; q < mt->npartitions; q++)
                if (mt->partitions[q].partition_index == p &&
                    wanted(plist, p)) {
                    parts[n] = p;
                    leaders[n++] = mt->partitions[q].leader_id;
                }
        }
        err[0] = '\0';
        if (n > 0)
            rc = tool_list_offsets(tc, name, parts, leaders, n, ts, offs, errs,
                                   err, sizeof(err));
        for (int j = 0; rc == 0 && j < n; j++) {
            if (errs[j] != 0) {
                tool_err(CMD, "%s:%d: %s", name, (int)parts[j],
                         errs[j] == -1 ? err : kerr_name(errs[j]));
                status = TOOL_EXIT_FAIL;
                continue;
            }
            if (json) {
                json_t *o = json_object();

                json_object_set_new(o, "topic", json_string(name));
                json_object_set_new(o, "partition", json_integer(parts[j]));
                json_object_set_new(o, "offset", json_integer(offs[j]));
                json_array_append_new(out, o);
            } else {
                printf("%s:%d:%lld\n", name, (int)parts[j], (long long)offs[j]);
            }
        }
        if (rc != 0)
            tool_err(CMD, "%s", err);
        free(parts);
        free(leaders);
        free(offs);
        free(errs);
        free(name);
    }
    if (out) {
        if (rc == 0) {
            json_dumpf(out, stdout, JSON_INDENT(2));
            printf("\n");
        }
        json_decref(out);
    }
    tool_client_close(tc);
    tool_args_fini(&a);
    return rc ? rc : status;
}
