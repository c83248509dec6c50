/*
 * cmd_producer-perf-test.c: samsa producer-perf-test, after
 * kafka-producer-perf-test.sh: writes --num-records records of
 * --record-size random upper-case letters (null key, as Kafka's tool) to
 * a topic, at most --throughput records per second, and prints Kafka's
 * progress line every 5 s and its summary line with latency percentiles.
 *
 * The producer is a small Kafka client in one thread: records go to one
 * partition until its batch reaches batch.size (the sticky partitioner,
 * KIP-480); a batch is closed when full, when linger.ms has passed, or
 * at the end; each leader gets up to max.in.flight.requests.per.connection
 * Produce requests (default 5) before the first is answered, and poll()
 * waits on every leader's socket at once, so throughput is not bound by
 * one round trip. A record's latency is from its send (append) to the
 * acknowledgement of its batch (Kafka's perf test measures the same, from
 * send() to the callback).
 *
 * Spec: Kafka 2.8 ProducerPerformance (output formats, Stats: a 5 s
 * window, latencies sampled to at most 500,000, percentiles by index
 * into the sorted samples), producer configs acks, compression.type,
 * batch.size, linger.ms, buffer.memory, retries.
 */
#include <poll.h>
#include <stddef.h>
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

#define CMD "producer-perf-test"
#define REPORT_MS 5000     /* Kafka's reporting interval */
#define MAX_SAMPLES 500000 /* Kafka's latency sample cap */
#define RECORD_OVERHEAD 70 /* buffer accounting per record, roughly */
#define METADATA_BACKOFF_US 100000

static const tool_opt_t opts[] = {
    {"bootstrap-server", "HOST:PORT[,...]",
     "brokers to contact (default bootstrap.servers of --producer-props, "
     "then $SAMSA_BOOTSTRAP_SERVERS)"},
    {"topic", "NAME", "the topic to write to"},
    {"num-records", "N", "how many records to send"},
    {"record-size", "BYTES", "size of each record's value"},
    {"throughput", "N", "at most N records per second; -1 for no limit"},
    {"producer-props", "KEY=VALUE",
     "acks, compression.type, batch.size, linger.ms, buffer.memory, "
     "max.in.flight.requests.per.connection, retries, request.timeout.ms, "
     "bootstrap.servers (repeatable; more KEY=VALUE may follow)"},
    {"print-metrics", NULL, "print the producer's metrics at the end"},
    {"help", NULL, "print this help"},
};

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

/* a closed batch: built, waiting to be sent or acknowledged */
typedef struct pbatch {
    struct pbatch *next;
    int32_t partition;
    int32_t n;          /* records */
    int64_t first_iter; /* index of its first record in the run */
    int64_t *t0_us;     /* each record's send time (monotonic) */
    buf_t data;
    int tries;
} pbatch_t;

typedef struct ppart {
    int32_t leader;
    /* the open batch */
    int32_t n, cap;
    int64_t first_iter;
    int64_t *t0_us;
    int64_t *ts_ms;
    size_t bytes;
    /* closed batches, oldest first */
    pbatch_t *head, *tail;
} ppart_t;

typedef struct inflight {
    struct inflight *next;
    tool_req_t req;
    int64_t sent_us;
    int nb;
    pbatch_t **batches;
} inflight_t;

typedef struct pleader {
    int32_t node;
    inflight_t *head, *tail;
    int n;
} pleader_t;

/* Kafka's ProducerPerformance.Stats */
typedef struct stats {
    int64_t start_ms;
    int64_t window_start_ms;
    int64_t count, bytes;
    int64_t max_latency, total_latency;
    int64_t window_count, window_bytes;
    int64_t window_max_latency, window_total_latency;
    int32_t *latencies;
    int64_t sampling, index;
} stats_t;

typedef struct perf {
    tool_client_t *tc;
    const char *topic;
    int64_t num_records;
    int64_t record_size;
    int64_t throughput;
    int16_t acks;
    batch_codec_t codec;
    int64_t batch_size;
    int64_t linger_ms;
    int64_t buffer_memory;
    int64_t max_in_flight;
    int64_t retries;
    int64_t timeout_ms;
    char *payload;
    int32_t nparts;
    ppart_t *parts;
    pleader_t *leaders;
    int nleaders;
    int32_t sticky;
    int64_t next; /* records appended so far */
    int64_t done; /* acknowledged or failed */
    int64_t failed;
    int64_t buffered; /* bytes appended and not yet done */
    bool need_metadata;
    int64_t metadata_us; /* last refresh */
    int64_t no_leader_since_us;
    stats_t st;
    /* metrics */
    int64_t requests, batches, batch_bytes, request_latency_us;
    int64_t max_in_flight_seen, retried;
} perf_t;

