/*
 * bench_kafka.c: produce/consume throughput and latency benchmark for samsa.
 *
 * Owns: one librdkafka producer or consumer talking to a broker over the
 * wire like any client, the timing, and one machine-readable RESULT line.
 * Does not own: starting brokers (bench/run.sh does), or any pass/fail
 * decision -- benchmarks are never assertions (DESIGN.md section 9).
 *
 *   produce: optionally creates the topic with the CreateTopics admin API
 *            (TOPIC_ALREADY_EXISTS is fine), waits until every partition has
 *            a leader, then enqueues N messages of SIZE bytes as fast as the
 *            client queue accepts them.  Throughput is N / (first enqueue ->
 *            last delivery report); latency per message is enqueue ->
 *            delivery report, kept in a preallocated array (8 bytes per
 *            message) and sorted at the end for p50/p99/p99.9/max.
 *   consume: no consumer group (groups are not served yet): group.id is set
 *            because librdkafka's high-level consumer needs one, but the
 *            partitions are assign()ed from OFFSET_BEGINNING and nothing is
 *            committed.  Reads N messages; throughput is N / (first message
 *            -> Nth message).
 *
 * Idempotence is off: InitProducerId is not served yet.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

struct opts {
    const char *mode;
    const char *bootstrap;
    const char *topic;
    int partitions;
    int replication;
    long long messages;
    int size;
    const char *acks;
    const char *compression;
    int linger_ms;
    int batch_size;
    int timeout_s;
    int create;
    int verbose;
    const char *group;
    const char *extra[32]; /* -X key=value, applied last */
    int nextra;
};

static struct opts o = {
    .bootstrap = "127.0.0.1:9092",
    .topic = "bench",
    .partitions = 1,
    .replication = 1,
    .messages = 1000000,
    .size = 100,
    .acks = "1",
    .compression = "none",
    .linger_ms = 5,
    .batch_size = 1000000, /* 1 MB: librdkafka caps it at message.max.bytes */
    .timeout_s = 120,
    .create = 1,
};

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU seconds (user + system) of this process, all threads. */
static double
cpu_s(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static void
die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "bench_kafka: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void
conf_set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
    char err[512];

    if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK)
        die("config %s=%s: %s", k, v, err);
}

static void
conf_seti(rd_kafka_conf_t *conf, const char *k, long long v)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%lld", v);
    conf_set(conf, k, buf);
}

static void
log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 4 || o.verbose)
        fprintf(stderr, "bench_kafka: rdkafka %d %s: %s\n", level, fac, buf);
}

static void
error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)opaque;
    fprintf(stderr, "bench_kafka: client error: %s: %s\n",
            rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char buf[512];
        rd_kafka_fatal_error(rk, buf, sizeof(buf));
        die("fatal: %s", buf);
    }
}

/* The -X key=value settings, after the benchmark's own, so they win. */
static void
conf_user(rd_kafka_conf_t *conf)
{
    int i;

    for (i = 0; i < o.nextra; i++) {
        char k[256];
        const char *eq = strchr(o.extra[i], '=');
        if (!eq || eq == o.extra[i] || (size_t)(eq - o.extra[i]) >= sizeof(k))
            die("-X takes key=value, got '%s'", o.extra[i]);
        memcpy(k, o.extra[i], (size_t)(eq - o.extra[i]));
        k[eq - o.extra[i]] = '\0';
        conf_set(conf, k, eq + 1);
    }
}

static rd_kafka_conf_t *
conf_common(void)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();

    conf_set(conf, "bootstrap.servers", o.bootstrap);
    conf_set(conf, "client.id", "samsa-bench");
    conf_set(conf, "api.version.request", "true");
    conf_set(conf, "socket.nagle.disable", "true");
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    return conf;
}

/* ------------------------------------------------------------------------
 * metadata and topic creation */

/* Number of partitions of the topic once every one has a leader, or -1 if
 * that did not happen within timeout_ms. */
