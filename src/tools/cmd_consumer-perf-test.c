/*
 * cmd_consumer-perf-test.c: samsa consumer-perf-test, after
 * kafka-consumer-perf-test.sh: reads --messages records of a topic and
 * prints Kafka's result line (start.time, end.time, data.consumed.in.MB,
 * MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,
 * fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec).
 *
 * There is no group coordinator yet: the consumer assigns itself every
 * partition of the topic, from the earliest offset (auto.offset.reset
 * earliest, as Kafka's tool) or, with --from-latest, the latest; so
 * rebalance.time.ms is always 0. Each leader has one Fetch in flight at
 * a time and poll() waits on all of them, so partitions led by different
 * brokers are read in parallel. Counting stops at exactly --messages
 * records (Kafka's tool may overshoot by the rest of a poll).
 *
 * Progress: with --show-detailed-stats, Kafka's periodic lines (time,
 * threadId, ...) every --reporting-interval on standard output;
 * otherwise, when standard error is a terminal, a short progress line
 * there.
 *
 * Spec: Kafka 2.8 ConsumerPerformance (columns, formats, MB = 2^20 bytes
 * of keys and values, --timeout between returned records, default
 * date format yyyy-MM-dd HH:mm:ss:SSS).
 */
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "samsa/batch.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_fetch.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

#define CMD "consumer-perf-test"
#define MAX_WAIT_MS 100 /* Fetch long-poll bound, like the tool's poll(100) */

static const tool_opt_t opts[] = {
    {"bootstrap-server", "HOST:PORT[,...]",
     "brokers to contact (default $SAMSA_BOOTSTRAP_SERVERS)"},
    {"topic", "NAME", "the topic to read"},
    {"messages", "N", "how many records to read"},
    {"timeout", "MS",
     "give up when no record came for MS milliseconds (default 10000)"},
    {"from-latest", NULL, "start at the latest offset, not the earliest"},
    {"fetch-size", "BYTES",
     "bytes to fetch per partition and request (default 1048576)"},
    {"show-detailed-stats", NULL,
     "print Kafka's periodic statistics every --reporting-interval"},
    {"reporting-interval", "MS", "interval of progress lines (default 5000)"},
    {"date-format", "FORMAT",
     "time format: yyyy MM dd HH mm ss SSS (default "
     "yyyy-MM-dd HH:mm:ss:SSS)"},
    {"hide-header", NULL, "do not print the header line"},
    {"print-metrics", NULL, "print the consumer's metrics at the end"},
    {"group", "ID",
     "ignored: no group coordinator yet, every partition "
     "is assigned"},
    {"help", NULL, "print this help"},
};

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

typedef struct cpart {
    int32_t partition;
    int32_t leader;
    int64_t offset; /* next to fetch; -1 until resolved */
    int32_t max_bytes;
} cpart_t;

typedef struct cleader {
    int32_t node;
    bool busy; /* a Fetch is in flight */
    tool_req_t req;
    int64_t sent_ms;
} cleader_t;

typedef struct cperf {
    tool_client_t *tc;
    const char *topic;
    const char *date_format;
    int64_t messages, timeout_ms, fetch_size, interval_ms;
    bool from_latest, detailed;
    cpart_t *parts;
    int nparts;
    cleader_t *leaders;
    int nleaders;
    bool refresh;
    /* statistics */
    int64_t count, bytes;
    int64_t last_count, last_bytes, last_report_ms; /* wall */
    int64_t fetches, fetch_latency_ms, records_lag_max;
} cperf_t;

