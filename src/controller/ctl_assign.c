/*
 * ctl_assign.c: Kafka's replica assignment for new partitions, rack-aware
 * when the brokers have a broker.rack (see ctl.h, ctl_assign_replicas).
 *
 * Owns: the rack-alternated broker list, the round-robin placement of each
 * partition's first replica and the shifted placement of the others. Does
 * not own where the brokers come from (ctl_admin.c reads the registrations
 * for CreateTopics and CreatePartitions; samsa reassign-partitions
 * --generate reads the Metadata) nor any validation of the result. Pure
 * functions; any thread.
 *
 * Spec: Kafka 2.8 AdminUtils.assignReplicasToBrokers,
 * assignReplicasToBrokersRackUnaware, assignReplicasToBrokersRackAware and
 * getRackAlternatedBrokerList (KIP-36).
 *
 * Rack-unaware, 5 brokers, start index 0 (Kafka's own example):
 *
 *     broker-0  broker-1  broker-2  broker-3  broker-4
 *     p0        p1        p2        p3        p4       (1st replica)
 *     p5        p6        p7        p8        p9       (1st replica)
 *     p4        p0        p1        p2        p3       (2nd replica)
 *     p8        p9        p5        p6        p7       (2nd replica)
 *
 * Rack-aware: the same round robin over the rack-alternated list (racks in
 * name order, each rack's brokers in id order, one from each rack in
 * turn: 0->rack1, 1->rack3, 2->rack3, 3->rack2, 4->rack2, 5->rack1 gives
 * 0,3,1,5,4,2), where a follower candidate is skipped while its rack
 * already holds a replica and some rack holds none, or while it holds one
 * and some broker holds none.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/ctl.h"
#include "samsa/kerr.h"
#include "samsa/xmalloc.h"

/* Kafka's AdminUtils.replicaIndex */
static int32_t
replica_index(int32_t first, int64_t shift, int32_t j, int32_t n)
{
    int64_t s = 1 + (shift + j) % (n - 1);

    return (int32_t)((first + s) % n);
}

static int32_t
pick_start(int32_t start_index, int32_t n, unsigned int *seed)
{
    return start_index >= 0 ? start_index : (int32_t)(rand_r(seed) % n);
}

static void
assign_rack_unaware(const ctl_assign_broker_t *brokers, int32_t n,
                    int32_t npartitions, int32_t rf, int32_t start_index,
                    int32_t start_partition, unsigned int *seed, int32_t *out)
{
    int32_t start = pick_start(start_index, n, seed);
    int64_t shift = pick_start(start_index, n, seed);
    int32_t pid = start_partition > 0 ? start_partition : 0;

    for (int32_t i = 0; i < npartitions; i++, pid++) {
        int32_t first;

        if (pid > 0 && pid % n == 0)
            shift++;
        first = (int32_t)(((int64_t)pid + start) % n);
        out[i * rf] = brokers[first].id;
        for (int32_t j = 0; j < rf - 1; j++)
            out[i * rf + j + 1] = brokers[replica_index(first, shift, j, n)].id;
    }
}

