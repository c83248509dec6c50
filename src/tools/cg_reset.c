/*
 * cg_reset.c: samsa consumer-groups --reset-offsets, after
 * kafka-consumer-groups.sh --reset-offsets (Kafka 2.8): the partitions
 * to reset (--topic T[:P,P...] or --all-topics), the new offset of each
 * by the scenario (--to-earliest, --to-latest, --to-current,
 * --to-offset, --shift-by, --to-datetime, --by-duration), kept within
 * the partition, printed (a dry run) or committed (--execute).
 *
 * Owns: the scenario options and their parsing (ISO-8601 date-times and
 * durations), the plan and its OffsetCommit (generation -1, member "",
 * as an admin client commits). Refuses a group with members, as Kafka
 * does. Does not own loading the group (cg_group.c).
 *
 * Spec: Kafka's ConsumerGroupCommand resetOffsets, prepareOffsetsToReset
 * and checkOffsetsRange; java.time.Duration.parse for --by-duration.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cg_int.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_offsetcommit.h"
#include "samsa/xmalloc.h"

/*
 * "YYYY-MM-DDTHH:mm:SS[.sss][Z|+hh:mm|-hh:mm|+hhmm]" -> ms since the epoch;
 * local time without a zone, as Kafka does.
 */
static int
parse_datetime(const char *s, int64_t *ms)
{
    struct tm tm = {0};
    int y, mo, d, h, mi, sec, n = 0, frac = 0, scale = 1000;
    int64_t t;
    const char *p;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
               &n) != 6 ||
        n == 0)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
        y < 1970 || h < 0 || mi < 0 || sec < 0)
        return -1;
    p = s + n;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        for (int k = 0; isdigit((unsigned char)*p); p++, k++)
            if (k < 3) {
                frac = frac * 10 + (*p - '0');
                scale /= 10;
            }
        frac *= scale;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    if (*p == '\0') {
        tm.tm_isdst = -1;
        t = (int64_t)mktime(&tm);
    } else {
        int oh = 0, om = 0, sign = 1;

        if (*p == 'Z' && p[1] == '\0') {
            /* UTC */
        } else if ((*p == '+' || *p == '-') &&
                   (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) == 2 ||
                    sscanf(p + 1, "%2d%2d%n", &oh, &om, &n) == 2) &&
                   p[1 + n] == '\0' && oh <= 18 && om <= 59) {
            sign = *p == '-' ? -1 : 1;
        } else {
            return -1;
        }
        t = (int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60);
    }
    *ms = t * 1000 + frac;
    return 0;
}

/* ISO-8601 "PnDTnHnMn[.n]S" (Java's Duration.parse) -> ms */
static int
parse_duration(const char *s, int64_t *ms)
{
    const char *p = s;
    bool in_time = false, any = false;
    int64_t total = 0;

    if (toupper((unsigned char)*p) != 'P')
        return -1;
    p++;
    while (*p) {
        char *end;
        double v;
        int u;

        if (toupper((unsigned char)*p) == 'T' && !in_time) {
            in_time = true;
            p++;
            if (*p == '\0')
                return -1;
            continue;
        }
        if (!isdigit((unsigned char)*p))
            return -1;
        v = strtod(p, &end);
        if (end == p || v > 1e12)
            return -1;
        u = toupper((unsigned char)*end);
        if (!in_time && u == 'D')
            total += (int64_t)(v * 86400000.0);
        else if (in_time && u == 'H')
            total += (int64_t)(v * 3600000.0);
        else if (in_time && u == 'M')
            total += (int64_t)(v * 60000.0);
        else if (in_time && u == 'S')
            total += (int64_t)(v * 1000.0);
        else
            return -1;
        if (u != 'S' && strchr(p, '.') && strchr(p, '.') < end)
            return -1; /* fractions only for seconds, as Java */
        any = true;
        p = end + 1;
    }
    if (!any)
        return -1;
    *ms = total;
    return 0;
}