/* Java's SimpleDateFormat, for the letters Kafka's default uses */
static void
format_time(const char *fmt, int64_t ms, char *out, size_t len)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    size_t o = 0;

    localtime_r(&secs, &tm);
    while (*fmt && o + 8 < len) {
        size_t run = 1;
        int v = -1, width = 0;

        while (fmt[run] == fmt[0])
            run++;
        switch (fmt[0]) {
        case 'y':
            v = tm.tm_year + 1900;
            width = run == 2 ? 2 : 4;
            if (run == 2)
                v %= 100;
            break;
        case 'M':
            v = tm.tm_mon + 1;
            width = (int)run;
            break;
        case 'd':
            v = tm.tm_mday;
            width = (int)run;
            break;
        case 'H':
            v = tm.tm_hour;
            width = (int)run;
            break;
        case 'm':
            v = tm.tm_min;
            width = (int)run;
            break;
        case 's':
            v = tm.tm_sec;
            width = (int)run;
            break;
        case 'S':
            v = (int)(ms % 1000);
            width = (int)run;
            break;
        default: break;
        }
        if (v >= 0) {
            o += (size_t)snprintf(out + o, len - o, "%0*d", width, v);
            fmt += run;
        } else {
            out[o++] = *fmt++;
        }
    }
    out[o < len ? o : len - 1] = '\0';
}

static int
cperf_metadata(cperf_t *c)
{
    const metadata_resp_t *md;
    const char *topics[1] = {c->topic};
    const metadata_resp_topic_t *t;
    char err[512];
    int rc = tool_client_metadata(c->tc, topics, 1, &md, err, sizeof(err));

    if (rc != 0) {
        tool_err(CMD, "%s", err);
        return rc;
    }
    if (md->ntopics < 1 || md->topics[0].error_code != 0) {
        tool_topic_error(CMD, c->topic,
                         md->ntopics < 1 ? KERR_UNKNOWN_TOPIC_OR_PARTITION
                                         : md->topics[0].error_code,
                         NULL);
        return TOOL_EXIT_FAIL;
    }
    t = &md->topics[0];
    if (c->parts == NULL) {
        c->parts = xcalloc((size_t)t->npartitions + 1, sizeof(*c->parts));
        for (int32_t i = 0; i < t->npartitions; i++) {
            c->parts[c->nparts].partition = t->partitions[i].partition_index;
            c->parts[c->nparts].offset = -1;
            c->parts[c->nparts].max_bytes = (int32_t)c->fetch_size;
            c->nparts++;
        }
        if (c->nparts == 0) {
            tool_err(CMD, "topic '%s' has no partitions", c->topic);
            return TOOL_EXIT_FAIL;
        }
    }
    for (int i = 0; i < c->nparts; i++) {
        c->parts[i].leader = -1;
        for (int32_t j = 0; j < t->npartitions; j++)
            if (t->partitions[j].partition_index == c->parts[i].partition &&
                t->partitions[j].error_code == KERR_NONE)
                c->parts[i].leader = t->partitions[j].leader_id;
        if (c->parts[i].leader >= 0) {
            bool seen = false;

            for (int l = 0; l < c->nleaders; l++)
                seen = seen || c->leaders[l].node == c->parts[i].leader;
            if (!seen) {
                c->leaders =
                    xrealloc(c->leaders,
                             sizeof(*c->leaders) * (size_t)(c->nleaders + 1));
                memset(&c->leaders[c->nleaders], 0, sizeof(*c->leaders));
                c->leaders[c->nleaders++].node = c->parts[i].leader;
            }
        }
    }
    return 0;
}

/* resolves the partitions whose offset is -1 */
static int
cperf_resolve(cperf_t *c)
{
    int32_t *parts = xcalloc((size_t)c->nparts, sizeof(*parts));
    int32_t *leaders = xcalloc((size_t)c->nparts, sizeof(*leaders));
    int64_t *offs = xcalloc((size_t)c->nparts, sizeof(*offs));
    int16_t *errs = xcalloc((size_t)c->nparts, sizeof(*errs));
    int *idx = xcalloc((size_t)c->nparts, sizeof(*idx));
    char err[512] = "";
    int n = 0, rc;

    for (int i = 0; i < c->nparts; i++)
        if (c->parts[i].offset < 0) {
            parts[n] = c->parts[i].partition;
            leaders[n] = c->parts[i].leader;
            idx[n++] = i;
        }
    rc = n ? tool_list_offsets(c->tc, c->topic, parts, leaders, n,
                               c->from_latest ? -1 : -2, offs, errs, err,
                               sizeof(err))
           : 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        if (errs[i] == 0)
            c->parts[idx[i]].offset = offs[i];
        else
            c->refresh = true;
    }
    if (rc != 0)
        tool_err(CMD, "%s", err);
    free(parts);
    free(leaders);
    free(offs);
    free(errs);
    free(idx);
    return rc;
}

