/*
 * cmd_console-producer.c: samsa console-producer, after
 * kafka-console-producer.sh: one record per line of standard input, parsed
 * as Kafka 3.x's LineMessageReader does (util.c), batched per partition and
 * sent to each partition's leader.
 *
 * Partitioning is the Java client's default: a keyed record goes to
 * toPositive(murmur2(key)) % partitions, so keys land where Kafka clients
 * put them; keyless records stick to one partition until its batch is sent
 * (the sticky partitioner, KIP-480), then move to the next.
 *
 * Batches are sent when one reaches --batch-size bytes, when standard
 * input has nothing more to read right now, at end of input, and after
 * every line with --sync. Retriable partition errors (leader moved)
 * refresh the metadata and resend, --message-send-max-retries times.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samsa/batch.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_produce.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

#define CMD "console-producer"

static const tool_opt_t opts[] = {
    {"bootstrap-server", "HOST:PORT[,...]",
     "brokers to contact (default $SAMSA_BOOTSTRAP_SERVERS)"},
    {"topic", "NAME", "the topic to write to"},
    {"property", "KEY=VALUE",
     "line format: parse.key, key.separator, parse.headers, "
     "headers.delimiter, headers.separator, headers.key.separator, "
     "ignore.error, null.marker (repeatable)"},
    {"producer-property", "KEY=VALUE",
     "acks, compression.type, batch.size, retries, request.timeout.ms "
     "(repeatable)"},
    {"request-required-acks", "ACKS", "0, 1 or all/-1 (default all)"},
    {"compression-codec", "CODEC",
     "none, gzip, snappy, lz4 or zstd (default none)"},
    {"batch-size", "BYTES",
     "send a partition's batch at this size "
     "(default 16384)"},
    {"message-send-max-retries", "N",
     "resends after a retriable error (default 3)"},
    {"request-timeout-ms", "MS",
     "bound for each broker answer "
     "(default 30000)"},
    {"sync", NULL, "send each line on its own, waiting for the answer"},
    {"help", NULL, "print this help"},
};

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

/* one line waiting to be sent */
typedef struct pline {
    char *text;
    size_t len;
    int64_t ts;
} pline_t;

typedef struct ppart {
    int32_t leader;
    pline_t *lines;
    int n, cap;
    size_t bytes;
} ppart_t;

typedef struct producer {
    tool_client_t *tc;
    const char *topic;
    tool_line_fmt_t fmt;
    int16_t acks;
    batch_codec_t codec;
    size_t batch_size;
    int retries;
    int32_t nparts;
    ppart_t *parts;
    int32_t sticky;
    long sent, failed;
} producer_t;

static int
parse_acks(const char *s, int16_t *acks)
{
    if (strcmp(s, "all") == 0 || strcmp(s, "-1") == 0)
        *acks = -1;
    else if (strcmp(s, "0") == 0)
        *acks = 0;
    else if (strcmp(s, "1") == 0)
        *acks = 1;
    else
        return -1;
    return 0;
}

static int
parse_codec(const char *s, batch_codec_t *codec)
{
    static const char *const names[] = {"none", "gzip", "snappy", "lz4",
                                        "zstd"};

    for (int i = 0; i < 5; i++)
        if (strcasecmp(s, names[i]) == 0) {
            *codec = (batch_codec_t)i;
            return 0;
        }
    return -1;
}

/* refreshes the partition count and leaders; 0 or an exit code */
static int
producer_metadata(producer_t *pr)
{
    const metadata_resp_t *md;
    const char *topics[1] = {pr->topic};
    char err[512];
    int rc = tool_client_metadata(pr->tc, topics, 1, &md, err, sizeof(err));

    if (rc != 0) {
        tool_err(CMD, "%s", err);
        return rc;
    }
    if (md->ntopics < 1 || md->topics[0].error_code != 0) {
        tool_topic_error(CMD, pr->topic,
                         md->ntopics < 1 ? KERR_UNKNOWN_TOPIC_OR_PARTITION
                                         : md->topics[0].error_code,
                         NULL);
        return TOOL_EXIT_FAIL;
    }
    const metadata_resp_topic_t *t = &md->topics[0];

    if (pr->parts == NULL) {
        pr->nparts = t->npartitions;
        pr->parts = xcalloc((size_t)pr->nparts + 1, sizeof(*pr->parts));
        pr->sticky =
            pr->nparts > 0 ? (int32_t)(clock_mono_us() % pr->nparts) : 0;
    }
    for (int32_t i = 0; i < pr->nparts; i++)
        pr->parts[i].leader = -1;
    for (int32_t i = 0; i < t->npartitions; i++) {
        int32_t p = t->partitions[i].partition_index;

        if (p >= 0 && p < pr->nparts)
            pr->parts[p].leader = t->partitions[i].leader_id;
    }
    if (pr->nparts < 1) {
        tool_err(CMD, "topic '%s' has no partitions", pr->topic);
        return TOOL_EXIT_FAIL;
    }
    return 0;
}