/* the partitions to reset: every --topic (with its :P,P list) */
static int
reset_partitions(tool_client_t *tc, cg_group_t *g, const cg_reset_t *rs,
                 cg_tp_t **out, int *nout)
{
    cg_tp_t *tps = NULL;
    int n = 0;
    char err[512];

    if (rs->ntopics == 0) {
        if (g->noffsets == 0) {
            tool_err(CG_CMD,
                     "group '%s' has no committed offsets, so --all-topics "
                     "names none; name them with --topic TOPIC",
                     g->group_id);
            return TOOL_EXIT_FAIL;
        }
        tps = xcalloc((size_t)g->noffsets, sizeof(*tps));
        for (int i = 0; i < g->noffsets; i++) {
            tps[n].topic = g->offsets[i].topic;
            tps[n++].partition = g->offsets[i].partition;
        }
        *out = tps;
        *nout = n;
        return 0;
    }
    for (int i = 0; i < rs->ntopics; i++) {
        const char *spec = rs->topics[i], *colon = strchr(spec, ':');
        char *topic = colon
                          ? arena_strndup(&g->ar, spec, (size_t)(colon - spec))
                          : arena_strndup(&g->ar, spec, strlen(spec));
        const char *const tl[1] = {topic};
        const metadata_resp_t *md;
        const metadata_resp_topic_t *mt;
        int rc = tool_client_metadata(tc, tl, 1, &md, err, sizeof(err));

        if (rc != 0) {
            tool_err(CG_CMD, "%s", err);
            free(tps);
            return rc;
        }
        if (md->ntopics < 1 || md->topics[0].error_code != 0) {
            tool_topic_error(CG_CMD, topic,
                             md->ntopics < 1 ? KERR_UNKNOWN_TOPIC_OR_PARTITION
                                             : md->topics[0].error_code,
                             NULL);
            free(tps);
            return TOOL_EXIT_FAIL;
        }
        mt = &md->topics[0];
        tps = xrealloc(tps, sizeof(*tps) * (size_t)(n + mt->npartitions + 1));
        if (colon == NULL) {
            for (int32_t p = 0; p < mt->npartitions; p++) {
                tps[n].topic = topic;
                tps[n++].partition = p;
            }
            continue;
        }
        for (const char *s = colon + 1; *s;) {
            char *end;
            long p = strtol(s, &end, 10);
            bool found = false;

            if (end == s || (*end != ',' && *end != '\0') || p < 0) {
                tool_err(CG_CMD,
                         "--topic '%s': expected TOPIC or "
                         "TOPIC:P[,P...] with partition numbers",
                         spec);
                free(tps);
                return TOOL_EXIT_USAGE;
            }
            for (int32_t q = 0; q < mt->npartitions; q++)
                found = found || mt->partitions[q].partition_index == p;
            if (!found) {
                tool_err(CG_CMD,
                         "topic '%s' has no partition %ld (it has "
                         "%d); see samsa topics --describe --topic %s",
                         topic, p, (int)mt->npartitions, topic);
                free(tps);
                return TOOL_EXIT_FAIL;
            }
            tps = xrealloc(tps, sizeof(*tps) * (size_t)(n + 1));
            tps[n].topic = topic;
            tps[n++].partition = (int32_t)p;
            s = *end ? end + 1 : end;
        }
    }
    *out = tps;
    *nout = n;
    return 0;
}