/* ------------------------------------------------------------ statistics */

static void
stats_init(stats_t *st, int64_t num_records)
{
    int64_t samples = num_records < MAX_SAMPLES ? num_records : MAX_SAMPLES;

    memset(st, 0, sizeof(*st));
    st->start_ms = clock_mono_ms();
    st->window_start_ms = st->start_ms;
    st->sampling = samples > 0 ? num_records / samples : 1;
    st->latencies = xcalloc((size_t)samples + 1, sizeof(*st->latencies));
}

static void
stats_print_window(stats_t *st, int64_t now_ms)
{
    int64_t elapsed = now_ms - st->window_start_ms;
    double recs, mb;

    if (elapsed <= 0)
        elapsed = 1;
    recs = 1000.0 * (double)st->window_count / (double)elapsed;
    mb =
        1000.0 * (double)st->window_bytes / (double)elapsed / (1024.0 * 1024.0);
    printf("%lld records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg "
           "latency, %.1f ms max latency.\n",
           (long long)st->window_count, recs, mb,
           st->window_count
               ? (double)st->window_total_latency / (double)st->window_count
               : 0.0,
           (double)st->window_max_latency);
    fflush(stdout);
    st->window_start_ms = now_ms;
    st->window_count = st->window_bytes = 0;
    st->window_max_latency = st->window_total_latency = 0;
}

static void
stats_record(stats_t *st, int64_t iter, int64_t latency, int64_t bytes,
             int64_t now_ms)
{
    st->count++;
    st->bytes += bytes;
    st->total_latency += latency;
    if (latency > st->max_latency)
        st->max_latency = latency;
    st->window_count++;
    st->window_bytes += bytes;
    st->window_total_latency += latency;
    if (latency > st->window_max_latency)
        st->window_max_latency = latency;
    if (iter % st->sampling == 0 && st->index < MAX_SAMPLES)
        st->latencies[st->index++] = (int32_t)latency;
    if (now_ms - st->window_start_ms >= REPORT_MS)
        stats_print_window(st, now_ms);
}

static int
cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return x < y ? -1 : x > y;
}

static void
stats_print_total(stats_t *st)
{
    int64_t elapsed = clock_mono_ms() - st->start_ms;
    double recs, mb;
    int32_t pct[4] = {0, 0, 0, 0};
    static const double ps[4] = {0.5, 0.95, 0.99, 0.999};

    if (elapsed <= 0)
        elapsed = 1;
    recs = 1000.0 * (double)st->count / (double)elapsed;
    mb = 1000.0 * (double)st->bytes / (double)elapsed / (1024.0 * 1024.0);
    qsort(st->latencies, (size_t)st->index, sizeof(*st->latencies), cmp_i32);
    for (int i = 0; i < 4 && st->index > 0; i++)
        pct[i] = st->latencies[(int64_t)(ps[i] * (double)st->index)];
    printf("%lld records sent, %f records/sec (%.2f MB/sec), %.2f ms avg "
           "latency, %.2f ms max latency, %d ms 50th, %d ms 95th, %d ms "
           "99th, %d ms 99.9th.\n",
           (long long)st->count, recs, mb,
           st->count ? (double)st->total_latency / (double)st->count : 0.0,
           (double)st->max_latency, (int)pct[0], (int)pct[1], (int)pct[2],
           (int)pct[3]);
}

/* -------------------------------------------------------------- metadata */

static pleader_t *
perf_leader(perf_t *pf, int32_t node)
{
    for (int i = 0; i < pf->nleaders; i++)
        if (pf->leaders[i].node == node)
            return &pf->leaders[i];
    pf->leaders = xrealloc(pf->leaders,
                           sizeof(*pf->leaders) * (size_t)(pf->nleaders + 1));
    memset(&pf->leaders[pf->nleaders], 0, sizeof(*pf->leaders));
    pf->leaders[pf->nleaders].node = node;
    return &pf->leaders[pf->nleaders++];
}

