/*
 * cg_delete.c: samsa consumer-groups --delete, after
 * kafka-consumer-groups.sh --delete (Kafka 2.8): DeleteGroups of each
 * group at its coordinator, which removes its committed offsets too.
 *
 * Owns: the request and what each refusal means to the user (no such
 * group, active members). Does not own finding the coordinator
 * (cg_group.c) nor checking the options (cmd_consumer-groups.c).
 *
 * Spec: Kafka's ConsumerGroupCommand deleteGroups for the messages and
 * the closing "Deletion of requested consumer groups (...) was
 * successful." line.
 */
#include <stdio.h>
#include <string.h>

#include "cg_int.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_deletegroups.h"

/*
 * DeleteGroups of @group at its coordinator: *@ec receives the group's
 * error code. Returns 0 (check *@ec) or a TOOL_EXIT_* code with a
 * message in @err.
 */
static int
delete_group(tool_client_t *tc, const char *group, int16_t *ec, char *err,
             size_t errlen)
{
    kstr_t name = cg_ks(group);
    deletegroups_req_t req = {.ngroups_names = 1, .groups_names = &name};
    deletegroups_resp_t resp;
    int32_t node;
    cg_call_t c;
    int rc;

    rc = cg_coordinator(tc, group, &node, err, errlen);
    if (rc != 0)
        return rc;
    rc = cg_call_begin(tc, &c, node, API_DELETE_GROUPS, err, errlen);
    if (rc == 0) {
        p_deletegroups_req_encode(&c.r.kw, c.v, &req);
        rc = cg_call_send(tc, &c, err, errlen);
    }
    if (rc == 0 && (p_deletegroups_resp_decode(&c.kr, c.v, &c.ar, &resp) != 0 ||
                    resp.nresults < 1))
        rc = cg_call_malformed(&c, err, errlen);
    if (rc == 0)
        *ec = resp.results[0].error_code;
    cg_call_fini(&c);
    return rc;
}

int
cg_delete_groups(tool_client_t *tc, char *const *groups, int ngroups)
{
    int status = 0, ndone = 0;
    buf_t done = BUF_INIT;

    for (int i = 0; i < ngroups; i++) {
        int16_t ec = 0;
        char err[512];
        int rc = delete_group(tc, groups[i], &ec, err, sizeof(err));

        if (rc != 0) {
            tool_err(CG_CMD, "%s", err);
        } else if (ec == KERR_GROUP_ID_NOT_FOUND) {
            tool_err(CG_CMD, "group '%s' does not exist; %s", groups[i],
                     CG_LIST_HINT);
            rc = TOOL_EXIT_FAIL;
        } else if (ec == KERR_NON_EMPTY_GROUP) {
            tool_err(CG_CMD,
                     "group '%s' has active members and cannot be deleted; "
                     "stop its consumers (or wait for their session "
                     "timeout), then run this again",
                     groups[i]);
            rc = TOOL_EXIT_FAIL;
        } else if (ec != 0) {
            tool_err(CG_CMD, "group '%s': %s%s", groups[i], kerr_name(ec),
                     ec == KERR_NOT_COORDINATOR ? "; run the command again"
                                                : "");
            rc = TOOL_EXIT_FAIL;
        } else {
            buf_append(&done, ndone ? ", '" : "'", ndone ? 3 : 1);
            buf_append(&done, groups[i], strlen(groups[i]));
            buf_append(&done, "'", 1);
            ndone++;
        }
        if (rc != 0)
            status = status == TOOL_EXIT_CONNECT ? status : rc;
        if (rc == TOOL_EXIT_CONNECT)
            break;
    }
    if (ndone > 0)
        printf("Deletion of requested consumer groups (%.*s) was "
               "successful.\n",
               (int)done.len, (const char *)done.data);
    buf_fini(&done);
    return status;
}