static void
part_clear(ppart_t *pp)
{
    for (int i = 0; i < pp->n; i++)
        free(pp->lines[i].text);
    pp->n = 0;
    pp->bytes = 0;
}

/* builds @pp's lines into one batch appended to @out */
static int
part_build(producer_t *pr, ppart_t *pp, buf_t *out)
{
    batch_build_record_t *recs = xcalloc((size_t)pp->n, sizeof(*recs));
    tool_line_t *lines = xcalloc((size_t)pp->n, sizeof(*lines));
    batch_header_kv_t *hdrs = NULL;
    size_t nh = 0, hi = 0;
    char err[256];
    int rc;

    for (int i = 0; i < pp->n; i++) {
        /* already parsed once when read: cannot fail now */
        tool_line_parse(&pr->fmt, pp->lines[i].text, pp->lines[i].len,
                        &lines[i], err, sizeof(err));
        nh += (size_t)lines[i].nheaders;
    }
    hdrs = xcalloc(nh + 1, sizeof(*hdrs));
    for (int i = 0; i < pp->n; i++) {
        tool_line_t *l = &lines[i];

        recs[i].key = l->key;
        recs[i].key_len = l->key ? (int32_t)l->key_len : -1;
        recs[i].value = l->value;
        recs[i].value_len = l->value ? (int32_t)l->value_len : -1;
        recs[i].timestamp = pp->lines[i].ts;
        recs[i].nheaders = l->nheaders;
        recs[i].headers = hdrs + hi;
        for (int h = 0; h < l->nheaders; h++, hi++) {
            hdrs[hi].key = (const uint8_t *)l->headers[h].key;
            hdrs[hi].key_len = (int32_t)l->headers[h].key_len;
            hdrs[hi].value = (const uint8_t *)l->headers[h].value;
            hdrs[hi].value_len =
                l->headers[h].value ? (int32_t)l->headers[h].value_len : -1;
        }
    }
    rc = batch_build(out, pr->codec, 0, recs, pp->n);
    free(hdrs);
    free(lines);
    free(recs);
    return rc;
}

static bool
retriable(int16_t ec)
{
    return ec == KERR_NOT_LEADER_OR_FOLLOWER ||
           ec == KERR_LEADER_NOT_AVAILABLE ||
           ec == KERR_UNKNOWN_TOPIC_OR_PARTITION ||
           ec == KERR_NOT_ENOUGH_REPLICAS || ec == KERR_REQUEST_TIMED_OUT;
}

/*
 * Sends the pending batches of every partition led by @leader in one
 * Produce request. Partitions that fail retriably stay pending (*again
 * set); the others are cleared, counted as sent or failed.
 */