static int
perf_metadata(perf_t *pf)
{
    const metadata_resp_t *md;
    const char *topics[1] = {pf->topic};
    const metadata_resp_topic_t *t;
    char err[512];
    int rc = tool_client_metadata(pf->tc, topics, 1, &md, err, sizeof(err));

    pf->metadata_us = clock_mono_us();
    pf->need_metadata = false;
    if (rc != 0) {
        tool_err(CMD, "%s", err);
        return rc;
    }
    if (md->ntopics < 1 || md->topics[0].error_code != 0) {
        tool_topic_error(CMD, pf->topic,
                         md->ntopics < 1 ? KERR_UNKNOWN_TOPIC_OR_PARTITION
                                         : md->topics[0].error_code,
                         NULL);
        return TOOL_EXIT_FAIL;
    }
    t = &md->topics[0];
    if (pf->parts == NULL) {
        if (t->npartitions < 1) {
            tool_err(CMD, "topic '%s' has no partitions", pf->topic);
            return TOOL_EXIT_FAIL;
        }
        pf->nparts = t->npartitions;
        pf->parts = xcalloc((size_t)pf->nparts, sizeof(*pf->parts));
        pf->sticky = (int32_t)(clock_mono_us() % pf->nparts);
    }
    for (int32_t i = 0; i < pf->nparts; i++)
        pf->parts[i].leader = -1;
    for (int32_t i = 0; i < t->npartitions; i++) {
        int32_t p = t->partitions[i].partition_index;

        if (p >= 0 && p < pf->nparts &&
            t->partitions[i].error_code == KERR_NONE)
            pf->parts[p].leader = t->partitions[i].leader_id;
    }
    return 0;
}

/* --------------------------------------------------------------- batches */

static void
part_append(perf_t *pf, ppart_t *pp)
{
    if (pp->n == pp->cap) {
        pp->cap = pp->cap ? pp->cap * 2 : 64;
        pp->t0_us = xrealloc(pp->t0_us, sizeof(*pp->t0_us) * (size_t)pp->cap);
        pp->ts_ms = xrealloc(pp->ts_ms, sizeof(*pp->ts_ms) * (size_t)pp->cap);
    }
    if (pp->n == 0)
        pp->first_iter = pf->next;
    pp->t0_us[pp->n] = clock_mono_us();
    pp->ts_ms[pp->n] = clock_wall_ms();
    pp->n++;
    pp->bytes += (size_t)pf->record_size + RECORD_OVERHEAD;
    pf->buffered += pf->record_size + RECORD_OVERHEAD;
    pf->next++;
}

/* closes @p's open batch into its queue; 0 or an exit code */
static int
part_close(perf_t *pf, int32_t p)
{
    ppart_t *pp = &pf->parts[p];
    batch_build_record_t *recs;
    pbatch_t *b;
    int rc;

    if (pp->n == 0)
        return 0;
    recs = xcalloc((size_t)pp->n, sizeof(*recs));
    for (int32_t i = 0; i < pp->n; i++) {
        recs[i].key_len = -1;
        recs[i].value = pf->payload;
        recs[i].value_len = (int32_t)pf->record_size;
        recs[i].timestamp = pp->ts_ms[i];
    }
    b = xcalloc(1, sizeof(*b));
    b->partition = p;
    b->n = pp->n;
    b->first_iter = pp->first_iter;
    b->t0_us = xmalloc(sizeof(*b->t0_us) * (size_t)pp->n);
    memcpy(b->t0_us, pp->t0_us, sizeof(*b->t0_us) * (size_t)pp->n);
    rc = batch_build(&b->data, pf->codec, 0, recs, pp->n);
    free(recs);
    if (rc != 0) {
        tool_err(CMD, "cannot build a batch of %d records: %s", (int)pp->n,
                 err_str(rc));
        buf_fini(&b->data);
        free(b->t0_us);
        free(b);
        return TOOL_EXIT_FAIL;
    }
    pp->n = 0;
    pp->bytes = 0;
    if (pp->tail)
        pp->tail->next = b;
    else
        pp->head = b;
    pp->tail = b;
    pf->batches++;
    pf->batch_bytes += (int64_t)b->data.len;
    return 0;
}

static void
batch_free(pbatch_t *b)
{
    buf_fini(&b->data);
    free(b->t0_us);
    free(b);
}

