/*
 * ctl_reassign.c: the pure computations of partition reassignment
 * (KIP-455), for the controller's reassignment state machine.
 *
 * Owns: the replica sets of a reassignment (Kafka 2.8 ReplicaAssignment:
 * the full set written to /brokers/topics/<t> while it runs, with
 * adding_replicas and removing_replicas), the original set a cancellation
 * returns to, the completion test and the leader/ISR on completion, and
 * the checks of a requested target. Does not own the state znodes or the
 * requests to brokers (ctl_ctrl.c). Pure functions; any thread.
 *
 * Spec: Kafka 2.8 KafkaController.onPartitionReassignment (steps U1-U3,
 * B1-B6) and ReplicaAssignment.fromOriginalAndTarget.
 *
 *     idle --target T (orig O)--> running: replicas = T ++ (O - T),
 *                                 adding = T - O, removing = O - T
 *     running --every replica of T in the ISR--> done: replicas = T,
 *              leader from T (kept if it is in T), ISR = ISR & T,
 *              StopReplica(delete) to removing
 *     running --cancel--> running towards O (adding become removing)
 */
#include <string.h>

#include "ctl_int.h"
#include "samsa/kerr.h"

static bool
has(const int32_t *v, int32_t n, int32_t x)
{
    for (int32_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

void
ctl_reassign_plan(const int32_t *orig, int32_t norig, const int32_t *target,
                  int32_t ntarget, int32_t *full, int32_t *nfull,
                  int32_t *adding, int32_t *nadding, int32_t *removing,
                  int32_t *nremoving)
{
    *nfull = *nadding = *nremoving = 0;
    for (int32_t i = 0; i < ntarget; i++) {
        full[(*nfull)++] = target[i];
        if (!has(orig, norig, target[i]))
            adding[(*nadding)++] = target[i];
    }
    for (int32_t i = 0; i < norig; i++) {
        if (has(target, ntarget, orig[i]))
            continue;
        full[(*nfull)++] = orig[i];
        removing[(*nremoving)++] = orig[i];
    }
}

void
ctl_reassign_original(const int32_t *full, int32_t nfull, const int32_t *adding,
                      int32_t nadding, int32_t *out, int32_t *nout)
{
    *nout = 0;
    for (int32_t i = 0; i < nfull; i++)
        if (!has(adding, nadding, full[i]))
            out[(*nout)++] = full[i];
}

void
ctl_reassign_target(const int32_t *full, int32_t nfull, const int32_t *removing,
                    int32_t nremoving, int32_t *out, int32_t *nout)
{
    *nout = 0;
    for (int32_t i = 0; i < nfull; i++)
        if (!has(removing, nremoving, full[i]))
            out[(*nout)++] = full[i];
}

bool
ctl_reassign_caught_up(const int32_t *target, int32_t ntarget,
                       const int32_t *isr, int32_t nisr)
{
    for (int32_t i = 0; i < ntarget; i++)
        if (!has(isr, nisr, target[i]))
            return false;
    return ntarget > 0;
}

int16_t
ctl_reassign_finish(const int32_t *target, int32_t ntarget,
                    const bool *eligible, const int32_t *isr, int32_t nisr,
                    int32_t leader, int32_t *new_leader, int32_t *new_isr,
                    int32_t *new_nisr)
{
    int32_t l = -1;

    *new_nisr = 0;
    for (int32_t i = 0; i < nisr; i++)
        if (has(target, ntarget, isr[i]))
            new_isr[(*new_nisr)++] = isr[i];
    for (int32_t i = 0; i < ntarget; i++)
        if (target[i] == leader && eligible[i] &&
            has(new_isr, *new_nisr, leader))
            l = leader;
    for (int32_t i = 0; l < 0 && i < ntarget; i++)
        if (eligible[i] && has(new_isr, *new_nisr, target[i]))
            l = target[i];
    *new_leader = l;
    return l >= 0 ? KERR_NONE : KERR_ELIGIBLE_LEADERS_NOT_AVAILABLE;
}

int16_t
ctl_reassign_check(const int32_t *target, int32_t ntarget,
                   const int32_t *brokers, int32_t nbrokers)
{
    if (ntarget <= 0)
        return KERR_INVALID_REPLICA_ASSIGNMENT;
    for (int32_t i = 0; i < ntarget; i++) {
        if (target[i] < 0 || has(target, i, target[i]))
            return KERR_INVALID_REPLICA_ASSIGNMENT;
        if (brokers != NULL && !has(brokers, nbrokers, target[i]))
            return KERR_INVALID_REPLICA_ASSIGNMENT;
    }
    return KERR_NONE;
}