/* OffsetCommit of @n offsets outside any generation */
static int
reset_commit(tool_client_t *tc, const cg_group_t *g, const cg_tp_t *tps,
             const int64_t *offs, int n)
{
    offsetcommit_req_topic_t *rt = xcalloc((size_t)n + 1, sizeof(*rt));
    offsetcommit_req_partition_t *rp = xcalloc((size_t)n + 1, sizeof(*rp));
    offsetcommit_req_t req = {0};
    offsetcommit_resp_t resp;
    cg_call_t c;
    int rc, nt = 0;
    char err[512];

    /* partitions of one topic together: tps is sorted by topic */
    for (int i = 0; i < n; i++) {
        if (nt == 0 || strcmp(tps[i].topic, tps[i - 1].topic) != 0) {
            rt[nt].name = cg_ks(tps[i].topic);
            rt[nt].partitions = &rp[i];
            nt++;
        }
        rt[nt - 1].npartitions++;
        rp[i].partition_index = tps[i].partition;
        rp[i].committed_offset = offs[i];
        rp[i].committed_leader_epoch = -1;
        rp[i].commit_timestamp = -1;
        rp[i].committed_metadata = cg_ks("");
    }
    req.group_id = cg_ks(g->group_id);
    req.generation_id = -1;
    req.member_id = cg_ks("");
    req.group_instance_id = (kstr_t){NULL, -1};
    req.retention_time_ms = -1;
    req.ntopics = nt;
    req.topics = rt;
    rc = cg_call_begin(tc, &c, g->coordinator, API_OFFSET_COMMIT, err,
                       sizeof(err));
    if (rc == 0) {
        p_offsetcommit_req_encode(&c.r.kw, c.v, &req);
        rc = cg_call_send(tc, &c, err, sizeof(err));
    }
    if (rc == 0 && p_offsetcommit_resp_decode(&c.kr, c.v, &c.ar, &resp) != 0)
        rc = cg_call_malformed(&c, err, sizeof(err));
    if (rc != 0)
        tool_err(CG_CMD, "%s", err);
    /* the first partition refused */
    for (int32_t t = 0; rc == 0 && t < resp.ntopics; t++)
        for (int32_t p = 0; rc == 0 && p < resp.topics[t].npartitions; p++) {
            int16_t ec = resp.topics[t].partitions[p].error_code;

            if (ec == 0)
                continue;
            if (ec == KERR_UNKNOWN_MEMBER_ID || ec == KERR_ILLEGAL_GENERATION ||
                ec == KERR_REBALANCE_IN_PROGRESS)
                tool_err(CG_CMD,
                         "group '%s' became active while resetting (%s); "
                         "stop its consumers and run the command again",
                         g->group_id, kerr_name(ec));
            else
                tool_err(CG_CMD, "group '%s': %.*s:%d: %s", g->group_id,
                         (int)resp.topics[t].name.len, resp.topics[t].name.ptr,
                         (int)resp.topics[t].partitions[p].partition_index,
                         kerr_name(ec));
            rc = TOOL_EXIT_FAIL;
        }
    cg_call_fini(&c);
    free(rt);
    free(rp);
    return rc;
}

static int
tp_cmp(const void *a, const void *b)
{
    const cg_tp_t *x = a, *y = b;

    return cg_tp_order(x->topic, x->partition, y->topic, y->partition);
}