static int
send_to_leader(producer_t *pr, int32_t leader, bool last_try, bool *again)
{
    produce_req_partition_t *rp = xcalloc((size_t)pr->nparts, sizeof(*rp));
    buf_t *batches = xcalloc((size_t)pr->nparts, sizeof(*batches));
    int32_t *which = xcalloc((size_t)pr->nparts, sizeof(*which));
    produce_req_topic_t rt = {0};
    produce_req_t req = {0};
    produce_resp_t resp;
    buf_t frame = BUF_INIT;
    char err[512];
    int n = 0, rc;
    tool_req_t r;
    kread_t kr;
    arena_t ar;
    int16_t v;

    arena_init(&ar);
    for (int32_t p = 0; p < pr->nparts; p++) {
        ppart_t *pp = &pr->parts[p];

        if (pp->n == 0 || pp->leader != leader)
            continue;
        if (part_build(pr, pp, &batches[n]) != 0) {
            tool_err(CMD, "cannot build a batch for %s-%d (record too big?)",
                     pr->topic, (int)p);
            pr->failed += pp->n;
            part_clear(pp);
            continue;
        }
        rp[n].index = p;
        rp[n].records = (kbytes_t){batches[n].data, (int32_t)batches[n].len};
        which[n++] = p;
    }
    rc = n == 0 ? 0
                : tool_client_version(pr->tc, leader, API_PRODUCE, &v, err,
                                      sizeof(err));
    if (n > 0 && rc == 0) {
        rt.name = (kstr_t){pr->topic, (int32_t)strlen(pr->topic)};
        rt.npartition_data = n;
        rt.partition_data = rp;
        req.transactional_id.len = -1;
        req.acks = pr->acks;
        req.timeout_ms = tool_client_timeout(pr->tc);
        req.ntopic_data = 1;
        req.topic_data = &rt;
        tool_req_begin(pr->tc, &r, leader, API_PRODUCE, v);
        p_produce_req_encode(&r.kw, v, &req);
        if (pr->acks == 0)
            rc = tool_req_send(pr->tc, &r, err, sizeof(err));
        else
            rc = tool_req_call(pr->tc, &r, &frame, &kr, err, sizeof(err));
        if (rc == 0 && pr->acks != 0 &&
            p_produce_resp_decode(&kr, v, &ar, &resp) != 0) {
            snprintf(err, sizeof(err), "malformed Produce response");
            rc = TOOL_EXIT_FAIL;
        }
    }
    for (int i = 0; i < n; i++) {
        ppart_t *pp = &pr->parts[which[i]];
        int16_t ec = KERR_NONE;
        const char *msg = NULL;

        if (rc != 0) {
            ec = -1;
        } else if (pr->acks != 0) {
            ec = KERR_UNKNOWN_SERVER_ERROR;
            for (int32_t t = 0; t < resp.nresponses; t++)
                for (int32_t q = 0; q < resp.responses[t].npartition_responses;
                     q++) {
                    produce_resp_partition_t *pres =
                        &resp.responses[t].partition_responses[q];

                    if (pres->index == which[i]) {
                        ec = pres->error_code;
                        msg = tool_kstr(&ar, pres->error_message);
                    }
                }
        }
        if (ec == KERR_NONE) {
            pr->sent += pp->n;
        } else if (!last_try && (ec == -1 || retriable(ec))) {
            *again = true;
            continue; /* stays pending */
        } else {
            if (ec == -1)
                tool_err(CMD, "%d record(s) to %s-%d not sent: %s", pp->n,
                         pr->topic, (int)which[i], err);
            else
                tool_err(CMD, "%d record(s) to %s-%d failed: %s%s%s", pp->n,
                         pr->topic, (int)which[i], kerr_name(ec),
                         msg && *msg ? ": " : "", msg ? msg : "");
            pr->failed += pp->n;
        }
        part_clear(pp);
    }
    for (int i = 0; i < n; i++)
        buf_fini(&batches[i]);
    free(batches);
    free(which);
    free(rp);
    buf_fini(&frame);
    arena_fini(&ar);
    return 0;
}

/* sends everything pending; returns an exit code only for fatal errors */
static int
producer_flush(producer_t *pr)
{
    for (int attempt = 0; attempt <= pr->retries; attempt++) {
        bool again = false, last = attempt == pr->retries;
        int32_t *leaders = xcalloc((size_t)pr->nparts, sizeof(*leaders));
        int nl = 0;

        for (int32_t p = 0; p < pr->nparts; p++) {
            ppart_t *pp = &pr->parts[p];
            bool seen = false;

            if (pp->n == 0)
                continue;
            if (pp->leader < 0) {
                again = true;
                if (last) {
                    tool_err(CMD,
                             "%d record(s) to %s-%d failed: the "
                             "partition has no leader (see samsa "
                             "topics --describe)",
                             pp->n, pr->topic, (int)p);
                    pr->failed += pp->n;
                    part_clear(pp);
                }
                continue;
            }
            for (int i = 0; i < nl; i++)
                seen = seen || leaders[i] == pp->leader;
            if (!seen)
                leaders[nl++] = pp->leader;
        }
        for (int i = 0; i < nl; i++)
            send_to_leader(pr, leaders[i], last, &again);
        free(leaders);
        if (!again)
            return 0;
        usleep(100000u << (attempt < 4 ? attempt : 4)); /* 100 ms doubling */
        if (producer_metadata(pr) != 0)
            return TOOL_EXIT_FAIL;
    }
    return 0;
}