/* a batch is finished: acknowledged (@ec 0) or failed */
static void
batch_done(perf_t *pf, pbatch_t *b, int16_t ec, const char *why)
{
    int64_t now_us = clock_mono_us(), now_ms = clock_mono_ms();

    if (ec == KERR_NONE) {
        for (int32_t i = 0; i < b->n; i++)
            stats_record(&pf->st, b->first_iter + i,
                         (now_us - b->t0_us[i]) / 1000, pf->record_size,
                         now_ms);
    } else {
        tool_err(CMD, "%d record(s) to %s-%d failed: %s", (int)b->n, pf->topic,
                 (int)b->partition, why ? why : kerr_name(ec));
        pf->failed += b->n;
    }
    pf->done += b->n;
    pf->buffered -= (int64_t)b->n * (pf->record_size + RECORD_OVERHEAD);
    batch_free(b);
}

static bool
retriable(int16_t ec)
{
    return ec == -1 || ec == KERR_NOT_LEADER_OR_FOLLOWER ||
           ec == KERR_LEADER_NOT_AVAILABLE ||
           ec == KERR_UNKNOWN_TOPIC_OR_PARTITION ||
           ec == KERR_NOT_ENOUGH_REPLICAS ||
           ec == KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND ||
           ec == KERR_REQUEST_TIMED_OUT;
}

/* back to the head of its partition's queue, or failed after retries */
static void
batch_retry(perf_t *pf, pbatch_t *b, int16_t ec, const char *why)
{
    ppart_t *pp = &pf->parts[b->partition];

    if (!retriable(ec) || b->tries >= pf->retries) {
        batch_done(pf, b, ec, why);
        return;
    }
    b->tries++;
    pf->retried++;
    pf->need_metadata = true;
    b->next = pp->head;
    pp->head = b;
    if (pp->tail == NULL)
        pp->tail = b;
}

/* ---------------------------------------------------------------- sending */

static void
inflight_free(inflight_t *f)
{
    free(f->batches);
    free(f);
}

/* every request in flight to @l is lost (connection failed) */
static void
leader_fail_all(perf_t *pf, pleader_t *l, const char *why)
{
    inflight_t *f;

    while ((f = l->head) != NULL) {
        l->head = f->next;
        for (int i = f->nb - 1; i >= 0; i--)
            batch_retry(pf, f->batches[i], -1, why);
        inflight_free(f);
    }
    l->tail = NULL;
    l->n = 0;
}

/*
 * One Produce request to @l with the oldest closed batch of each of its
 * partitions (closing open batches that lingered long enough). Returns 1
 * if a request went out, 0 if there was nothing to send, or an exit code
 * (negated) for a fatal error.
 */
static int
leader_send(perf_t *pf, pleader_t *l, int64_t now_us)
{
    produce_req_partition_t *rp;
    produce_req_topic_t rt = {0};
    produce_req_t req = {0};
    inflight_t *f;
    char err[512];
    int16_t v;
    int n = 0, rc;

    for (int32_t p = 0; p < pf->nparts; p++) {
        ppart_t *pp = &pf->parts[p];

        if (pp->leader != l->node || pp->head != NULL || pp->n == 0)
            continue;
        if (pf->next == pf->num_records ||
            now_us - pp->t0_us[0] >= pf->linger_ms * 1000) {
            rc = part_close(pf, p);
            if (rc != 0)
                return -rc;
        }
    }
    for (int32_t p = 0; p < pf->nparts; p++)
        if (pf->parts[p].leader == l->node && pf->parts[p].head)
            n++;
    if (n == 0)
        return 0;
    rc =
        tool_client_version(pf->tc, l->node, API_PRODUCE, &v, err, sizeof(err));
    if (rc != 0) {
        tool_err(CMD, "%s (will retry)", err);
        pf->need_metadata = true;
        return 0;
    }
    f = xcalloc(1, sizeof(*f));
    f->batches = xcalloc((size_t)n, sizeof(*f->batches));
    rp = xcalloc((size_t)n, sizeof(*rp));
    for (int32_t p = 0; p < pf->nparts; p++) {
        ppart_t *pp = &pf->parts[p];
        pbatch_t *b = pp->head;

        if (pp->leader != l->node || b == NULL)
            continue;
        pp->head = b->next;
        if (pp->head == NULL)
            pp->tail = NULL;
        b->next = NULL;
        rp[f->nb].index = p;
        rp[f->nb].records = (kbytes_t){b->data.data, (int32_t)b->data.len};
        f->batches[f->nb++] = b;
    }
    rt.name = (kstr_t){pf->topic, (int32_t)strlen(pf->topic)};
    rt.npartition_data = f->nb;
    rt.partition_data = rp;
    req.transactional_id.len = -1;
    req.acks = pf->acks;
    req.timeout_ms = (int32_t)pf->timeout_ms;
    req.ntopic_data = 1;
    req.topic_data = &rt;
    tool_req_begin(pf->tc, &f->req, l->node, API_PRODUCE, v);
    p_produce_req_encode(&f->req.kw, v, &req);
    rc = tool_req_send(pf->tc, &f->req, err, sizeof(err));
    free(rp);
    f->sent_us = clock_mono_us();
    pf->requests++;
    if (rc != 0) {
        /* the connection is gone, and with it every answer owed on it */
        for (int i = f->nb - 1; i >= 0; i--)
            batch_retry(pf, f->batches[i], -1, err);
        inflight_free(f);
        leader_fail_all(pf, l, err);
        return 1;
    }
    if (pf->acks == 0) {
        for (int i = 0; i < f->nb; i++)
            batch_done(pf, f->batches[i], KERR_NONE, NULL);
        inflight_free(f);
        return 1;
    }
    if (l->tail)
        l->tail->next = f;
    else
        l->head = f;
    l->tail = f;
    l->n++;
    if (l->n > pf->max_in_flight_seen)
        pf->max_in_flight_seen = l->n;
    return 1;
}

