/*
 * cmd_console-consumer.c: samsa console-consumer, after
 * kafka-console-consumer.sh: prints a topic's records on standard output
 * in the format of Kafka 3.x's DefaultMessageFormatter.
 *
 * Reads by assignment: every partition of the topic (or --partition), from
 * the latest offset, --from-beginning or --offset. There is no group
 * coordinator yet, so --group is refused rather than faked. Each round
 * sends one long-polling Fetch to every leader, then reads the answers;
 * batches are decompressed by batch_iter.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samsa/batch.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_fetch.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

#define CMD "console-consumer"
#define POLL_MS 500 /* Fetch max_wait_ms per round */

static const tool_opt_t opts[] = {
    {"bootstrap-server", "HOST:PORT[,...]",
     "brokers to contact (default $SAMSA_BOOTSTRAP_SERVERS)"},
    {"topic", "NAME", "the topic to read"},
    {"partition", "P", "read only this partition"},
    {"from-beginning", NULL, "start at the earliest offset, not the latest"},
    {"offset", "N|earliest|latest",
     "start offset (with --partition for a number)"},
    {"max-messages", "N", "exit after N records"},
    {"timeout-ms", "MS", "exit when no record came for MS milliseconds"},
    {"property", "KEY=VALUE",
     "print.key, print.partition, print.offset, print.timestamp, "
     "print.headers, print.value, key.separator, line.separator, "
     "headers.separator, headers.key.separator, null.literal (repeatable)"},
    {"group", "ID", "not supported yet (no group coordinator)"},
    {"request-timeout-ms", "MS",
     "bound for each broker answer (default 30000)"},
    {"help", NULL, "print this help"},
};

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

typedef struct fmt {
    bool key, partition, offset, timestamp, headers, value;
    const char *key_sep, *line_sep, *headers_sep, *headers_key_sep, *null;
} fmt_t;

typedef struct cpart {
    int32_t partition;
    int32_t leader;
    int64_t offset; /* next to fetch; -1 until resolved */
    int32_t max_bytes;
} cpart_t;

typedef struct consumer {
    tool_client_t *tc;
    const char *topic;
    fmt_t fmt;
    cpart_t *parts;
    int nparts;
    int64_t reset_ts;     /* -2 earliest, -1 latest: start and out of range */
    int64_t max_messages; /* -1: no limit */
    int64_t timeout_ms;   /* -1: none */
    int64_t count;
} consumer_t;

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int
fmt_set(fmt_t *f, const char *key, const char *v)
{
    bool *flag = strcmp(key, "print.key") == 0         ? &f->key
                 : strcmp(key, "print.partition") == 0 ? &f->partition
                 : strcmp(key, "print.offset") == 0    ? &f->offset
                 : strcmp(key, "print.timestamp") == 0 ? &f->timestamp
                 : strcmp(key, "print.headers") == 0   ? &f->headers
                 : strcmp(key, "print.value") == 0     ? &f->value
                                                       : NULL;

    if (flag) {
        if (strcasecmp(v, "true") == 0)
            *flag = true;
        else if (strcasecmp(v, "false") == 0)
            *flag = false;
        else
            return ERR_INVAL;
        return 0;
    }
    if (strcmp(key, "key.separator") == 0)
        f->key_sep = v;
    else if (strcmp(key, "line.separator") == 0)
        f->line_sep = v;
    else if (strcmp(key, "headers.separator") == 0)
        f->headers_sep = v;
    else if (strcmp(key, "headers.key.separator") == 0)
        f->headers_key_sep = v;
    else if (strcmp(key, "null.literal") == 0)
        f->null = v;
    else
        return ERR_NOTFOUND;
    return 0;
}

static void
put_bytes(const void *p, int32_t len, const fmt_t *f)
{
    if (p == NULL || len < 0)
        fputs(f->null, stdout);
    else
        fwrite(p, 1, (size_t)len, stdout);
}