static int
wait_topic_ready(rd_kafka_t *rk, int timeout_ms, int want)
{
    uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o.topic, NULL);
    const char *last = "no answer";

    for (;;) {
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 2000);
        int n = -1;

        if (err) {
            last = rd_kafka_err2str(err);
        } else if (md->topic_cnt == 1) {
            const struct rd_kafka_metadata_topic *t = &md->topics[0];
            if (t->err) {
                last = rd_kafka_err2str(t->err);
            } else if (t->partition_cnt > 0 && t->partition_cnt >= want) {
                int i, ok = 1;
                for (i = 0; i < t->partition_cnt; i++)
                    if (t->partitions[i].err || t->partitions[i].leader < 0)
                        ok = 0;
                if (ok)
                    n = t->partition_cnt;
                else
                    last = "partition without leader";
            } else {
                last = "fewer partitions than requested";
            }
        }
        if (md)
            rd_kafka_metadata_destroy(md);
        if (n > 0) {
            rd_kafka_topic_destroy(rkt);
            return n;
        }
        if (now_ns() > deadline || interrupted) {
            fprintf(stderr, "bench_kafka: topic %s not ready: %s\n", o.topic,
                    last);
            rd_kafka_topic_destroy(rkt);
            return -1;
        }
        usleep(200 * 1000);
    }
}

static void
create_topic(rd_kafka_t *rk)
{
    char err[512];
    rd_kafka_NewTopic_t *nt;
    rd_kafka_AdminOptions_t *ao;
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_event_t *ev;
    const rd_kafka_topic_result_t **res;
    size_t nres, i;

    nt = rd_kafka_NewTopic_new(o.topic, o.partitions, o.replication, err,
                               sizeof(err));
    if (!nt)
        die("NewTopic: %s", err);
    ao = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    if (rd_kafka_AdminOptions_set_operation_timeout(ao, 30000, err,
                                                    sizeof(err)))
        die("AdminOptions: %s", err);
    rd_kafka_CreateTopics(rk, &nt, 1, ao, q);
    ev = rd_kafka_queue_poll(q, 40000);
    if (!ev)
        die("CreateTopics %s: no answer in 40 s", o.topic);
    if (rd_kafka_event_error(ev))
        die("CreateTopics %s: %s", o.topic, rd_kafka_event_error_string(ev));
    res = rd_kafka_CreateTopics_result_topics(
        rd_kafka_event_CreateTopics_result(ev), &nres);
    for (i = 0; i < nres; i++) {
        rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);
        if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            fprintf(stderr, "bench_kafka: topic %s already exists\n", o.topic);
        } else if (e) {
            const char *msg = rd_kafka_topic_result_error_string(res[i]);
            die("CreateTopics %s: %s (%s)", o.topic, rd_kafka_err2name(e),
                msg ? msg : "");
        }
    }
    rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(q);
}

/* ------------------------------------------------------------------------
 * produce */

/* [messages]: enqueue time; after a successful delivery report the latency
 * with DONE_BIT set; after a failed one UINT64_MAX. */
static uint64_t *enq_ns;
#define DONE_BIT (1ull << 63)
static long long delivered; /* delivery reports seen */
static long long dr_errors;
static long long acked_bytes;
static uint64_t last_dr_ns;
static rd_kafka_resp_err_t first_dr_err;

static void
dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    uintptr_t i = (uintptr_t)m->_private;
    uint64_t t = now_ns();

    (void)rk;
    (void)opaque;
    if (m->err) {
        if (!dr_errors++) {
            first_dr_err = m->err;
            fprintf(stderr, "bench_kafka: first delivery error: %s\n",
                    rd_kafka_err2str(m->err));
        }
        enq_ns[i] = UINT64_MAX;
    } else {
        enq_ns[i] = (t - enq_ns[i]) | DONE_BIT;
        acked_bytes += (long long)m->len;
    }
    delivered++;
    last_dr_ns = t;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* A payload pool of random lowercase words: compressible about as much as
 * log text, so --compression means something; message i starts at a
 * varying offset so the messages differ. */
static char *
make_pool(size_t len)
{
    char *p = malloc(len);
    uint64_t s = 0x9e3779b97f4a7c15ull;
    size_t i;

    if (!p)
        die("out of memory");
    for (i = 0; i < len; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        p[i] = (s % 7 == 0) ? ' ' : (char)('a' + (s >> 8) % 26);
    }
    return p;
}