/* reads the answer to @l's oldest request */
static void
leader_recv(perf_t *pf, pleader_t *l)
{
    inflight_t *f = l->head;
    buf_t frame = BUF_INIT;
    produce_resp_t resp;
    char err[512];
    kread_t kr;
    arena_t ar;
    int rc;

    rc = tool_req_recv(pf->tc, &f->req, &frame, &kr, (int)pf->timeout_ms, err,
                       sizeof(err));
    if (rc != 0) {
        buf_fini(&frame);
        leader_fail_all(pf, l, err);
        pf->need_metadata = true;
        return;
    }
    l->head = f->next;
    if (l->head == NULL)
        l->tail = NULL;
    l->n--;
    pf->request_latency_us += clock_mono_us() - f->sent_us;
    arena_init(&ar);
    if (p_produce_resp_decode(&kr, f->req.version, &ar, &resp) != 0) {
        for (int i = 0; i < f->nb; i++)
            batch_done(pf, f->batches[i], KERR_UNKNOWN_SERVER_ERROR,
                       "malformed Produce response");
    } else {
        for (int i = 0; i < f->nb; i++) {
            int16_t ec = KERR_UNKNOWN_SERVER_ERROR;
            const char *msg = NULL;

            for (int32_t t = 0; t < resp.nresponses; t++)
                for (int32_t q = 0; q < resp.responses[t].npartition_responses;
                     q++) {
                    const produce_resp_partition_t *pres =
                        &resp.responses[t].partition_responses[q];

                    if (pres->index == f->batches[i]->partition) {
                        ec = pres->error_code;
                        msg = tool_kstr(&ar, pres->error_message);
                    }
                }
            if (ec == KERR_NONE)
                batch_done(pf, f->batches[i], ec, NULL);
            else
                batch_retry(pf, f->batches[i], ec, msg && *msg ? msg : NULL);
        }
    }
    arena_fini(&ar);
    buf_fini(&frame);
    inflight_free(f);
}

/* fails the batches of partitions that have had no leader for too long */
static void
perf_fail_leaderless(perf_t *pf, int64_t now_us)
{
    bool any = false;

    for (int32_t p = 0; p < pf->nparts; p++)
        any = any || (pf->parts[p].leader < 0 &&
                      (pf->parts[p].head || pf->parts[p].n));
    if (!any) {
        pf->no_leader_since_us = 0;
        return;
    }
    pf->need_metadata = true;
    if (pf->no_leader_since_us == 0)
        pf->no_leader_since_us = now_us;
    if (now_us - pf->no_leader_since_us < pf->timeout_ms * 1000)
        return;
    for (int32_t p = 0; p < pf->nparts; p++) {
        ppart_t *pp = &pf->parts[p];
        pbatch_t *b;

        if (pp->leader >= 0)
            continue;
        part_close(pf, p);
        while ((b = pp->head) != NULL) {
            pp->head = b->next;
            batch_done(pf, b, KERR_LEADER_NOT_AVAILABLE,
                       "the partition has no leader (see samsa topics "
                       "--describe)");
        }
        pp->tail = NULL;
    }
}

