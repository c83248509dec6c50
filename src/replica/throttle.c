/*
 * throttle.c: a replication quota's windowed byte rate and the throttled
 * replica lists (see throttle.h).
 *
 * Owns: the samples of one quota. Spec: Kafka 2.8
 * org.apache.kafka.common.metrics.stats.SampledStat (record, advance,
 * purgeObsoleteSamples, oldest), SimpleRate.windowSize, Quota.acceptable;
 * kafka.server.ReplicationQuotaManager; ThrottledReplicaListValidator and
 * TopicConfigHandler.parseThrottledPartitions.
 *
 * The samples, as SampledStat keeps them: at most num windows, each with
 * the time it started and the bytes recorded in it. A record goes to the
 * current sample unless that one is window_ms old or more; then the next
 * slot (round robin) restarts at now. A measure first resets every sample
 * that started num * window_ms ago or earlier, then divides the sum by
 * max(now - oldest start, window_ms). So after a quiet spell the rate
 * starts from the first window again instead of averaging over the
 * silence, and a burst right after a quiet spell counts over one window.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/clock.h"
#include "samsa/throttle.h"
#include "samsa/xmalloc.h"

typedef struct throttle_sample {
    int64_t start_ms; /* Kafka's lastWindowMs */
    double bytes;
} throttle_sample_t;

struct throttle {
    pthread_mutex_t lock; /* covers everything below */
    char *name;
    int32_t nwin;
    int64_t window_ms;
    throttle_clock_fn clock;
    void *clock_ud;
    int64_t rate;           /* bytes/s; THROTTLE_UNLIMITED: none */
    throttle_sample_t *win; /* nwin slots, nused in use */
    int32_t nused;
    int32_t cur;
};

static int64_t
throttle_default_clock(void *ud)
{
    (void)ud;
    return clock_mono_ms();
}

throttle_t *
throttle_new(const char *name, int32_t num_windows, int64_t window_ms,
             throttle_clock_fn clock, void *clock_ud)
{
    throttle_t *t = xcalloc(1, sizeof(*t));

    pthread_mutex_init(&t->lock, NULL);
    t->name = xstrdup(name != NULL ? name : "throttle");
    t->nwin = num_windows > 0 ? num_windows : 1;
    t->window_ms = window_ms > 0 ? window_ms : 1;
    t->clock = clock != NULL ? clock : throttle_default_clock;
    t->clock_ud = clock_ud;
    t->rate = THROTTLE_UNLIMITED;
    t->win = xcalloc((size_t)t->nwin, sizeof(*t->win));
    return t;
}

void
throttle_free(throttle_t *t)
{
    if (t == NULL)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t->win);
    free(t->name);
    free(t);
}

void
throttle_set_rate(throttle_t *t, int64_t bytes_per_sec)
{
    pthread_mutex_lock(&t->lock);
    t->rate = bytes_per_sec < 0 ? 0 : bytes_per_sec;
    pthread_mutex_unlock(&t->lock);
}

int64_t
throttle_rate(throttle_t *t)
{
    int64_t rate;

    pthread_mutex_lock(&t->lock);
    rate = t->rate;
    pthread_mutex_unlock(&t->lock);
    return rate;
}

/* SampledStat.current: the sample being filled, the first one created */
static throttle_sample_t *
throttle_current_locked(throttle_t *t, int64_t now)
{
    if (t->nused == 0) {
        t->win[0].start_ms = now;
        t->win[0].bytes = 0;
        t->nused = 1;
        t->cur = 0;
    }
    return &t->win[t->cur];
}

void
throttle_record(throttle_t *t, int64_t bytes)
{
    throttle_sample_t *s;
    int64_t now;

    if (bytes <= 0)
        return;
    pthread_mutex_lock(&t->lock);
    now = t->clock(t->clock_ud);
    s = throttle_current_locked(t, now);
    if (now - s->start_ms >= t->window_ms) {
        /* SampledStat.advance: the next slot, new or restarted */
        t->cur = (t->cur + 1) % t->nwin;
        if (t->cur >= t->nused)
            t->nused = t->cur + 1;
        s = &t->win[t->cur];
        s->start_ms = now;
        s->bytes = 0;
    }
    s->bytes += (double)bytes;
    pthread_mutex_unlock(&t->lock);
}