static void
producer_add(producer_t *pr, int32_t p, const char *line, size_t len)
{
    ppart_t *pp = &pr->parts[p];

    if (pp->n == pp->cap) {
        pp->cap = pp->cap ? pp->cap * 2 : 64;
        pp->lines = xrealloc(pp->lines, sizeof(*pp->lines) * (size_t)pp->cap);
    }
    pp->lines[pp->n].text = xstrndup(line, len);
    pp->lines[pp->n].len = len;
    pp->lines[pp->n].ts = clock_wall_ms();
    pp->n++;
    pp->bytes += len + 16;
}

static bool
stdin_ready(void)
{
    struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};

    return poll(&pfd, 1, 0) > 0;
}

/* applies --property and --producer-property; 0 or TOOL_EXIT_USAGE */
static int
producer_configure(producer_t *pr, const tool_args_t *a)
{
    char *const *vals;
    char err[256];
    int n;
    int64_t x;

    vals = tool_opt_all(a, "property", &n);
    for (int i = 0; i < n; i++) {
        char *eq = strchr(vals[i], '=');
        int rc;

        if (eq == NULL) {
            tool_err(CMD, "--property '%s': expected KEY=VALUE", vals[i]);
            return TOOL_EXIT_USAGE;
        }
        *eq = '\0';
        rc = tool_line_fmt_set(&pr->fmt, vals[i], eq + 1);
        if (rc == ERR_NOTFOUND)
            tool_err(CMD, "warning: --property %s is not known; ignored",
                     vals[i]);
        else if (rc != 0) {
            tool_err(CMD, "--property %s: bad value '%s'", vals[i], eq + 1);
            return TOOL_EXIT_USAGE;
        }
        *eq = '=';
    }
    vals = tool_opt_all(a, "producer-property", &n);
    for (int i = 0; i < n; i++) {
        const char *eq = strchr(vals[i], '='), *v;
        size_t kl;

        if (eq == NULL) {
            tool_err(CMD, "--producer-property '%s': expected KEY=VALUE",
                     vals[i]);
            return TOOL_EXIT_USAGE;
        }
        kl = (size_t)(eq - vals[i]);
        v = eq + 1;
#define KEY_IS(s) (kl == strlen(s) && strncmp(vals[i], s, kl) == 0)
        if (KEY_IS("acks")) {
            if (parse_acks(v, &pr->acks) != 0) {
                tool_err(CMD, "acks=%s: use 0, 1 or all", v);
                return TOOL_EXIT_USAGE;
            }
        } else if (KEY_IS("compression.type")) {
            if (parse_codec(v, &pr->codec) != 0) {
                tool_err(CMD,
                         "compression.type=%s: use none, gzip, snappy, "
                         "lz4 or zstd",
                         v);
                return TOOL_EXIT_USAGE;
            }
        } else if (KEY_IS("batch.size")) {
            if (tool_parse_int("producer-property batch.size", v, 1, 1 << 30,
                               &x, err, sizeof(err)) != 0) {
                tool_err(CMD, "%s", err);
                return TOOL_EXIT_USAGE;
            }
            pr->batch_size = (size_t)x;
        } else if (KEY_IS("retries")) {
            if (tool_parse_int("producer-property retries", v, 0, 100, &x, err,
                               sizeof(err)) != 0) {
                tool_err(CMD, "%s", err);
                return TOOL_EXIT_USAGE;
            }
            pr->retries = (int)x;
        } else if (!KEY_IS("request.timeout.ms") && !KEY_IS("client.id") &&
                   !KEY_IS("linger.ms")) {
            tool_err(CMD,
                     "warning: --producer-property %.*s is not "
                     "supported; ignored",
                     (int)kl, vals[i]);
        }
#undef KEY_IS
    }
    /* the dedicated options win over --producer-property, as in Kafka */
    if (tool_opt_get(a, "request-required-acks") &&
        parse_acks(tool_opt_get(a, "request-required-acks"), &pr->acks) != 0) {
        tool_err(CMD, "--request-required-acks %s: use 0, 1 or all",
                 tool_opt_get(a, "request-required-acks"));
        return TOOL_EXIT_USAGE;
    }
    if (tool_opt_get(a, "compression-codec") &&
        parse_codec(tool_opt_get(a, "compression-codec"), &pr->codec) != 0) {
        tool_err(CMD,
                 "--compression-codec %s: use none, gzip, snappy, lz4 "
                 "or zstd",
                 tool_opt_get(a, "compression-codec"));
        return TOOL_EXIT_USAGE;
    }
    if (tool_opt_get(a, "batch-size")) {
        if (tool_parse_int("batch-size", tool_opt_get(a, "batch-size"), 1,
                           1 << 30, &x, err, sizeof(err)) != 0) {
            tool_err(CMD, "%s", err);
            return TOOL_EXIT_USAGE;
        }
        pr->batch_size = (size_t)x;
    }
    if (tool_opt_get(a, "message-send-max-retries")) {
        if (tool_parse_int("message-send-max-retries",
                           tool_opt_get(a, "message-send-max-retries"), 0, 100,
                           &x, err, sizeof(err)) != 0) {
            tool_err(CMD, "%s", err);
            return TOOL_EXIT_USAGE;
        }
        pr->retries = (int)x;
    }
    return 0;
}