static int
perf_run(perf_t *pf)
{
    struct pollfd *pfds = NULL;
    int *which = NULL;
    int rc = 0;

    stats_init(&pf->st, pf->num_records);
    while (pf->done < pf->num_records) {
        int64_t now_us = clock_mono_us();
        int64_t start_us = pf->st.start_ms * 1000;
        int64_t allowed = pf->num_records, wait_us = 100000;
        int nfds = 0, sent = 0;
        bool can_append;

        if (pf->need_metadata &&
            now_us - pf->metadata_us >= METADATA_BACKOFF_US &&
            perf_metadata(pf) != 0)
            pf->need_metadata = true; /* keep going; retry later */
        perf_fail_leaderless(pf, now_us);
        /* 1. append: up to the throttle, the buffer, or one full batch */
        if (pf->throughput > 0) {
            allowed = (int64_t)((double)(now_us - start_us) / 1e6 *
                                (double)pf->throughput) +
                      1;
            if (allowed > pf->num_records)
                allowed = pf->num_records;
        }
        while (pf->next < allowed && pf->buffered < pf->buffer_memory) {
            ppart_t *pp = &pf->parts[pf->sticky];

            part_append(pf, pp);
            if ((int64_t)pp->bytes >= pf->batch_size) {
                rc = part_close(pf, pf->sticky);
                if (rc != 0)
                    goto out;
                /* KIP-480: the next batch goes to the next partition */
                pf->sticky = (pf->sticky + 1) % pf->nparts;
                break;
            }
        }
        /* 2. send while leaders have room */
        for (int32_t p = 0; p < pf->nparts; p++)
            if (pf->parts[p].leader >= 0)
                perf_leader(pf, pf->parts[p].leader);
        for (int i = 0; i < pf->nleaders; i++) {
            pleader_t *l = &pf->leaders[i];
            bool led = false;

            for (int32_t p = 0; p < pf->nparts && !led; p++)
                led = pf->parts[p].leader == l->node;
            while (led && l->n < pf->max_in_flight) {
                int s = leader_send(pf, l, now_us);

                if (s < 0) {
                    rc = -s;
                    goto out;
                }
                if (s == 0)
                    break;
                sent++;
            }
        }
        /* 3. wait for answers, the throttle, or linger.ms */
        can_append =
            pf->next < pf->num_records && pf->buffered < pf->buffer_memory;
        if (can_append && pf->next < allowed)
            wait_us = 0;
        else if (can_append && pf->throughput > 0) {
            int64_t due = start_us + (int64_t)((double)pf->next * 1e6 /
                                               (double)pf->throughput);

            wait_us = due > now_us ? due - now_us : 0;
        }
        for (int32_t p = 0; p < pf->nparts; p++) {
            ppart_t *pp = &pf->parts[p];

            if (pp->n > 0 && pp->head == NULL) {
                int64_t due = pp->t0_us[0] + pf->linger_ms * 1000;

                if (due - now_us < wait_us)
                    wait_us = due > now_us ? due - now_us : 0;
            }
        }
        if (sent > 0 && wait_us > 0 && can_append)
            wait_us = 0;
        free(pfds);
        free(which);
        pfds = xcalloc((size_t)pf->nleaders + 1, sizeof(*pfds));
        which = xcalloc((size_t)pf->nleaders + 1, sizeof(*which));
        for (int i = 0; i < pf->nleaders; i++) {
            pleader_t *l = &pf->leaders[i];
            int fd;

            if (l->n == 0)
                continue;
            fd = tool_client_fd(pf->tc, l->node);
            if (fd < 0) {
                leader_fail_all(pf, l, "connection lost");
                continue;
            }
            if (now_us - l->head->sent_us > pf->timeout_ms * 1000) {
                leader_fail_all(pf, l, "no answer within the timeout");
                pf->need_metadata = true;
                continue;
            }
            pfds[nfds].fd = fd;
            pfds[nfds].events = POLLIN;
            which[nfds++] = i;
        }
        if (nfds == 0 && wait_us > 0 && pf->done < pf->num_records) {
            if (wait_us > 100000)
                wait_us = 100000;
            usleep((useconds_t)wait_us);
            continue;
        }
        if (nfds > 0 &&
            poll(pfds, (nfds_t)nfds,
                 (int)((wait_us + 999) / 1000 < 100 ? (wait_us + 999) / 1000
                                                    : 100)) > 0) {
            for (int i = 0; i < nfds; i++)
                if (pfds[i].revents & (POLLIN | POLLERR | POLLHUP))
                    leader_recv(pf, &pf->leaders[which[i]]);
        }
    }
out:
    free(pfds);
    free(which);
    return rc;
}

/* --------------------------------------------------------------- options */

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