/* counts the records of one partition's answer; advances its offset */
static void
cperf_records(cperf_t *c, cpart_t *cp, const fetch_resp_partition_t *p)
{
    const uint8_t *data = p->records.ptr;
    size_t left = p->records.len > 0 ? (size_t)p->records.len : 0;
    bool any = false;
    batch_hdr_t h;

    if (p->high_watermark - cp->offset > c->records_lag_max)
        c->records_lag_max = p->high_watermark - cp->offset;
    while (left >= BATCH_HEADER_SIZE && batch_hdr_parse(data, left, &h) == 0 &&
           batch_size(&h) <= left && c->count < c->messages) {
        batch_iter_t it;
        batch_record_t rec;
        int rc = batch_iter_init(&it, data, batch_size(&h));

        any = true;
        while (rc == 0 && c->count < c->messages &&
               (rc = batch_iter_next(&it, &rec)) == 1) {
            int64_t off = h.base_offset + rec.offset_delta;

            rc = 0;
            if (off < cp->offset || (h.attributes & BATCH_ATTR_CONTROL))
                continue;
            c->count++;
            c->bytes += (rec.key_len > 0 ? rec.key_len : 0) +
                        (rec.value_len > 0 ? rec.value_len : 0);
            cp->offset = off + 1;
        }
        if (rc < 0)
            tool_err(CMD, "%s-%d: cannot read the batch at offset %lld: %s",
                     c->topic, (int)cp->partition, (long long)h.base_offset,
                     err_str(rc));
        batch_iter_fini(&it);
        if (c->count >= c->messages)
            return;
        if (batch_last_offset(&h) + 1 > cp->offset)
            cp->offset = batch_last_offset(&h) + 1;
        data += batch_size(&h);
        left -= batch_size(&h);
    }
    if (!any && left > 0 && cp->max_bytes < (1 << 28))
        cp->max_bytes *= 2; /* a batch bigger than we asked for */
}

/* sends a Fetch to @l for its partitions; false if nothing was sent */
static bool
cperf_send(cperf_t *c, cleader_t *l)
{
    fetch_req_partition_t *rp = xcalloc((size_t)c->nparts, sizeof(*rp));
    fetch_req_topic_t rt = {0};
    fetch_req_t req = {0};
    char err[512];
    int16_t v;
    int np = 0;

    for (int i = 0; i < c->nparts; i++) {
        if (c->parts[i].leader != l->node || c->parts[i].offset < 0)
            continue;
        rp[np].partition = c->parts[i].partition;
        rp[np].current_leader_epoch = -1;
        rp[np].fetch_offset = c->parts[i].offset;
        rp[np].last_fetched_epoch = -1;
        rp[np].log_start_offset = -1;
        rp[np].partition_max_bytes = c->parts[i].max_bytes;
        np++;
    }
    if (np == 0) {
        free(rp);
        return false;
    }
    if (tool_client_version(c->tc, l->node, API_FETCH, &v, err, sizeof(err)) !=
        0) {
        tool_err(CMD, "%s (will retry)", err);
        c->refresh = true;
        free(rp);
        return false;
    }
    rt.topic = (kstr_t){c->topic, (int32_t)strlen(c->topic)};
    rt.npartitions = np;
    rt.partitions = rp;
    req.cluster_id.len = -1;
    req.replica_id = -1;
    req.max_wait_ms = MAX_WAIT_MS;
    req.min_bytes = 1;
    req.max_bytes = 52428800; /* fetch.max.bytes */
    req.session_epoch = -1;
    req.ntopics = 1;
    req.topics = &rt;
    req.rack_id = (kstr_t){"", 0};
    tool_req_begin(c->tc, &l->req, l->node, API_FETCH, v);
    p_fetch_req_encode(&l->req.kw, v, &req);
    free(rp);
    if (tool_req_send(c->tc, &l->req, err, sizeof(err)) != 0) {
        tool_err(CMD, "%s (will retry)", err);
        c->refresh = true;
        return false;
    }
    l->busy = true;
    l->sent_ms = clock_mono_ms();
    c->fetches++;
    return true;
}