/* DefaultMessageFormatter.writeTo */
static void
print_record(const consumer_t *c, int32_t partition, int64_t offset,
             const batch_hdr_t *h, const batch_record_t *rec)
{
    const fmt_t *f = &c->fmt;
    bool la = (h->attributes & BATCH_ATTR_TIMESTAMP_LOG_APPEND) != 0;
    int64_t ts =
        la ? h->max_timestamp : h->base_timestamp + rec->timestamp_delta;

    if (f->timestamp) {
        if (ts < 0)
            fputs("NO_TIMESTAMP", stdout);
        else
            printf("%s:%lld", la ? "LogAppendTime" : "CreateTime",
                   (long long)ts);
        fputs(f->partition || f->offset || f->headers || f->key || f->value
                  ? f->key_sep
                  : f->line_sep,
              stdout);
    }
    if (f->partition) {
        printf("Partition:%d", (int)partition);
        fputs(f->offset || f->headers || f->key || f->value ? f->key_sep
                                                            : f->line_sep,
              stdout);
    }
    if (f->offset) {
        printf("Offset:%lld", (long long)offset);
        fputs(f->headers || f->key || f->value ? f->key_sep : f->line_sep,
              stdout);
    }
    if (f->headers) {
        if (rec->nheaders <= 0)
            fputs("NO_HEADERS", stdout);
        for (int32_t i = 0; i < rec->nheaders; i++) {
            batch_header_kv_t kv;

            if (batch_record_header(rec, i, &kv) != 0)
                break;
            put_bytes(kv.key, kv.key_len, f);
            fputs(f->headers_key_sep, stdout);
            put_bytes(kv.value, kv.value_len, f);
            if (i + 1 < rec->nheaders)
                fputs(f->headers_sep, stdout);
        }
        fputs(f->key || f->value ? f->key_sep : f->line_sep, stdout);
    }
    if (f->key) {
        put_bytes(rec->key, rec->key_len, f);
        fputs(f->value ? f->key_sep : f->line_sep, stdout);
    }
    if (f->value) {
        put_bytes(rec->value, rec->value_len, f);
        fputs(f->line_sep, stdout);
    }
}

static int
consumer_metadata(consumer_t *c, int32_t only)
{
    const metadata_resp_t *md;
    const char *topics[1] = {c->topic};
    char err[512];
    int rc = tool_client_metadata(c->tc, topics, 1, &md, err, sizeof(err));
    const metadata_resp_topic_t *t;

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
            int32_t p = t->partitions[i].partition_index;

            if (only >= 0 && p != only)
                continue;
            c->parts[c->nparts].partition = p;
            c->parts[c->nparts].offset = -1;
            c->parts[c->nparts].max_bytes = 1 << 20;
            c->nparts++;
        }
        if (c->nparts == 0) {
            tool_err(CMD,
                     "partition %d of topic '%s' does not exist: it has %d "
                     "partition(s), numbered from 0",
                     (int)only, c->topic, (int)t->npartitions);
            return TOOL_EXIT_FAIL;
        }
    }
    for (int i = 0; i < c->nparts; i++) {
        c->parts[i].leader = -1;
        for (int32_t j = 0; j < t->npartitions; j++)
            if (t->partitions[j].partition_index == c->parts[i].partition)
                c->parts[i].leader = t->partitions[j].leader_id;
    }
    return 0;
}

/* resolves every partition whose offset is -1 to c->reset_ts */
static int
consumer_resolve(consumer_t *c)
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
    rc = n ? tool_list_offsets(c->tc, c->topic, parts, leaders, n, c->reset_ts,
                               offs, errs, err, sizeof(err))
           : 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        if (errs[i] == 0)
            c->parts[idx[i]].offset = offs[i];
        else if (errs[i] == -1 && err[0])
            tool_err(CMD, "%s-%d: %s (will retry)", c->topic, (int)parts[i],
                     err);
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