/* one producer property; 0 or TOOL_EXIT_USAGE */
static int
perf_prop(perf_t *pf, const char *kv, const char **bootstrap)
{
    static const struct {
        const char *key;
        size_t off;
        int64_t min, max;
    } ints[] = {
        {"batch.size", offsetof(perf_t, batch_size), 1, 1 << 30},
        {"linger.ms", offsetof(perf_t, linger_ms), 0, 3600000},
        {"buffer.memory", offsetof(perf_t, buffer_memory), 1024,
         (int64_t)1 << 40},
        {"max.in.flight.requests.per.connection",
         offsetof(perf_t, max_in_flight), 1, 1000},
        {"retries", offsetof(perf_t, retries), 0, INT32_MAX},
        {"request.timeout.ms", offsetof(perf_t, timeout_ms), 1, INT32_MAX},
    };
    const char *eq = strchr(kv, '=');
    char key[128], err[256];
    const char *v;

    if (eq == NULL || (size_t)(eq - kv) >= sizeof(key)) {
        tool_err(CMD, "--producer-props '%s': expected KEY=VALUE", kv);
        return TOOL_EXIT_USAGE;
    }
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = '\0';
    v = eq + 1;
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        if (strcmp(key, ints[i].key) != 0)
            continue;
        if (tool_parse_int(key, v, ints[i].min, ints[i].max,
                           (int64_t *)((char *)pf + ints[i].off), err,
                           sizeof(err)) != 0) {
            tool_err(CMD, "--producer-props %s", err);
            return TOOL_EXIT_USAGE;
        }
        return 0;
    }
    if (strcmp(key, "acks") == 0) {
        if (parse_acks(v, &pf->acks) != 0) {
            tool_err(CMD, "acks=%s: use 0, 1 or all", v);
            return TOOL_EXIT_USAGE;
        }
    } else if (strcmp(key, "compression.type") == 0) {
        if (parse_codec(v, &pf->codec) != 0) {
            tool_err(CMD,
                     "compression.type=%s: use none, gzip, snappy, lz4 "
                     "or zstd",
                     v);
            return TOOL_EXIT_USAGE;
        }
    } else if (strcmp(key, "bootstrap.servers") == 0) {
        *bootstrap = v;
    } else if (strcmp(key, "client.id") != 0 &&
               strcmp(key, "key.serializer") != 0 &&
               strcmp(key, "value.serializer") != 0) {
        tool_err(CMD,
                 "warning: producer property %s is not supported; "
                 "ignored",
                 key);
    }
    return 0;
}

static int
perf_configure(perf_t *pf, const tool_args_t *a, const char **bootstrap)
{
    static const struct {
        const char *name;
        size_t off;
        int64_t min, max;
    } req[] = {
        {"num-records", offsetof(perf_t, num_records), 0, INT64_MAX / 2},
        {"record-size", offsetof(perf_t, record_size), 1, 64 << 20},
        {"throughput", offsetof(perf_t, throughput), INT64_MIN / 2,
         INT64_MAX / 2},
    };
    char *const *vals;
    char err[256];
    int n, rc;

    pf->topic = tool_opt_get(a, "topic");
    if (pf->topic == NULL) {
        tool_err(CMD, "--topic NAME is required");
        return TOOL_EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
        const char *s = tool_opt_get(a, req[i].name);

        if (s == NULL) {
            tool_err(CMD, "--%s is required", req[i].name);
            return TOOL_EXIT_USAGE;
        }
        if (tool_parse_int(req[i].name, s, req[i].min, req[i].max,
                           (int64_t *)((char *)pf + req[i].off), err,
                           sizeof(err)) != 0) {
            tool_err(CMD, "%s", err);
            return TOOL_EXIT_USAGE;
        }
    }
    if (pf->throughput == 0) {
        tool_err(CMD, "--throughput 0 would send nothing; use a positive "
                      "rate or -1 for no limit");
        return TOOL_EXIT_USAGE;
    }
    vals = tool_opt_all(a, "producer-props", &n);
    for (int i = 0; i < n; i++)
        if ((rc = perf_prop(pf, vals[i], bootstrap)) != 0)
            return rc;
    /* Kafka's form: --producer-props k=v k=v ... */
    for (int i = 0; i < a->noperands; i++) {
        if (n == 0 || strchr(a->operands[i], '=') == NULL) {
            tool_err(CMD, "unexpected argument '%s'", a->operands[i]);
            return TOOL_EXIT_USAGE;
        }
        if ((rc = perf_prop(pf, a->operands[i], bootstrap)) != 0)
            return rc;
    }
    return 0;
}