static int
run_produce(void)
{
    rd_kafka_conf_t *conf = conf_common();
    char err[512];
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    size_t pool_len = (1u << 20) + (size_t)o.size;
    char *pool = make_pool(pool_len);
    long long i, qfull = 0, ok;
    uint64_t t0, t_enq_done, deadline;
    double secs, lat_ms[5] = {0}, cpu0, cpu1;
    int nparts;

    conf_set(conf, "acks", o.acks);
    conf_set(conf, "compression.codec", o.compression);
    conf_seti(conf, "linger.ms", o.linger_ms);
    conf_seti(conf, "batch.size", o.batch_size);
    if (o.batch_size > 1000000)
        conf_seti(conf, "message.max.bytes", o.batch_size + 1024);
    conf_set(conf, "queue.buffering.max.messages", "1000000");
    conf_set(conf, "queue.buffering.max.kbytes", "262144");
    conf_set(conf, "enable.idempotence", "false");
    conf_set(conf, "max.in.flight.requests.per.connection", "5");
    conf_set(conf, "message.timeout.ms", "60000");
    conf_set(conf, "request.timeout.ms", "30000");
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    conf_user(conf);

    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!rk)
        die("rd_kafka_new: %s", err);
    if (o.create)
        create_topic(rk);
    nparts = wait_topic_ready(rk, 30000, o.create ? o.partitions : 1);
    if (nparts < 0)
        die("topic %s has no leaders after 30 s", o.topic);

    enq_ns = calloc((size_t)o.messages, sizeof(*enq_ns));
    if (!enq_ns)
        die("cannot allocate %lld latency slots", o.messages);
    rkt = rd_kafka_topic_new(rk, o.topic, NULL);

    fprintf(stderr,
            "bench_kafka: produce %lld x %d B to %s (%d partitions) "
            "acks=%s compression=%s linger.ms=%d batch.size=%d\n",
            o.messages, o.size, o.topic, nparts, o.acks, o.compression,
            o.linger_ms, o.batch_size);

    cpu0 = cpu_s();
    t0 = now_ns();
    deadline = t0 + (uint64_t)o.timeout_s * 1000000000u;
    for (i = 0; i < o.messages && !interrupted;) {
        size_t off = (size_t)((uint64_t)i * 7919u % (pool_len - o.size));
        enq_ns[i] = now_ns();
        if (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, 0, pool + off,
                             (size_t)o.size, NULL, 0,
                             (void *)(uintptr_t)i) == -1) {
            rd_kafka_resp_err_t e = rd_kafka_last_error();
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                die("produce: %s", rd_kafka_err2str(e));
            qfull++;
            rd_kafka_poll(rk, 1);
            if (now_ns() > deadline)
                break;
            continue;
        }
        i++;
        if ((i & 1023) == 0) {
            rd_kafka_poll(rk, 0);
            if (now_ns() > deadline)
                break;
        }
    }
    t_enq_done = now_ns();
    while (delivered < i && !interrupted && now_ns() < deadline)
        rd_kafka_poll(rk, 50);

    cpu1 = cpu_s();
    ok = delivered - dr_errors;
    if (delivered < o.messages)
        fprintf(stderr,
                "bench_kafka: only %lld of %lld messages delivered "
                "(%lld enqueued) within %d s\n",
                delivered, o.messages, i, o.timeout_s);
    secs = (double)((last_dr_ns ? last_dr_ns : now_ns()) - t0) / 1e9;

    {
        /* Latencies of the successfully delivered messages only. */
        long long n = 0, j;
        for (j = 0; j < i; j++)
            if (enq_ns[j] != UINT64_MAX && (enq_ns[j] & DONE_BIT))
                enq_ns[n++] = enq_ns[j] & ~DONE_BIT;
        if (n > 0) {
            qsort(enq_ns, (size_t)n, sizeof(*enq_ns), cmp_u64);
            lat_ms[0] = (double)enq_ns[n / 2] / 1e6;
            lat_ms[1] = (double)enq_ns[(size_t)((double)n * 0.99)] / 1e6;
            lat_ms[2] = (double)enq_ns[(size_t)((double)n * 0.999)] / 1e6;
            lat_ms[3] = (double)enq_ns[n - 1] / 1e6;
        }
    }

    printf("produce: %lld msgs x %d B in %.3f s (enqueue %.3f s, "
           "%lld queue-full waits), %lld errors\n",
           ok, o.size, secs, (double)(t_enq_done - t0) / 1e9, qfull, dr_errors);
    printf("produce: %.0f msgs/s, %.2f MB/s; latency ms p50 %.2f p99 %.2f "
           "p99.9 %.2f max %.2f\n",
           secs > 0 ? (double)ok / secs : 0,
           secs > 0 ? (double)acked_bytes / secs / 1e6 : 0, lat_ms[0],
           lat_ms[1], lat_ms[2], lat_ms[3]);
    printf("RESULT mode=produce size=%d acks=%s compression=%s "
           "partitions=%d msgs=%lld errors=%lld secs=%.3f msgs_per_s=%.0f "
           "mb_per_s=%.2f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f "
           "max_ms=%.3f client_cpu_s=%.2f%s%s\n",
           o.size, o.acks, o.compression, nparts, ok, dr_errors, secs,
           secs > 0 ? (double)ok / secs : 0,
           secs > 0 ? (double)acked_bytes / secs / 1e6 : 0, lat_ms[0],
           lat_ms[1], lat_ms[2], lat_ms[3], cpu1 - cpu0,
           dr_errors ? " first_error=" : "",
           dr_errors ? rd_kafka_err2name(first_dr_err) : "");
    fflush(stdout);

    rd_kafka_topic_destroy(rkt);
    rd_kafka_flush(rk, 1000);
    rd_kafka_destroy(rk);
    free(enq_ns);
    free(pool);
    return (ok == o.messages) ? 0 : 1;
}