/* prints the records of one partition's answer; advances its offset */
static void
consume_records(consumer_t *c, cpart_t *cp, const fetch_resp_partition_t *p)
{
    const uint8_t *data = p->records.ptr;
    size_t left = p->records.len > 0 ? (size_t)p->records.len : 0;
    bool any = false;
    batch_hdr_t h;

    while (left >= BATCH_HEADER_SIZE && batch_hdr_parse(data, left, &h) == 0 &&
           batch_size(&h) <= left) {
        batch_iter_t it;
        batch_record_t rec;
        int rc = batch_iter_init(&it, data, batch_size(&h));

        any = true;
        while (rc == 0 && (rc = batch_iter_next(&it, &rec)) == 1) {
            rc = 0;
            int64_t off = h.base_offset + rec.offset_delta;

            if (off < cp->offset || (h.attributes & BATCH_ATTR_CONTROL))
                continue;
            if (c->max_messages >= 0 && c->count >= c->max_messages)
                break;
            print_record(c, cp->partition, off, &h, &rec);
            c->count++;
            cp->offset = off + 1;
        }
        if (rc < 0)
            tool_err(CMD, "%s-%d: cannot read the batch at offset %lld: %s",
                     c->topic, (int)cp->partition, (long long)h.base_offset,
                     err_str(rc));
        batch_iter_fini(&it);
        if (c->max_messages >= 0 && c->count >= c->max_messages)
            return;
        if (batch_last_offset(&h) + 1 > cp->offset)
            cp->offset = batch_last_offset(&h) + 1;
        data += batch_size(&h);
        left -= batch_size(&h);
    }
    if (!any && left > 0 && cp->max_bytes < (1 << 28))
        cp->max_bytes *= 2; /* a batch bigger than we asked for */
}

/* one round: a Fetch to every leader, then the answers. */
static int
consumer_round(consumer_t *c, int wait_ms, bool *refresh)
{
    int32_t *leaders = xcalloc((size_t)c->nparts, sizeof(*leaders));
    tool_req_t *reqs = xcalloc((size_t)c->nparts, sizeof(*reqs));
    int nl = 0, rc = 0;
    char err[512];

    for (int i = 0; i < c->nparts; i++) {
        bool seen = false;

        if (c->parts[i].offset < 0 || c->parts[i].leader < 0) {
            *refresh = true;
            continue;
        }
        for (int j = 0; j < nl; j++)
            seen = seen || leaders[j] == c->parts[i].leader;
        if (!seen)
            leaders[nl++] = c->parts[i].leader;
    }
    for (int l = 0; l < nl; l++) {
        fetch_req_partition_t *rp = xcalloc((size_t)c->nparts, sizeof(*rp));
        fetch_req_topic_t rt = {0};
        fetch_req_t req = {0};
        int16_t v;
        int np = 0;

        for (int i = 0; i < c->nparts; i++) {
            if (c->parts[i].leader != leaders[l] || c->parts[i].offset < 0)
                continue;
            rp[np].partition = c->parts[i].partition;
            rp[np].current_leader_epoch = -1;
            rp[np].fetch_offset = c->parts[i].offset;
            rp[np].last_fetched_epoch = -1;
            rp[np].log_start_offset = -1;
            rp[np].partition_max_bytes = c->parts[i].max_bytes;
            np++;
        }
        reqs[l].node_id = -2; /* not sent */
        if (tool_client_version(c->tc, leaders[l], API_FETCH, &v, err,
                                sizeof(err)) != 0) {
            tool_err(CMD, "%s", err);
            *refresh = true;
            free(rp);
            continue;
        }
        rt.topic = (kstr_t){c->topic, (int32_t)strlen(c->topic)};
        rt.npartitions = np;
        rt.partitions = rp;
        req.cluster_id.len = -1;
        req.replica_id = -1;
        req.max_wait_ms = wait_ms;
        req.min_bytes = 1;
        req.max_bytes = 64 << 20;
        req.session_epoch = -1;
        req.ntopics = 1;
        req.topics = &rt;
        req.rack_id = (kstr_t){"", 0};
        tool_req_begin(c->tc, &reqs[l], leaders[l], API_FETCH, v);
        p_fetch_req_encode(&reqs[l].kw, v, &req);
        free(rp);
        if (tool_req_send(c->tc, &reqs[l], err, sizeof(err)) != 0) {
            tool_err(CMD, "%s", err);
            reqs[l].node_id = -2;
            *refresh = true;
        }
    }
    for (int l = 0; l < nl && rc == 0; l++) {
        buf_t frame = BUF_INIT;
        fetch_resp_t resp;
        kread_t kr;
        arena_t ar;

        if (reqs[l].node_id == -2)
            continue;
        arena_init(&ar);
        if (tool_req_recv(c->tc, &reqs[l], &frame, &kr,
                          tool_client_timeout(c->tc) + wait_ms, err,
                          sizeof(err)) != 0) {
            tool_err(CMD, "%s", err);
            *refresh = true;
        } else if (p_fetch_resp_decode(&kr, reqs[l].version, &ar, &resp) != 0) {
            tool_err(CMD, "malformed Fetch response from broker %d",
                     (int)leaders[l]);
            rc = TOOL_EXIT_FAIL;
        } else {
            for (int32_t t = 0; t < resp.nresponses; t++)
                for (int32_t q = 0; q < resp.responses[t].npartitions; q++) {
                    const fetch_resp_partition_t *p =
                        &resp.responses[t].partitions[q];
                    cpart_t *cp = NULL;

                    for (int i = 0; i < c->nparts; i++)
                        if (c->parts[i].partition == p->partition_index)
                            cp = &c->parts[i];
                    if (cp == NULL)
                        continue;
                    if (p->error_code == KERR_OFFSET_OUT_OF_RANGE) {
                        tool_err(CMD,
                                 "%s-%d: offset %lld is out of range; "
                                 "resetting to the %s offset",
                                 c->topic, (int)cp->partition,
                                 (long long)cp->offset,
                                 c->reset_ts == -2 ? "earliest" : "latest");
                        cp->offset = -1;
                        *refresh = true;
                    } else if (p->error_code != 0) {
                        *refresh = true;
                    } else {
                        consume_records(c, cp, p);
                    }
                }
            fflush(stdout);
        }
        arena_fini(&ar);
        buf_fini(&frame);
    }
    free(reqs);
    free(leaders);
    return rc;
}