static int
producer_run(producer_t *pr, bool sync)
{
    char *line = NULL, err[256];
    size_t cap = 0;
    ssize_t len;
    long lineno = 0, bad = 0;
    int rc = 0;

    while ((len = getline(&line, &cap, stdin)) >= 0) {
        tool_line_t l;
        int32_t p;

        lineno++;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        if (tool_line_parse(&pr->fmt, line, (size_t)len, &l, err,
                            sizeof(err)) != 0) {
            tool_err(CMD, "line %ld not sent: %s", lineno, err);
            bad++;
            continue;
        }
        if (l.key) {
            p = tool_partition_for_key(l.key, l.key_len, pr->nparts);
        } else {
            p = pr->sticky;
        }
        producer_add(pr, p, line, (size_t)len);
        if (sync || pr->parts[p].bytes >= pr->batch_size || !stdin_ready()) {
            bool sticky_full = pr->parts[pr->sticky].n > 0;

            rc = producer_flush(pr);
            if (rc != 0)
                break;
            if (sticky_full) /* KIP-480: next batch, next partition */
                pr->sticky = (pr->sticky + 1) % pr->nparts;
        }
    }
    if (rc == 0)
        rc = producer_flush(pr);
    free(line);
    pr->failed += bad;
    if (rc == 0 && pr->failed > 0) {
        tool_err(CMD, "%ld of %ld record(s) not written", pr->failed,
                 pr->failed + pr->sent);
        rc = TOOL_EXIT_FAIL;
    }
    return rc;
}

int
cmd_console_producer(int argc, char **argv)
{
    producer_t pr = {0};
    tool_args_t a;
    int rc;

    rc = tool_args_begin(&a, CMD, "--topic NAME [options] < lines",
                         "Writes each line of standard input to a topic as "
                         "one record (kafka-console-producer.sh).",
                         opts, NOPTS, argc, argv);
    if (rc != 0) {
        tool_args_fini(&a);
        return rc < 0 ? TOOL_EXIT_OK : rc;
    }
    tool_line_fmt_init(&pr.fmt);
    pr.acks = -1;
    pr.codec = BATCH_CODEC_NONE;
    pr.batch_size = 16384;
    pr.retries = 3;
    pr.topic = tool_opt_get(&a, "topic");
    if (pr.topic == NULL) {
        tool_err(CMD, "--topic NAME is required");
        rc = TOOL_EXIT_USAGE;
    } else if (a.noperands > 0) {
        tool_err(CMD,
                 "unexpected argument '%s' (records come from standard "
                 "input)",
                 a.operands[0]);
        rc = TOOL_EXIT_USAGE;
    } else {
        rc = producer_configure(&pr, &a);
    }
    if (rc == 0)
        rc = tool_client_open_args(&a, CMD, &pr.tc);
    if (rc == 0)
        rc = producer_metadata(&pr);
    if (rc == 0)
        rc = producer_run(&pr, tool_opt_has(&a, "sync"));
    for (int32_t p = 0; p < pr.nparts; p++) {
        part_clear(&pr.parts[p]);
        free(pr.parts[p].lines);
    }
    free(pr.parts);
    tool_client_close(pr.tc);
    tool_args_fini(&a);
    return rc;
}