static int
by_id(const void *a, const void *b)
{
    int32_t x = ((const ctl_assign_broker_t *)a)->id;
    int32_t y = ((const ctl_assign_broker_t *)b)->id;

    return (x > y) - (x < y);
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Kafka's getRackAlternatedBrokerList: fills @list with the broker ids and
 * @rack with each one's rack as an index into the racks in name order;
 * returns the number of racks.
 */
static int32_t
rack_alternated(const ctl_assign_broker_t *brokers, int32_t n, int32_t *list,
                int32_t *rack)
{
    ctl_assign_broker_t *sorted = xcalloc((size_t)n + 1, sizeof(*sorted));
    const char **racks = xcalloc((size_t)n + 1, sizeof(*racks));
    int32_t *next = xcalloc((size_t)n + 1, sizeof(*next));
    int32_t nracks = 0, nout = 0;

    memcpy(sorted, brokers, sizeof(*sorted) * (size_t)n);
    qsort(sorted, (size_t)n, sizeof(*sorted), by_id);
    for (int32_t i = 0; i < n; i++) {
        bool seen = false;

        for (int32_t r = 0; r < nracks && !seen; r++)
            seen = strcmp(racks[r], sorted[i].rack) == 0;
        if (!seen)
            racks[nracks++] = sorted[i].rack;
    }
    qsort(racks, (size_t)nracks, sizeof(*racks), by_name);
    /* next[r]: where rack r's next broker is looked for in @sorted */
    for (int32_t r = 0; nout < n; r = (r + 1) % nracks) {
        while (next[r] < n && strcmp(sorted[next[r]].rack, racks[r]) != 0)
            next[r]++;
        if (next[r] < n) {
            rack[nout] = r;
            list[nout++] = sorted[next[r]++].id;
        }
    }
    free(next);
    free(racks);
    free(sorted);
    return nracks;
}

static void
assign_rack_aware(const ctl_assign_broker_t *brokers, int32_t n,
                  int32_t npartitions, int32_t rf, int32_t start_index,
                  int32_t start_partition, unsigned int *seed, int32_t *out)
{
    int32_t *list = xcalloc((size_t)n + 1, sizeof(*list));
    int32_t *rack = xcalloc((size_t)n + 1, sizeof(*rack)); /* of list[i] */
    bool *rack_used = xcalloc((size_t)n + 1, sizeof(*rack_used));
    bool *broker_used = xcalloc((size_t)n + 1, sizeof(*broker_used));
    int32_t nracks = rack_alternated(brokers, n, list, rack);
    int32_t start = pick_start(start_index, n, seed);
    int64_t shift = pick_start(start_index, n, seed);
    int32_t pid = start_partition > 0 ? start_partition : 0;

    for (int32_t i = 0; i < npartitions; i++, pid++) {
        int32_t first, nrack_used = 1, nbroker_used = 1, k = 0;

        if (pid > 0 && pid % n == 0)
            shift++;
        first = (int32_t)(((int64_t)pid + start) % n);
        memset(rack_used, 0, sizeof(*rack_used) * (size_t)n);
        memset(broker_used, 0, sizeof(*broker_used) * (size_t)n);
        rack_used[rack[first]] = true;
        broker_used[first] = true;
        out[i * rf] = list[first];
        for (int32_t j = 1; j < rf; j++) {
            /* ends within n - 1 candidates, which are all the others */
            for (;; k++) {
                int32_t c = replica_index(first, shift * nracks, k, n);

                if ((!rack_used[rack[c]] || nrack_used == nracks) &&
                    (!broker_used[c] || nbroker_used == n)) {
                    nrack_used += !rack_used[rack[c]];
                    nbroker_used += !broker_used[c];
                    rack_used[rack[c]] = true;
                    broker_used[c] = true;
                    out[i * rf + j] = list[c];
                    k++;
                    break;
                }
            }
        }
    }
    free(broker_used);
    free(rack_used);
    free(rack);
    free(list);
}

int16_t
ctl_assign_replicas(const ctl_assign_broker_t *brokers, int32_t nbrokers,
                    int32_t npartitions, int32_t rf, int32_t start_index,
                    int32_t start_partition, unsigned int *seed, int32_t *out,
                    char *errbuf, size_t errlen)
{
    int32_t with_rack = 0;

    if (npartitions <= 0) {
        snprintf(errbuf, errlen, "Number of partitions must be larger than 0.");
        return KERR_INVALID_PARTITIONS;
    }
    if (rf <= 0) {
        snprintf(errbuf, errlen, "Replication factor must be larger than 0.");
        return KERR_INVALID_REPLICATION_FACTOR;
    }
    if (rf > nbrokers) {
        snprintf(errbuf, errlen,
                 "Replication factor: %d larger than available brokers: %d.",
                 (int)rf, (int)nbrokers);
        return KERR_INVALID_REPLICATION_FACTOR;
    }
    for (int32_t i = 0; i < nbrokers; i++)
        with_rack += brokers[i].rack != NULL;
    if (with_rack == 0) {
        assign_rack_unaware(brokers, nbrokers, npartitions, rf, start_index,
                            start_partition, seed, out);
    } else if (with_rack < nbrokers) {
        /* Kafka's AdminOperationException: no ApiException, so
         * CreateTopics answers UNKNOWN_SERVER_ERROR */
        snprintf(errbuf, errlen,
                 "Not all brokers have rack information for replica rack "
                 "aware assignment.");
        return KERR_UNKNOWN_SERVER_ERROR;
    } else {
        assign_rack_aware(brokers, nbrokers, npartitions, rf, start_index,
                          start_partition, seed, out);
    }
    return KERR_NONE;
}