static int
consumer_run(consumer_t *c)
{
    int64_t last = clock_mono_ms();
    int rc = consumer_resolve(c);

    while (rc == 0 && !stop) {
        bool refresh = false;
        int64_t before = c->count, now;
        int wait = POLL_MS;

        if (c->max_messages >= 0 && c->count >= c->max_messages)
            break;
        if (c->timeout_ms >= 0) {
            int64_t left = c->timeout_ms - (clock_mono_ms() - last);

            if (left <= 0)
                break;
            if (left < wait)
                wait = (int)left;
        }
        rc = consumer_round(c, wait, &refresh);
        now = clock_mono_ms();
        if (c->count > before)
            last = now;
        if (rc == 0 && refresh) {
            usleep(200000);
            rc = consumer_metadata(c, -1);
            if (rc == 0)
                rc = consumer_resolve(c);
        }
    }
    fflush(stdout);
    fprintf(stderr, "Processed a total of %lld messages\n",
            (long long)c->count);
    return rc;
}

int
cmd_console_consumer(int argc, char **argv)
{
    consumer_t c = {0};
    tool_args_t a;
    char *const *props;
    char err[256];
    const char *s;
    int64_t x, partition = -1, start = -1;
    int nprops, rc;

    rc = tool_args_begin(&a, CMD, "--topic NAME [options]",
                         "Prints a topic's records on standard output "
                         "(kafka-console-consumer.sh).",
                         opts, NOPTS, argc, argv);
    if (rc != 0) {
        tool_args_fini(&a);
        return rc < 0 ? TOOL_EXIT_OK : rc;
    }
    c.fmt = (fmt_t){.value = true,
                    .key_sep = "\t",
                    .line_sep = "\n",
                    .headers_sep = ",",
                    .headers_key_sep = ":",
                    .null = "null"};
    c.topic = tool_opt_get(&a, "topic");
    c.reset_ts = tool_opt_has(&a, "from-beginning") ? -2 : -1;
    c.max_messages = -1;
    c.timeout_ms = -1;
    rc = TOOL_EXIT_USAGE;
    if (tool_opt_has(&a, "group")) {
        tool_err(CMD, "consumer groups are not supported yet (samsad has no "
                      "group coordinator); read without --group, e.g. "
                      "samsa console-consumer --topic T --from-beginning");
        goto out;
    }
    if (c.topic == NULL) {
        tool_err(CMD, "--topic NAME is required");
        goto out;
    }
    if (a.noperands > 0) {
        tool_err(CMD, "unexpected argument '%s'", a.operands[0]);
        goto out;
    }
    props = tool_opt_all(&a, "property", &nprops);
    for (int i = 0; i < nprops; i++) {
        char *eq = strchr(props[i], '=');
        int prc;

        if (eq == NULL) {
            tool_err(CMD, "--property '%s': expected KEY=VALUE", props[i]);
            goto out;
        }
        *eq = '\0';
        prc = fmt_set(&c.fmt, props[i], eq + 1);
        if (prc == ERR_NOTFOUND)
            tool_err(CMD, "warning: --property %s is not known; ignored",
                     props[i]);
        *eq = '=';
        if (prc == ERR_INVAL) {
            tool_err(CMD, "--property '%s': use true or false", props[i]);
            goto out;
        }
    }
    if ((s = tool_opt_get(&a, "partition")) &&
        tool_parse_int("partition", s, 0, INT32_MAX, &partition, err,
                       sizeof(err)) != 0) {
        tool_err(CMD, "%s", err);
        goto out;
    }
    if ((s = tool_opt_get(&a, "offset")) != NULL) {
        if (tool_opt_has(&a, "from-beginning")) {
            tool_err(CMD, "give --from-beginning or --offset, not both");
            goto out;
        }
        if (strcmp(s, "earliest") == 0) {
            c.reset_ts = -2;
        } else if (strcmp(s, "latest") == 0) {
            c.reset_ts = -1;
        } else if (tool_parse_int("offset", s, 0, INT64_MAX, &start, err,
                                  sizeof(err)) != 0) {
            tool_err(CMD, "%s (or earliest, latest)", err);
            goto out;
        } else if (partition < 0) {
            tool_err(CMD,
                     "--offset %s needs --partition P: an offset "
                     "belongs to one partition",
                     s);
            goto out;
        }
    }
    if ((s = tool_opt_get(&a, "max-messages"))) {
        if (tool_parse_int("max-messages", s, 0, INT64_MAX, &x, err,
                           sizeof(err)) != 0) {
            tool_err(CMD, "%s", err);
            goto out;
        }
        c.max_messages = x;
    }
    if ((s = tool_opt_get(&a, "timeout-ms"))) {
        if (tool_parse_int("timeout-ms", s, 0, INT32_MAX, &x, err,
                           sizeof(err)) != 0) {
            tool_err(CMD, "%s", err);
            goto out;
        }
        c.timeout_ms = x;
    }
    if ((s = tool_bootstrap(&a, CMD)) == NULL)
        goto out;
    x = 30000;
    if (tool_opt_get(&a, "request-timeout-ms") &&
        tool_parse_int("request-timeout-ms",
                       tool_opt_get(&a, "request-timeout-ms"), 1, INT32_MAX, &x,
                       err, sizeof(err)) != 0) {
        tool_err(CMD, "%s", err);
        goto out;
    }
    {
        char oerr[1024];

        rc = tool_client_open(&c.tc, s, (int)x, oerr, sizeof(oerr));
        if (rc != 0) {
            tool_err(CMD, "%s", oerr);
            goto out;
        }
    }
    rc = consumer_metadata(&c, (int32_t)partition);
    if (rc == 0 && start >= 0)
        c.parts[0].offset = start;
    if (rc == 0) {
        struct sigaction sa = {.sa_handler = on_signal};

        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        rc = consumer_run(&c);
    }
out:
    free(c.parts);
    tool_client_close(c.tc);
    tool_args_fini(&a);
    return rc;
}
