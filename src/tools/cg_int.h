/*
 * cg_int.h: what the files of samsa consumer-groups share.
 *
 *   cmd_consumer-groups.c  options, their checks, dispatch, --list
 *   cg_group.c             the group as its coordinator describes it and
 *                          the requests that load it; the table printer
 *   cg_describe.c          --describe (--offsets, --members, --state)
 *   cg_reset.c             --reset-offsets (its scenario options too)
 *   cg_delete.c            --delete
 *
 * Nothing here is seen outside src/tools/cmd_consumer-groups.c and
 * src/tools/cg_*.c; the command's entry point is cmd_consumer_groups()
 * in samsa/tool.h. Single-threaded, as samsa(1) is.
 */
#ifndef SAMSA_CG_INT_H
#define SAMSA_CG_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/buf.h"
#include "samsa/kread.h"
#include "samsa/tool.h"

#define CG_CMD "consumer-groups"
#define CG_LIST_HINT "list groups with samsa consumer-groups --list"

/* ------------------------------------------------------------- the group */

typedef struct cg_tp {
    const char *topic;
    int32_t partition;
} cg_tp_t;

typedef struct cg_member {
    const char *member_id;
    const char *instance_id; /* NULL = none */
    const char *client_id;
    const char *host;
    bool decoded; /* the assignment could be read */
    int nparts;
    cg_tp_t *parts;
} cg_member_t;

typedef struct cg_offset {
    const char *topic;
    int32_t partition;
    int64_t offset;
} cg_offset_t;

/* one group as its coordinator describes it; strings in @ar */
typedef struct cg_group {
    arena_t ar;
    const char *group_id;
    const char *state;
    const char *protocol_type;
    const char *protocol;
    int32_t coordinator;
    int nmembers;
    cg_member_t *members;
    int noffsets;
    cg_offset_t *offsets;
} cg_group_t;

/*
 * The coordinator of @group (FindCoordinator of the bootstrap broker),
 * waiting up to 10 s (40 tries 250 ms apart) while the cluster has none.
 * Returns 0 or a TOOL_EXIT_* code with a message in @err.
 */
int cg_coordinator(tool_client_t *tc, const char *group, int32_t *node,
                   char *err, size_t errlen);

/*
 * Loads @name into @g: its coordinator, description (DescribeGroups) and,
 * if @offsets, committed offsets (OffsetFetch). A group the coordinator
 * does not know is state "Dead". Returns 0 or a TOOL_EXIT_* code with a
 * message in @err; call cg_fini() on @g either way.
 */
int cg_load(tool_client_t *tc, const char *name, bool offsets, cg_group_t *g,
            char *err, size_t errlen);
void cg_fini(cg_group_t *g);
/* true when the coordinator does not know the group (state "Dead") */
bool cg_dead(const cg_group_t *g);
/* the committed offset of @topic:@p, NULL if none; valid while @g is */
const cg_offset_t *cg_committed(const cg_group_t *g, const char *topic,
                                int32_t p);

/*
 * ListOffsets at @ts (-1 latest, -2 earliest, else ms) for @n partitions
 * (@topics[i], @parts[i]), asked of their leaders: @out[i] receives the
 * offset, -1 when unknown (no such topic or partition, no leader, an
 * error: then @failed is set and the first reason is in @err). Returns 0,
 * or a TOOL_EXIT_* code with a message in @err when a broker failed.
 */
int cg_list_offsets(tool_client_t *tc, int n, const char *const *topics,
                    const int32_t *parts, int64_t ts, int64_t *out,
                    bool *failed, char *err, size_t errlen);

/* ------------------------------------------------------------ a request */

/*
 * One request and its answer, for the p_*.c codecs:
 *
 *     cg_call_begin(tc, &c, node, API_X, ...);  version, header
 *     p_x_req_encode(&c.r.kw, c.v, &req);
 *     cg_call_send(tc, &c, ...);                 c.kr: the answer's body
 *     p_x_resp_decode(&c.kr, c.v, &c.ar, &resp) or cg_call_malformed()
 *     cg_call_fini(&c);                          always, whatever failed
 *
 * The decoded answer lives in @c->ar and @c->frame until cg_call_fini().
 * begin and send return 0 or a TOOL_EXIT_* code with a message in @err;
 * cg_call_malformed() writes "malformed X response" and returns
 * TOOL_EXIT_FAIL.
 */
typedef struct cg_call {
    tool_req_t r;
    int16_t v; /* the version @node speaks */
    buf_t frame;
    kread_t kr;
    arena_t ar;
} cg_call_t;

int cg_call_begin(tool_client_t *tc, cg_call_t *c, int32_t node,
                  int16_t api_key, char *err, size_t errlen);
int cg_call_send(tool_client_t *tc, cg_call_t *c, char *err, size_t errlen);
int cg_call_malformed(const cg_call_t *c, char *err, size_t errlen);
void cg_call_fini(cg_call_t *c);

/* -------------------------------------------------------------- output */

/* a table printed with columns as wide as their widest cell */
typedef struct cg_table {
    int ncols;
    const char *const *heads;
    int nrows;
    char **cells; /* nrows * ncols, malloc'd */
} cg_table_t;

/* adds a row of @t->ncols strings (copied) */
void cg_table_add(cg_table_t *t, ...);
/* prints the heads and the rows on stdout, then empties @t */
void cg_table_print(cg_table_t *t);

/* @v in @buf, or "-" when negative (unknown) */
const char *cg_num(char *buf, size_t len, int64_t v);
/* @v, or null when negative (unknown) */
json_t *cg_jnum(int64_t v);
/* @s, or null when NULL */
json_t *cg_jstr(const char *s);
/* a view of @s */
kstr_t cg_ks(const char *s);
/* <0, 0, >0 as @ta:@pa sorts before, with, after @tb:@pb (by topic) */
int cg_tp_order(const char *ta, int32_t pa, const char *tb, int32_t pb);
/* how many of the options @names @a has */
int cg_count_given(const tool_args_t *a, const char *const *names, int n);

/* ---------------------------------------------------------- sub-commands */

/* each prints its results and returns the process exit status */

typedef enum { VIEW_OFFSETS, VIEW_MEMBERS, VIEW_STATE } cg_view_t;

int cg_describe_groups(tool_client_t *tc, char *const *groups, int ngroups,
                       cg_view_t view, bool verbose, bool json);

typedef enum {
    TO_EARLIEST,
    TO_LATEST,
    TO_CURRENT,
    TO_OFFSET,
    SHIFT_BY,
    TO_TIME,
} cg_scenario_t;

typedef struct cg_reset {
    cg_scenario_t how;
    int64_t value; /* the offset, the shift, or the time in ms */
    char *const *topics;
    int ntopics; /* 0: --all-topics */
    bool execute;
    bool json;
} cg_reset_t;

/*
 * Reads the scenario of --reset-offsets (one of --to-*, --shift-by,
 * --by-duration) from @a into @rs->how and @rs->value; TOOL_EXIT_USAGE
 * after saying why.
 */
int cg_reset_scenario(const tool_args_t *a, cg_reset_t *rs);
int cg_reset_groups(tool_client_t *tc, char *const *groups, int ngroups,
                    const cg_reset_t *rs);

int cg_delete_groups(tool_client_t *tc, char *const *groups, int ngroups);

#endif