static double
throttle_measure_locked(throttle_t *t, int64_t now)
{
    int64_t expire = (int64_t)t->nwin * t->window_ms, oldest, elapsed;
    double sum = 0;

    /* purgeObsoleteSamples */
    for (int32_t i = 0; i < t->nused; i++) {
        if (now - t->win[i].start_ms >= expire) {
            t->win[i].start_ms = now;
            t->win[i].bytes = 0;
        }
    }
    oldest = throttle_current_locked(t, now)->start_ms;
    for (int32_t i = 0; i < t->nused; i++) {
        sum += t->win[i].bytes;
        if (t->win[i].start_ms < oldest)
            oldest = t->win[i].start_ms;
    }
    /* SimpleRate.windowSize: at least one whole window */
    elapsed = now - oldest;
    if (elapsed < t->window_ms)
        elapsed = t->window_ms;
    return sum * 1000.0 / (double)elapsed;
}

double
throttle_measure(throttle_t *t)
{
    double rate;

    pthread_mutex_lock(&t->lock);
    rate = throttle_measure_locked(t, t->clock(t->clock_ud));
    pthread_mutex_unlock(&t->lock);
    return rate;
}

bool
throttle_exceeded(throttle_t *t)
{
    bool exceeded = false;

    if (t == NULL)
        return false;
    pthread_mutex_lock(&t->lock);
    /* Quota.acceptable: value <= bound */
    if (t->rate != THROTTLE_UNLIMITED)
        exceeded =
            throttle_measure_locked(t, t->clock(t->clock_ud)) > (double)t->rate;
    pthread_mutex_unlock(&t->lock);
    return exceeded;
}

/* ---- the throttled replica lists -------------------------------------- */

/* [@p, @end) without the blanks around it */
static void
throttle_trim(const char **p, const char **end)
{
    while (*p < *end && isspace((unsigned char)**p))
        (*p)++;
    while (*end > *p && isspace((unsigned char)(*end)[-1]))
        (*end)--;
}

/* the end of the list element starting at @p (a comma or the string end) */
static const char *
throttle_elem_end(const char *p, const char *end)
{
    const char *comma = memchr(p, ',', (size_t)(end - p));

    return comma != NULL ? comma : end;
}

/* parses digits in [@p, @end) into *@out (at most INT32_MAX) */
static bool
throttle_parse_id(const char *p, const char *end, int64_t *out)
{
    int64_t v = 0;

    if (p == end)
        return false;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
        if (v > INT32_MAX)
            return false;
    }
    *out = v;
    return true;
}

/* "digits:digits" (Kafka's regex [0-9]+:[0-9]+ on the trimmed element) */
static bool
throttle_elem_pair(const char *p, const char *end, int64_t *partition,
                   int64_t *broker)
{
    const char *colon = memchr(p, ':', (size_t)(end - p));

    return colon != NULL && throttle_parse_id(p, colon, partition) &&
           throttle_parse_id(colon + 1, end, broker);
}

/* the element is empty or digits:digits; digits may be any length here */
static bool
throttle_elem_valid(const char *p, const char *end)
{
    const char *q = p;

    if (p == end)
        return true;
    while (q < end && *q >= '0' && *q <= '9')
        q++;
    if (q == p || q == end || *q != ':')
        return false;
    p = ++q;
    while (q < end && *q >= '0' && *q <= '9')
        q++;
    return q > p && q == end;
}

bool
throttle_replicas_valid(const char *value)
{
    const char *p = value, *end;
    bool all_pairs = true;
    size_t nstar = 0, nother = 0;

    if (value == NULL)
        return false;
    end = value + strlen(value);
    throttle_trim(&p, &end);
    if (p == end)
        return true; /* the empty list */
    for (;;) {
        const char *e = throttle_elem_end(p, end), *ep = p, *ee = e;

        throttle_trim(&ep, &ee);
        if (!throttle_elem_valid(ep, ee))
            all_pairs = false;
        /* mkString: the elements side by side, for the "*" test */
        for (const char *c = ep; c < ee; c++) {
            if (*c == '*')
                nstar++;
            else
                nother++;
        }
        if (e == end)
            break;
        p = e + 1;
    }
    return all_pairs || (nstar == 1 && nother == 0);
}

bool
throttle_replicas_match(const char *value, int32_t partition, int32_t broker_id)
{
    const char *p = value, *end;

    if (value == NULL)
        return false;
    end = value + strlen(value);
    throttle_trim(&p, &end);
    if (end - p == 1 && *p == '*')
        return true;
    while (p < end) {
        const char *e = throttle_elem_end(p, end), *ep = p, *ee = e;
        int64_t part, broker;

        throttle_trim(&ep, &ee);
        if (throttle_elem_pair(ep, ee, &part, &broker) && part == partition &&
            broker == broker_id)
            return true;
        p = e + 1;
    }
    return false;
}