/* ------------------------------------------------------------------------
 * consume */

static int
run_consume(void)
{
    rd_kafka_conf_t *conf = conf_common();
    char err[512], group[128];
    rd_kafka_t *rk;
    rd_kafka_topic_partition_list_t *tp;
    rd_kafka_queue_t *q;
    rd_kafka_message_t *batch[4096];
    long long got = 0, bytes = 0, errs = 0;
    uint64_t t_assign, t_first = 0, t_last = 0, deadline;
    int nparts, p;
    double secs, cpu0, cpu1;

    if (o.group)
        snprintf(group, sizeof(group), "%s", o.group);
    else
        snprintf(group, sizeof(group), "samsa-bench-%d", (int)getpid());
    conf_set(conf, "group.id", group);
    conf_set(conf, "enable.auto.commit", "false");
    conf_set(conf, "enable.auto.offset.store", "false");
    conf_set(conf, "auto.offset.reset", "earliest");
    conf_set(conf, "enable.partition.eof", "false");
    conf_set(conf, "fetch.max.bytes", "52428800");
    conf_set(conf, "max.partition.fetch.bytes", "10485760");
    conf_set(conf, "receive.message.max.bytes", "104857600");
    conf_set(conf, "fetch.wait.max.ms", "100");
    conf_set(conf, "fetch.min.bytes", "1");
    conf_set(conf, "queued.min.messages", "1000000");
    conf_set(conf, "queued.max.messages.kbytes", "1048576");
    conf_set(conf, "check.crcs", "false");
    conf_user(conf);

    rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (!rk)
        die("rd_kafka_new: %s", err);
    nparts = wait_topic_ready(rk, 30000, 1);
    if (nparts < 0)
        die("topic %s has no leaders after 30 s", o.topic);

    tp = rd_kafka_topic_partition_list_new(nparts);
    for (p = 0; p < nparts; p++)
        rd_kafka_topic_partition_list_add(tp, o.topic, p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    fprintf(stderr,
            "bench_kafka: consume %lld msgs from %s (%d partitions) "
            "from the beginning, no group\n",
            o.messages, o.topic, nparts);

    q = rd_kafka_queue_get_consumer(rk);
    cpu0 = cpu_s();
    t_assign = now_ns();
    deadline = t_assign + (uint64_t)o.timeout_s * 1000000000u;
    {
        rd_kafka_resp_err_t e = rd_kafka_assign(rk, tp);
        if (e)
            die("assign: %s", rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(tp);

    while (got < o.messages && !interrupted && now_ns() < deadline) {
        ssize_t n = rd_kafka_consume_batch_queue(q, 100, batch, 4096), k;
        if (n < 0)
            die("consume: %s", rd_kafka_err2str(rd_kafka_last_error()));
        for (k = 0; k < n; k++) {
            rd_kafka_message_t *m = batch[k];
            if (m->err) {
                if (!errs++)
                    fprintf(stderr, "bench_kafka: consume error: %s\n",
                            rd_kafka_message_errstr(m));
            } else {
                if (!got)
                    t_first = now_ns();
                got++;
                bytes += (long long)(m->len + m->key_len);
            }
            rd_kafka_message_destroy(m);
        }
        if (n > 0)
            t_last = now_ns();
    }
    cpu1 = cpu_s();
    if (got < o.messages)
        fprintf(stderr,
                "bench_kafka: only %lld of %lld messages within "
                "%d s\n",
                got, o.messages, o.timeout_s);

    secs = got > 1 ? (double)(t_last - t_first) / 1e9 : 0;
    printf("consume: %lld msgs, %.1f MB in %.3f s (%.3f s incl. startup), "
           "%lld errors\n",
           got, (double)bytes / 1e6, secs,
           t_last ? (double)(t_last - t_assign) / 1e9 : 0, errs);
    printf("consume: %.0f msgs/s, %.2f MB/s\n",
           secs > 0 ? (double)got / secs : 0,
           secs > 0 ? (double)bytes / secs / 1e6 : 0);
    printf("RESULT mode=consume size=%lld partitions=%d msgs=%lld "
           "errors=%lld secs=%.3f msgs_per_s=%.0f mb_per_s=%.2f "
           "client_cpu_s=%.2f\n",
           got ? bytes / got : 0, nparts, got, errs, secs,
           secs > 0 ? (double)got / secs : 0,
           secs > 0 ? (double)bytes / secs / 1e6 : 0, cpu1 - cpu0);
    fflush(stdout);

    rd_kafka_queue_destroy(q);
    rd_kafka_assign(rk, NULL);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return got == o.messages ? 0 : 1;
}

/* ------------------------------------------------------------------------ */

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: bench_kafka produce|consume [options]\n"
            "  --bootstrap HOST:PORT   (127.0.0.1:9092)\n"
            "  --topic NAME            (bench)\n"
            "  --partitions N          partitions when creating (1)\n"
            "  --replication N         replication factor when creating (1)\n"
            "  --no-create             produce: do not CreateTopics first\n"
            "  --messages N            (1000000)\n"
            "  --size BYTES            value size (100)\n"
            "  --acks 0|1|all          (1)\n"
            "  --compression none|gzip|snappy|lz4|zstd  (none)\n"
            "  --linger-ms MS          (5)\n"
            "  --batch-size BYTES      (1000000)\n"
            "  --group ID              consume: group.id, never joined\n"
            "  --timeout S             overall bound (120)\n"
            "  -X KEY=VALUE            any librdkafka setting (repeatable)\n"
            "  -v, --verbose           librdkafka debug-level logs\n"
            "Prints human lines and one 'RESULT key=value...' line; exit 0\n"
            "only when all N messages were delivered / read.\n");
}

int
main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"bootstrap", required_argument, NULL, 'b'},
        {"topic", required_argument, NULL, 't'},
        {"partitions", required_argument, NULL, 'p'},
        {"replication", required_argument, NULL, 'r'},
        {"no-create", no_argument, NULL, 'N'},
        {"messages", required_argument, NULL, 'n'},
        {"size", required_argument, NULL, 's'},
        {"acks", required_argument, NULL, 'a'},
        {"compression", required_argument, NULL, 'z'},
        {"linger-ms", required_argument, NULL, 'l'},
        {"batch-size", required_argument, NULL, 'B'},
        {"group", required_argument, NULL, 'g'},
        {"timeout", required_argument, NULL, 'T'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    while ((c = getopt_long(argc, argv, "b:t:p:n:s:a:z:X:vh", lo, NULL)) !=
           -1) {
        switch (c) {
        case 'b': o.bootstrap = optarg; break;
        case 't': o.topic = optarg; break;
        case 'p': o.partitions = atoi(optarg); break;
        case 'r': o.replication = atoi(optarg); break;
        case 'N': o.create = 0; break;
        case 'n': o.messages = atoll(optarg); break;
        case 's': o.size = atoi(optarg); break;
        case 'a': o.acks = optarg; break;
        case 'z': o.compression = optarg; break;
        case 'l': o.linger_ms = atoi(optarg); break;
        case 'B': o.batch_size = atoi(optarg); break;
        case 'g': o.group = optarg; break;
        case 'T': o.timeout_s = atoi(optarg); break;
        case 'X':
            if (o.nextra == (int)(sizeof(o.extra) / sizeof(o.extra[0])))
                die("too many -X");
            o.extra[o.nextra++] = optarg;
            break;
        case 'v': o.verbose = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    o.mode = argv[optind];
    if (o.messages < 1 || o.size < 0 || o.partitions < 1 || o.timeout_s < 1) {
        fprintf(stderr, "bench_kafka: bad --messages/--size/--partitions/"
                        "--timeout\n");
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (strcmp(o.mode, "produce") == 0)
        return run_produce();
    if (strcmp(o.mode, "consume") == 0)
        return run_consume();
    usage(stderr);
    return 2;
}