/* reads @l's answer; 0 or an exit code for a broken one */
static int
cperf_recv(cperf_t *c, cleader_t *l)
{
    buf_t frame = BUF_INIT;
    fetch_resp_t resp;
    char err[512];
    kread_t kr;
    arena_t ar;
    int rc = 0;

    l->busy = false;
    if (tool_req_recv(c->tc, &l->req, &frame, &kr,
                      tool_client_timeout(c->tc) + MAX_WAIT_MS, err,
                      sizeof(err)) != 0) {
        tool_err(CMD, "%s (will retry)", err);
        c->refresh = true;
        buf_fini(&frame);
        return 0;
    }
    c->fetch_latency_ms += clock_mono_ms() - l->sent_ms;
    arena_init(&ar);
    if (p_fetch_resp_decode(&kr, l->req.version, &ar, &resp) != 0) {
        tool_err(CMD, "malformed Fetch response from broker %d", (int)l->node);
        rc = TOOL_EXIT_FAIL;
    }
    for (int32_t t = 0; rc == 0 && t < resp.nresponses; t++)
        for (int32_t q = 0; q < resp.responses[t].npartitions; q++) {
            const fetch_resp_partition_t *p = &resp.responses[t].partitions[q];
            cpart_t *cp = NULL;

            for (int i = 0; i < c->nparts; i++)
                if (c->parts[i].partition == p->partition_index &&
                    c->parts[i].leader == l->node)
                    cp = &c->parts[i];
            if (cp == NULL)
                continue;
            if (p->error_code == KERR_OFFSET_OUT_OF_RANGE) {
                cp->offset = -1; /* auto.offset.reset */
                c->refresh = true;
            } else if (p->error_code != 0) {
                c->refresh = true;
            } else {
                cperf_records(c, cp, p);
            }
        }
    arena_fini(&ar);
    buf_fini(&frame);
    return rc;
}

/* Kafka's printConsumerProgress (one thread, id 0) */
static void
cperf_progress(cperf_t *c, int64_t now_wall)
{
    int64_t elapsed = now_wall - c->last_report_ms;
    double mb = (double)c->bytes / (1024.0 * 1024.0);
    double imb = (double)(c->bytes - c->last_bytes) / (1024.0 * 1024.0);
    double mbs = elapsed > 0 ? 1000.0 * imb / (double)elapsed : 0.0;
    double ns = elapsed > 0 ? 1000.0 * (double)(c->count - c->last_count) /
                                  (double)elapsed
                            : 0.0;
    char when[64];

    if (c->detailed) {
        format_time(c->date_format, now_wall, when, sizeof(when));
        printf("%s, %d, %.4f, %.4f, %lld, %.4f, %d, %lld, %.4f, %.4f\n", when,
               0, mb, mbs, (long long)c->count, ns, 0, (long long)elapsed, mbs,
               ns);
        fflush(stdout);
    } else if (isatty(STDERR_FILENO)) {
        fprintf(stderr,
                "%lld records consumed, %.1f records/sec "
                "(%.2f MB/sec)\n",
                (long long)c->count, ns, mbs);
    }
    c->last_report_ms = now_wall;
    c->last_count = c->count;
    c->last_bytes = c->bytes;
}