static void
perf_print_metrics(perf_t *pf)
{
    const char *cid = "{client-id=samsa-tools}";
    double secs = (double)(clock_mono_ms() - pf->st.start_ms) / 1000.0;
    struct {
        const char *name;
        double value;
    } m[] = {
        {"batch-size-avg",
         pf->batches ? (double)pf->batch_bytes / (double)pf->batches : 0},
        {"record-send-rate", secs > 0 ? (double)pf->st.count / secs : 0},
        {"record-send-total", (double)pf->st.count},
        {"record-error-total", (double)pf->failed},
        {"record-retry-total", (double)pf->retried},
        {"records-per-request-avg",
         pf->requests ? (double)pf->next / (double)pf->requests : 0},
        {"request-latency-avg",
         pf->requests && pf->acks != 0
             ? (double)pf->request_latency_us / 1000.0 / (double)pf->requests
             : 0},
        {"request-total", (double)pf->requests},
        {"requests-in-flight-max", (double)pf->max_in_flight_seen},
    };

    printf("\n%-60s %s\n", "Metric Name", "Value");
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        char name[160];

        snprintf(name, sizeof(name), "producer-metrics:%s:%s", m[i].name, cid);
        printf("%-60s : %.3f\n", name, m[i].value);
    }
}

int
cmd_producer_perf_test(int argc, char **argv)
{
    const char *bootstrap = NULL;
    perf_t pf = {0};
    tool_args_t a;
    char err[1024];
    int rc;

    rc = tool_args_begin(&a, CMD,
                         "--topic NAME --num-records N --record-size BYTES "
                         "--throughput N [options]",
                         "Measures how fast records can be written to a "
                         "topic (kafka-producer-perf-test.sh).",
                         opts, NOPTS, argc, argv);
    if (rc != 0) {
        tool_args_fini(&a);
        return rc < 0 ? TOOL_EXIT_OK : rc;
    }
    pf.acks = -1;
    pf.codec = BATCH_CODEC_NONE;
    pf.batch_size = 16384;
    pf.linger_ms = 0;
    pf.buffer_memory = 32 << 20;
    pf.max_in_flight = 5;
    pf.retries = 3;
    pf.timeout_ms = 30000;
    rc = perf_configure(&pf, &a, &bootstrap);
    if (rc == 0) {
        if (tool_opt_get(&a, "bootstrap-server") || bootstrap == NULL)
            bootstrap = tool_bootstrap(&a, CMD);
        if (bootstrap == NULL)
            rc = TOOL_EXIT_USAGE;
    }
    if (rc == 0) {
        rc = tool_client_open(&pf.tc, bootstrap, (int)pf.timeout_ms, err,
                              sizeof(err));
        if (rc != 0)
            tool_err(CMD, "%s", err);
    }
    if (rc == 0)
        rc = perf_metadata(&pf);
    if (rc == 0) {
        pf.payload = xmalloc((size_t)pf.record_size);
        srand((unsigned)clock_mono_us());
        for (int64_t i = 0; i < pf.record_size; i++)
            pf.payload[i] = (char)('A' + rand() % 26);
        rc = perf_run(&pf);
        if (rc == 0) {
            stats_print_total(&pf.st);
            if (tool_opt_has(&a, "print-metrics"))
                perf_print_metrics(&pf);
            if (pf.failed > 0) {
                tool_err(CMD, "%lld of %lld record(s) not written",
                         (long long)pf.failed, (long long)pf.num_records);
                rc = TOOL_EXIT_FAIL;
            }
        }
    }
    for (int i = 0; i < pf.nleaders; i++) {
        inflight_t *f;

        while ((f = pf.leaders[i].head) != NULL) {
            pf.leaders[i].head = f->next;
            for (int j = 0; j < f->nb; j++)
                batch_free(f->batches[j]);
            inflight_free(f);
        }
    }
    for (int32_t p = 0; p < pf.nparts; p++) {
        pbatch_t *b;

        while ((b = pf.parts[p].head) != NULL) {
            pf.parts[p].head = b->next;
            batch_free(b);
        }
        free(pf.parts[p].t0_us);
        free(pf.parts[p].ts_ms);
    }
    free(pf.parts);
    free(pf.leaders);
    free(pf.payload);
    free(pf.st.latencies);
    tool_client_close(pf.tc);
    tool_args_fini(&a);
    return rc;
}