static int
reset_group(tool_client_t *tc, const char *name, const cg_reset_t *rs,
            json_t *out)
{
    static const char *const heads[] = {"GROUP", "TOPIC", "PARTITION",
                                        "NEW-OFFSET"};
    cg_table_t t = {.ncols = 4, .heads = heads};
    cg_group_t g;
    cg_tp_t *tps = NULL;
    const char **topics = NULL;
    int32_t *parts = NULL;
    int64_t *lo = NULL, *hi = NULL, *at = NULL, *target = NULL;
    int n = 0, rc;
    bool failed = false;
    char err[1024];

    rc = cg_load(tc, name, true, &g, err, sizeof(err));
    if (rc != 0) {
        tool_err(CG_CMD, "%s", err);
        cg_fini(&g);
        return rc;
    }
    if (!cg_dead(&g) && strcmp(g.state, "Empty") != 0) {
        tool_err(CG_CMD,
                 "group '%s' is %s with %d member%s: offsets can only be "
                 "reset while it is inactive; stop its consumers (or wait "
                 "for their session timeout), then run this again",
                 name, g.state, g.nmembers, g.nmembers == 1 ? "" : "s");
        cg_fini(&g);
        return TOOL_EXIT_FAIL;
    }
    rc = reset_partitions(tc, &g, rs, &tps, &n);
    if (rc != 0) {
        cg_fini(&g);
        return rc;
    }
    qsort(tps, (size_t)n, sizeof(*tps), tp_cmp);
    topics = xcalloc((size_t)n + 1, sizeof(char *));
    parts = xcalloc((size_t)n + 1, sizeof(int32_t));
    lo = xcalloc((size_t)n + 1, sizeof(int64_t));
    hi = xcalloc((size_t)n + 1, sizeof(int64_t));
    at = xcalloc((size_t)n + 1, sizeof(int64_t));
    target = xcalloc((size_t)n + 1, sizeof(int64_t));
    for (int i = 0; i < n; i++) {
        topics[i] = tps[i].topic;
        parts[i] = tps[i].partition;
    }
    rc = cg_list_offsets(tc, n, topics, parts, -2, lo, &failed, err,
                         sizeof(err));
    if (rc == 0)
        rc = cg_list_offsets(tc, n, topics, parts, -1, hi, &failed, err,
                             sizeof(err));
    if (rc == 0 && rs->how == TO_TIME)
        rc = cg_list_offsets(tc, n, topics, parts, rs->value, at, &failed, err,
                             sizeof(err));
    if (rc == 0 && failed) {
        tool_err(CG_CMD,
                 "cannot read the offsets of %s; check the partition "
                 "with samsa get-offsets",
                 err);
        rc = TOOL_EXIT_FAIL;
    } else if (rc != 0) {
        tool_err(CG_CMD, "%s", err);
    }
    for (int i = 0; rc == 0 && i < n; i++) {
        const cg_offset_t *cur =
            cg_committed(&g, tps[i].topic, tps[i].partition);
        int64_t v = 0;

        switch (rs->how) {
        case TO_EARLIEST: v = lo[i]; break;
        case TO_LATEST: v = hi[i]; break;
        case TO_CURRENT: v = cur ? cur->offset : hi[i]; break;
        case TO_OFFSET: v = rs->value; break;
        case SHIFT_BY:
            if (cur == NULL) {
                tool_err(CG_CMD,
                         "group '%s' has no committed offset for %s:%d to "
                         "shift; reset it first with --to-earliest, "
                         "--to-latest or --to-offset",
                         name, tps[i].topic, (int)tps[i].partition);
                rc = TOOL_EXIT_FAIL;
                continue;
            }
            v = cur->offset + rs->value;
            break;
        case TO_TIME:
            v = at[i] >= 0 ? at[i] : hi[i]; /* none after: the log end */
            break;
        }
        /* within the partition, as Kafka's checkOffsetsRange */
        if (v > hi[i])
            v = hi[i];
        if (v < lo[i])
            v = lo[i];
        target[i] = v;
    }
    if (rc == 0 && rs->execute)
        rc = reset_commit(tc, &g, tps, target, n);
    for (int i = 0; rc == 0 && i < n; i++) {
        char pb[16], ob[24];

        if (out) {
            json_t *o = json_object();
            const cg_offset_t *cur =
                cg_committed(&g, tps[i].topic, tps[i].partition);

            json_object_set_new(o, "group", json_string(name));
            json_object_set_new(o, "topic", json_string(tps[i].topic));
            json_object_set_new(o, "partition", json_integer(tps[i].partition));
            json_object_set_new(o, "previous_offset",
                                cg_jnum(cur ? cur->offset : -1));
            json_object_set_new(o, "new_offset", json_integer(target[i]));
            json_object_set_new(o, "committed", json_boolean(rs->execute));
            json_array_append_new(out, o);
            continue;
        }
        snprintf(pb, sizeof(pb), "%d", (int)tps[i].partition);
        snprintf(ob, sizeof(ob), "%lld", (long long)target[i]);
        cg_table_add(&t, name, tps[i].topic, pb, ob);
    }
    if (rc == 0 && !out) {
        printf("\n");
        cg_table_print(&t);
    }
    free(topics);
    free(parts);
    free(lo);
    free(hi);
    free(at);
    free(target);
    free(tps);
    cg_fini(&g);
    return rc;
}