static int
cperf_run(cperf_t *c, bool *timed_out)
{
    int64_t last_rec = clock_mono_ms();
    struct pollfd *pfds = NULL;
    int *which = NULL;
    int rc = cperf_resolve(c);

    *timed_out = false;
    while (rc == 0 && c->count < c->messages) {
        int64_t now = clock_mono_ms(), before = c->count;
        int nfds = 0;

        if (now - last_rec > c->timeout_ms) {
            *timed_out = true;
            break;
        }
        if (c->refresh) {
            bool busy = false;

            for (int l = 0; l < c->nleaders; l++)
                busy = busy || c->leaders[l].busy;
            if (!busy) {
                c->refresh = false;
                usleep(100000);
                rc = cperf_metadata(c);
                if (rc == 0)
                    rc = cperf_resolve(c);
                if (rc != 0)
                    break;
            }
        }
        for (int l = 0; !c->refresh && l < c->nleaders; l++)
            if (!c->leaders[l].busy)
                cperf_send(c, &c->leaders[l]);
        free(pfds);
        free(which);
        pfds = xcalloc((size_t)c->nleaders + 1, sizeof(*pfds));
        which = xcalloc((size_t)c->nleaders + 1, sizeof(*which));
        for (int l = 0; l < c->nleaders; l++) {
            int fd;

            if (!c->leaders[l].busy)
                continue;
            fd = tool_client_fd(c->tc, c->leaders[l].node);
            if (fd < 0) {
                c->leaders[l].busy = false;
                c->refresh = true;
                continue;
            }
            pfds[nfds].fd = fd;
            pfds[nfds].events = POLLIN;
            which[nfds++] = l;
        }
        if (nfds == 0) {
            usleep(MAX_WAIT_MS * 1000);
            c->refresh = true;
            continue;
        }
        if (poll(pfds, (nfds_t)nfds, MAX_WAIT_MS * 2) > 0) {
            for (int i = 0; i < nfds && rc == 0; i++)
                if (pfds[i].revents & (POLLIN | POLLERR | POLLHUP))
                    rc = cperf_recv(c, &c->leaders[which[i]]);
        } else {
            /* a slow answer: give it the full request timeout */
            for (int i = 0; i < nfds && rc == 0; i++)
                if (now - c->leaders[which[i]].sent_ms >
                    tool_client_timeout(c->tc))
                    rc = cperf_recv(c, &c->leaders[which[i]]);
        }
        if (c->count > before)
            last_rec = clock_mono_ms();
        if (clock_wall_ms() - c->last_report_ms >= c->interval_ms)
            cperf_progress(c, clock_wall_ms());
    }
    free(pfds);
    free(which);
    return rc;
}

static int
cperf_configure(cperf_t *c, const tool_args_t *a)
{
    static const struct {
        const char *name;
        size_t off;
        int64_t min, max, def;
        bool required;
    } ints[] = {
        {"messages", offsetof(cperf_t, messages), 0, INT64_MAX / 2, 0, true},
        {"timeout", offsetof(cperf_t, timeout_ms), 0, INT32_MAX, 10000, false},
        {"fetch-size", offsetof(cperf_t, fetch_size), 1, 1 << 30, 1048576,
         false},
        {"reporting-interval", offsetof(cperf_t, interval_ms), 1, INT32_MAX,
         5000, false},
    };
    char err[256];

    c->topic = tool_opt_get(a, "topic");
    if (c->topic == NULL) {
        tool_err(CMD, "--topic NAME is required");
        return TOOL_EXIT_USAGE;
    }
    if (a->noperands > 0) {
        tool_err(CMD, "unexpected argument '%s'", a->operands[0]);
        return TOOL_EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        const char *s = tool_opt_get(a, ints[i].name);
        int64_t *dst = (int64_t *)((char *)c + ints[i].off);

        *dst = ints[i].def;
        if (s == NULL && ints[i].required) {
            tool_err(CMD, "--%s N is required", ints[i].name);
            return TOOL_EXIT_USAGE;
        }
        if (s && tool_parse_int(ints[i].name, s, ints[i].min, ints[i].max, dst,
                                err, sizeof(err)) != 0) {
            tool_err(CMD, "%s", err);
            return TOOL_EXIT_USAGE;
        }
    }
    c->date_format = tool_opt_get(a, "date-format");
    if (c->date_format == NULL)
        c->date_format = "yyyy-MM-dd HH:mm:ss:SSS";
    c->from_latest = tool_opt_has(a, "from-latest");
    c->detailed = tool_opt_has(a, "show-detailed-stats");
    if (tool_opt_has(a, "group"))
        tool_err(CMD, "warning: --group is ignored (no group coordinator "
                      "yet); every partition is assigned");
    return 0;
}