int
cg_reset_groups(tool_client_t *tc, char *const *groups, int ngroups,
                const cg_reset_t *rs)
{
    json_t *out = rs->json ? json_array() : NULL;
    int status = 0;

    for (int i = 0; i < ngroups; i++) {
        int rc = reset_group(tc, groups[i], rs, out);

        if (rc != 0)
            status = status == TOOL_EXIT_CONNECT ? status : rc;
        if (rc == TOOL_EXIT_CONNECT)
            break;
    }
    if (out) {
        if (status == 0) {
            json_dumpf(out, stdout, JSON_INDENT(2));
            printf("\n");
        }
        json_decref(out);
    }
    return status;
}

int
cg_reset_scenario(const tool_args_t *a, cg_reset_t *rs)
{
    static const char *const how[] = {"to-earliest", "to-latest", "to-current",
                                      "to-offset",   "shift-by",  "to-datetime",
                                      "by-duration"};
    char err[512];
    const char *s;

    if (cg_count_given(a, how, 7) != 1) {
        tool_err(CG_CMD, "--reset-offsets needs exactly one of --to-earliest, "
                         "--to-latest, --to-current, --to-offset N, --shift-by "
                         "N, --to-datetime TIME, --by-duration PnDTnHnMnS");
        return TOOL_EXIT_USAGE;
    }
    if (tool_opt_has(a, "to-earliest"))
        rs->how = TO_EARLIEST;
    else if (tool_opt_has(a, "to-latest"))
        rs->how = TO_LATEST;
    else if (tool_opt_has(a, "to-current"))
        rs->how = TO_CURRENT;
    else if ((s = tool_opt_get(a, "to-offset")) != NULL) {
        rs->how = TO_OFFSET;
        if (tool_parse_int("to-offset", s, 0, INT64_MAX, &rs->value, err,
                           sizeof(err)) != 0) {
            tool_err(CG_CMD, "%s", err);
            return TOOL_EXIT_USAGE;
        }
    } else if ((s = tool_opt_get(a, "shift-by")) != NULL) {
        rs->how = SHIFT_BY;
        if (tool_parse_int("shift-by", s, INT64_MIN / 2, INT64_MAX / 2,
                           &rs->value, err, sizeof(err)) != 0) {
            tool_err(CG_CMD, "%s", err);
            return TOOL_EXIT_USAGE;
        }
    } else if ((s = tool_opt_get(a, "to-datetime")) != NULL) {
        rs->how = TO_TIME;
        if (parse_datetime(s, &rs->value) != 0) {
            tool_err(CG_CMD,
                     "--to-datetime '%s': expected "
                     "YYYY-MM-DDTHH:mm:SS.sss, optionally followed by "
                     "Z or +hh:mm (e.g. 2024-05-01T08:00:00.000)",
                     s);
            return TOOL_EXIT_USAGE;
        }
    } else {
        struct timespec now;
        int64_t d;

        s = tool_opt_get(a, "by-duration");
        rs->how = TO_TIME;
        if (parse_duration(s, &d) != 0) {
            tool_err(CG_CMD,
                     "--by-duration '%s': expected an ISO-8601 "
                     "duration PnDTnHnMnS (e.g. P1DT2H, PT30M, PT10S)",
                     s);
            return TOOL_EXIT_USAGE;
        }
        clock_gettime(CLOCK_REALTIME, &now);
        rs->value = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 - d;
        if (rs->value < 0)
            rs->value = 0;
    }
    return 0;
}