static void
cperf_print_metrics(cperf_t *c, double secs)
{
    const char *cid = "{client-id=samsa-tools}";
    struct {
        const char *group, *name;
        double value;
    } m[] = {
        {"consumer-fetch-manager-metrics", "bytes-consumed-total",
         (double)c->bytes},
        {"consumer-fetch-manager-metrics", "fetch-latency-avg",
         c->fetches ? (double)c->fetch_latency_ms / (double)c->fetches : 0},
        {"consumer-fetch-manager-metrics", "fetch-total", (double)c->fetches},
        {"consumer-fetch-manager-metrics", "records-consumed-rate",
         secs > 0 ? (double)c->count / secs : 0},
        {"consumer-fetch-manager-metrics", "records-consumed-total",
         (double)c->count},
        {"consumer-fetch-manager-metrics", "records-lag-max",
         (double)c->records_lag_max},
        {"consumer-fetch-manager-metrics", "records-per-request-avg",
         c->fetches ? (double)c->count / (double)c->fetches : 0},
    };

    printf("\n%-70s %s\n", "Metric Name", "Value");
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        char name[200];

        snprintf(name, sizeof(name), "%s:%s:%s", m[i].group, m[i].name, cid);
        printf("%-70s : %.3f\n", name, m[i].value);
    }
}

int
cmd_consumer_perf_test(int argc, char **argv)
{
    cperf_t c = {0};
    tool_args_t a;
    bool timed_out = false;
    int64_t start_ms = 0, end_ms;
    int rc;

    rc = tool_args_begin(&a, CMD, "--topic NAME --messages N [options]",
                         "Measures how fast a topic can be read "
                         "(kafka-consumer-perf-test.sh).",
                         opts, NOPTS, argc, argv);
    if (rc != 0) {
        tool_args_fini(&a);
        return rc < 0 ? TOOL_EXIT_OK : rc;
    }
    rc = cperf_configure(&c, &a);
    if (rc == 0)
        rc = tool_client_open_args(&a, CMD, &c.tc);
    if (rc == 0)
        rc = cperf_metadata(&c);
    if (rc == 0) {
        if (!tool_opt_has(&a, "hide-header"))
            printf("%s, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, "
                   "nMsg.sec, rebalance.time.ms, fetch.time.ms, "
                   "fetch.MB.sec, fetch.nMsg.sec\n",
                   c.detailed ? "time, threadId" : "start.time, end.time");
        fflush(stdout);
        start_ms = clock_wall_ms();
        c.last_report_ms = start_ms;
        rc = cperf_run(&c, &timed_out);
    }
    if (rc == 0) {
        double mb = (double)c.bytes / (1024.0 * 1024.0);
        double secs;
        char s1[64], s2[64];

        end_ms = clock_wall_ms();
        secs = (double)(end_ms - start_ms) / 1000.0;
        if (secs <= 0)
            secs = 0.001;
        if (timed_out)
            tool_err(CMD,
                     "WARNING: Exiting before consuming the expected "
                     "number of messages: timeout (%lld ms) exceeded. "
                     "You can use the --timeout option to increase the "
                     "timeout.",
                     (long long)c.timeout_ms);
        if (!c.detailed) {
            format_time(c.date_format, start_ms, s1, sizeof(s1));
            format_time(c.date_format, end_ms, s2, sizeof(s2));
            printf("%s, %s, %.4f, %.4f, %lld, %.4f, %d, %lld, %.4f, %.4f\n", s1,
                   s2, mb, mb / secs, (long long)c.count,
                   (double)c.count / secs, 0, (long long)(end_ms - start_ms),
                   mb / secs, (double)c.count / secs);
        }
        if (tool_opt_has(&a, "print-metrics"))
            cperf_print_metrics(&c, secs);
        if (timed_out)
            rc = TOOL_EXIT_FAIL;
    }
    free(c.parts);
    free(c.leaders);
    tool_client_close(c.tc);
    tool_args_fini(&a);
    return rc;
}
