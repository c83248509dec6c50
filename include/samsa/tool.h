/*
 * tool: the shared pieces of the samsa(1) command line.
 *
 * Owns: option parsing and --help generated from one table per command
 * (util.c), the exit status convention, the Java client's default
 * partitioner (murmur2), the console producer's line format, and a small
 * blocking client (client.c) that connects to any bootstrap broker,
 * negotiates API versions with each broker it talks to, keeps the cluster
 * metadata and routes requests to a given broker (partition leader,
 * controller). Does not own: the commands (src/tools/cmd_<name>.c) or the
 * codecs (p_*.h), which it only drives.
 *
 * Spec: Kafka's tools (kafka-topics.sh, kafka-console-producer.sh, ...) for
 * option names and output; Kafka 2.8's clients for version negotiation
 * (highest version both sides support) and the partitioner
 * (Utils.murmur2, toPositive(hash) % partitions).
 *
 * Single-threaded: one tool_client_t per command run.
 */
#ifndef SAMSA_TOOL_H
#define SAMSA_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/buf.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"
#include "samsa/p_metadata.h"

/* exit status of every command (samsa(1) EXIT STATUS) */
enum {
    TOOL_EXIT_OK = 0,      /* done */
    TOOL_EXIT_FAIL = 1,    /* the operation failed (broker error, bad data) */
    TOOL_EXIT_USAGE = 2,   /* bad or missing options, unsupported feature */
    TOOL_EXIT_CONNECT = 3, /* no broker reachable / request timed out */
    TOOL_EXIT_PENDING = 4, /* still in progress (a --verify) */
};

/* environment variable for the default --bootstrap-server */
#define TOOL_ENV_BOOTSTRAP "SAMSA_BOOTSTRAP_SERVERS"

/* ---------------------------------------------------------------- options */

/*
 * One command-line option: "--name" (no short forms, as Kafka's tools).
 * @arg is the placeholder printed in --help (NULL: a flag without value).
 * Values are given as "--name value" or "--name=value"; an option given
 * twice keeps every value (tool_opt_all) and tool_opt_get returns the last.
 */
typedef struct tool_opt {
    const char *name;
    const char *arg;
    const char *help;
} tool_opt_t;

#define TOOL_MAX_OPTS 48

typedef struct tool_args {
    const tool_opt_t *opts;
    int nopts;
    int count[TOOL_MAX_OPTS];   /* times each option was given */
    char **vals[TOOL_MAX_OPTS]; /* its values (malloc'd array of views) */
    int noperands;
    char **operands; /* non-option arguments (views) */
} tool_args_t;

/*
 * Parses @argv[1..argc) against @opts (@nopts <= TOOL_MAX_OPTS). "--"
 * ends the options. Returns 0, or TOOL_EXIT_USAGE with a message in
 * @errbuf (unknown option, missing value, value given to a flag).
 * tool_args_fini() frees what it allocated, whatever the result.
 */
int tool_args_parse(tool_args_t *a, const tool_opt_t *opts, int nopts, int argc,
                    char **argv, char *errbuf, size_t errlen);
void tool_args_fini(tool_args_t *a);
/* true if --@name was given */
bool tool_opt_has(const tool_args_t *a, const char *name);
/* the last value of --@name, or NULL */
const char *tool_opt_get(const tool_args_t *a, const char *name);
/* every value of --@name in order; *n receives the count */
char *const *tool_opt_all(const tool_args_t *a, const char *name, int *n);

/*
 * Parses a decimal integer in [@min, @max] for option @name. Returns 0, or
 * TOOL_EXIT_USAGE with "--name: 'x' is not ..." in @errbuf.
 */
int tool_parse_int(const char *name, const char *s, int64_t min, int64_t max,
                   int64_t *out, char *errbuf, size_t errlen);

/*
 * Prints "usage: samsa @cmd @usage", @summary and the option table (each
 * option with its placeholder and help) to stdout.
 */
void tool_print_help(const char *cmd, const char *usage, const char *summary,
                     const tool_opt_t *opts, int nopts);

/*
 * The common prologue of a command: parses, answers --help (returns -1
 * after printing it: the caller exits 0), or prints the error with a
 * pointer to --help and returns TOOL_EXIT_USAGE. 0 = go on.
 */
int tool_args_begin(tool_args_t *a, const char *cmd, const char *usage,
                    const char *summary, const tool_opt_t *opts, int nopts,
                    int argc, char **argv);

/*
 * --bootstrap-server, else $SAMSA_BOOTSTRAP_SERVERS; NULL (after printing
 * what to do) when neither is set.
 */
const char *tool_bootstrap(const tool_args_t *a, const char *cmd);

/* "samsa CMD: message\n" on stderr */
void tool_err(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------ partitioner */

/* Kafka's Utils.murmur2 (seed 0x9747b28c), as a signed 32-bit value */
int32_t tool_murmur2(const void *data, size_t len);
/* the Java client's partition for a non-null key: toPositive(murmur2) % n */
int32_t tool_partition_for_key(const void *key, size_t len, int32_t n);

/* --------------------------------------------------- console producer line */

/*
 * Kafka 3.x LineMessageReader settings (--property of console-producer).
 */
typedef struct tool_line_fmt {
    bool parse_key;
    const char *key_separator; /* default "\t" */
    bool parse_headers;
    const char *headers_delimiter;     /* default "\t" */
    const char *headers_separator;     /* default "," */
    const char *headers_key_separator; /* default ":" */
    bool ignore_error;
    const char *null_marker; /* NULL: none */
} tool_line_fmt_t;

#define TOOL_LINE_MAX_HEADERS 64

/* a parsed line: views into the line (which must outlive it) */
typedef struct tool_line {
    const char *key; /* NULL = null key */
    size_t key_len;
    const char *value; /* NULL = null value (null.marker) */
    size_t value_len;
    int nheaders;
    struct {
        const char *key;
        size_t key_len;
        const char *value; /* NULL = null */
        size_t value_len;
    } headers[TOOL_LINE_MAX_HEADERS];
} tool_line_t;

void tool_line_fmt_init(tool_line_fmt_t *fmt);
/*
 * Sets one property (key=value text already split). Returns 0, ERR_NOTFOUND
 * for a key the reader does not know, ERR_INVAL for a bad value.
 */
int tool_line_fmt_set(tool_line_fmt_t *fmt, const char *key, const char *value);
/*
 * Splits @line (@len bytes, no newline) into headers, key and value as
 * Kafka's console producer does. Returns 0, or ERR_INVAL with the reason
 * in @errbuf (no key separator, no headers delimiter, too many headers).
 */
int tool_line_parse(const tool_line_fmt_t *fmt, const char *line, size_t len,
                    tool_line_t *out, char *errbuf, size_t errlen);

/* ------------------------------------------------------------------ client */

typedef struct tool_client tool_client_t;

/* one broker of the metadata, with strings copied */
typedef struct tool_broker {
    int32_t node_id;
    char *host;
    int32_t port;
    char *rack; /* NULL = none */
} tool_broker_t;

/*
 * Connects to the first reachable broker of @bootstrap ("host:port,..."),
 * negotiates its API versions and fetches the cluster metadata (brokers,
 * controller, cluster id; no topics). @timeout_ms bounds each connect and
 * each response. Returns 0, TOOL_EXIT_USAGE (unparsable list) or
 * TOOL_EXIT_CONNECT with a message in @errbuf that says what was tried.
 */
int tool_client_open(tool_client_t **out, const char *bootstrap, int timeout_ms,
                     char *errbuf, size_t errlen);
void tool_client_close(tool_client_t *tc);
/*
 * tool_client_open() from a command's options: --bootstrap-server (or
 * $SAMSA_BOOTSTRAP_SERVERS) and --timeout-ms or --request-timeout-ms
 * (default 30000) when the command has it. Prints what went wrong; returns 0 or a TOOL_EXIT_* code.
 */
int tool_client_open_args(const tool_args_t *a, const char *cmd,
                          tool_client_t **out);

/* brokers of the last metadata; valid until the next refresh */
const tool_broker_t *tool_client_brokers(tool_client_t *tc, int *n);
int32_t tool_client_controller(tool_client_t *tc);
const char *tool_client_cluster_id(tool_client_t *tc); /* NULL if unknown */

/*
 * Metadata for @ntopics topics (@ntopics -1: every topic), refreshing the
 * broker list too. *@md stays valid until the next tool_client_metadata
 * call. Returns 0 or a TOOL_EXIT_* code with a message.
 */
int tool_client_metadata(tool_client_t *tc, const char *const *topics,
                         int ntopics, const metadata_resp_t **md, char *errbuf,
                         size_t errlen);

/*
 * The version of @api_key to use with broker @node_id (-1: the bootstrap
 * connection): the highest both this client's codecs and the broker
 * support; -1 if none (the broker does not serve the API). Connects and
 * negotiates on first use. Returns 0, TOOL_EXIT_FAIL (*@version -1: not
 * served, message says so) or TOOL_EXIT_CONNECT.
 */
int tool_client_version(tool_client_t *tc, int32_t node_id, int16_t api_key,
                        int16_t *version, char *errbuf, size_t errlen);

/* the broker's whole table: keys in its order; *n receives the count */
int tool_client_broker_table(tool_client_t *tc, int32_t node_id,
                             const int16_t **keys, const int16_t **mins,
                             const int16_t **maxs, int *n, char *errbuf,
                             size_t errlen);

/*
 * A request in the making: tool_req_begin() writes the header (with the
 * next correlation id) into @kw for @api_key at @version; the caller
 * encodes the body with the p_*_req_encode() of the API; tool_req_send()
 * sends it to @node_id; tool_req_recv() waits (bounded) for the response
 * with that correlation id and positions @kr at its body, which is a view
 * into @frame. tool_req_call() is send + recv. Requests with acks=0 get
 * no response: send only. All return 0 or TOOL_EXIT_CONNECT with a
 * message; after a failure the connection to that broker is reopened on
 * next use.
 */
typedef struct tool_req {
    int32_t node_id;
    int16_t api_key;
    int16_t version;
    int32_t correlation_id;
    kwrite_t kw;
} tool_req_t;

void tool_req_begin(tool_client_t *tc, tool_req_t *req, int32_t node_id,
                    int16_t api_key, int16_t version);
int tool_req_send(tool_client_t *tc, tool_req_t *req, char *errbuf,
                  size_t errlen);
int tool_req_recv(tool_client_t *tc, tool_req_t *req, buf_t *frame, kread_t *kr,
                  int timeout_ms, char *errbuf, size_t errlen);
int tool_req_call(tool_client_t *tc, tool_req_t *req, buf_t *frame, kread_t *kr,
                  char *errbuf, size_t errlen);
/* the client's response timeout, for callers that extend it */
int tool_client_timeout(tool_client_t *tc);
/*
 * The socket of the connection to @node_id (-1: bootstrap), for callers
 * that keep several requests in flight and poll() for the next answer
 * (a readable socket means tool_req_recv() of the oldest request sent
 * there will not wait long). -1 when not connected: requests sent before
 * a failure on that connection will get no answer.
 */
int tool_client_fd(tool_client_t *tc, int32_t node_id);

/* ----------------------------------------------------------- admin helpers */

/* the controller's node id (refreshing the metadata once if unknown) */
int tool_client_controller_node(tool_client_t *tc, int32_t *node, char *errbuf,
                                size_t errlen);

/* DescribeConfigs resource types and config sources (Kafka's enums) */
#define TOOL_RESOURCE_TOPIC 2
#define TOOL_RESOURCE_BROKER 4
const char *tool_config_source_name(int8_t source);

/* one described config entry, strings in the caller's arena */
typedef struct tool_config {
    const char *name;
    const char *value; /* NULL = null (sensitive or unset) */
    int8_t source;     /* -1 when the broker spoke v0 */
    bool is_default;
    bool read_only;
    bool is_sensitive;
} tool_config_t;

/*
 * DescribeConfigs for one resource (a topic, or a broker by id, which is
 * asked directly as Kafka's admin client does). *@error_code receives the
 * resource's error (0 when found). Returns 0 (check *@error_code) or a
 * TOOL_EXIT_* code with a message in @errbuf.
 */
int tool_describe_configs(tool_client_t *tc, int8_t resource_type,
                          const char *resource_name, arena_t *ar,
                          tool_config_t **configs, int *nconfigs,
                          int16_t *error_code, char *errbuf, size_t errlen);

/*
 * ListOffsets for @n partitions of @topic whose leaders are @leaders, all
 * at @timestamp (-1 latest, -2 earliest, else ms since the epoch): one
 * request per leader. Fills @offsets (-1 when none) and @errors (a Kafka
 * error code per partition; -1 when its leader did not answer, described
 * in @errbuf). Returns 0 or a TOOL_EXIT_* code for a broken answer.
 */
int tool_list_offsets(tool_client_t *tc, const char *topic,
                      const int32_t *partitions, const int32_t *leaders, int n,
                      int64_t timestamp, int64_t *offsets, int16_t *errors,
                      char *errbuf, size_t errlen);

/*
 * Prints what to do about a topic-level error on stderr ("topic 'x' does
 * not exist; list topics with samsa topics --list").
 */
void tool_topic_error(const char *cmd, const char *topic, int16_t code,
                      const char *message);

/* ---------------------------------------------------- reassignment plans */

/*
 * The pure parts of samsa reassign-partitions (util.c), apart from the
 * command (cmd_reassign-partitions.c) so the unit tests reach them.
 *
 * Owns: the list of partitions with their replicas (and, for a
 * reassignment in progress, the adding and removing ones), Kafka's two
 * JSON files (topics to move; partitions with their replicas) read and
 * written as Kafka's tool does, the checks --execute makes before it talks
 * to the cluster, the replication throttles of a reassignment (which
 * replicas each topic throttles on the leader and follower side, which
 * brokers get a rate) and the status lines of --verify and --list. Does
 * not own: the requests (the command), the replica assignment of
 * --generate (ctl_assign_replicas in ctl.h).
 *
 * Spec: Kafka 2.8 ReassignPartitionsCommand: parseTopicsData,
 * parsePartitionReassignmentData, parseExecuteAssignmentArgs,
 * formatAsReassignmentJson, calculateProposedMoveMap,
 * calculateLeaderThrottles, calculateFollowerThrottles,
 * calculateReassigningBrokers, partitionReassignmentStatesToString,
 * curReassignmentsToString; KIP-73 (replication quotas), KIP-455.
 *
 * Functions that can fail return 0 or ERR_INVAL with Kafka's message (or
 * one that says what is wrong) in @errbuf. Single-threaded use.
 */
/* one partition; every array and string owned by its list */
typedef struct tool_reassign_part {
    char *topic;
    int32_t partition;
    int32_t nreplicas;
    int32_t *replicas;
    int32_t nadding; /* a reassignment in progress: replicas joining */
    int32_t *adding;
    int32_t nremoving; /* ... and leaving */
    int32_t *removing;
} tool_reassign_part_t;

/* starts as {0} */
typedef struct tool_reassign_list {
    int n;
    int cap;
    tool_reassign_part_t *parts;
    bool sorted; /* since the last add: finds are binary searches */
} tool_reassign_list_t;

/* appends a copy (no adding/removing); the pointer is valid until the
 * next add */
tool_reassign_part_t *tool_reassign_list_add(tool_reassign_list_t *l,
                                             const char *topic,
                                             int32_t partition,
                                             const int32_t *replicas,
                                             int32_t nreplicas);
/* sets @p's adding and removing replicas (copies) */
void tool_reassign_part_moving(tool_reassign_part_t *p, const int32_t *adding,
                               int32_t nadding, const int32_t *removing,
                               int32_t nremoving);
/* the entry for topic-partition, or NULL (the first one when there are
 * several) */
tool_reassign_part_t *tool_reassign_list_find(const tool_reassign_list_t *l,
                                              const char *topic,
                                              int32_t partition);
/* by topic name, then partition (Kafka's compareTopicPartitions) */
void tool_reassign_list_sort(tool_reassign_list_t *l);
void tool_reassign_list_fini(tool_reassign_list_t *l);

/* "1,2,3" (a malloc'd string; "" for none) */
char *tool_reassign_ids_str(const int32_t *ids, int32_t n);

/*
 * --broker-list "0,1,2": ids in the given order. ERR_INVAL for a value
 * that is not a broker id, or Kafka's "Broker list contains duplicate
 * entries: 1".
 */
int tool_reassign_parse_brokers(const char *s, int32_t **ids, int *n,
                                char *errbuf, size_t errlen);

/*
 * --topics-to-move-json-file: {"version":1,"topics":[{"topic":"t"},...]}
 * ("version" may be left out). @topics gets malloc'd names in file order.
 * ERR_INVAL for bad JSON, another version, no topics, or Kafka's "List
 * of topics to reassign contains duplicate entries: t".
 */
int tool_reassign_parse_topics(const char *text, char ***topics, int *ntopics,
                               char *errbuf, size_t errlen);
void tool_reassign_topics_free(char **topics, int ntopics);

/*
 * --reassignment-json-file: {"version":1,"partitions":[{"topic":"t",
 * "partition":0,"replicas":[1,2],"log_dirs":["any","any"]},...]} into
 * @out (appended, file order). "log_dirs" may be left out; when given it
 * has one entry per replica, each "any": moving replicas between the log
 * directories of a broker is not supported. ERR_INVAL for bad JSON,
 * another version, a missing or mistyped field, or an empty list.
 */
int tool_reassign_parse_partitions(const char *text, tool_reassign_list_t *out,
                                   char *errbuf, size_t errlen);

/*
 * What --execute checks before it asks anything (Kafka's
 * parseExecuteAssignmentArgs): no partition twice ("Partition
 * reassignment contains duplicate topic partitions: t-0"), no empty
 * replica list, no broker twice in one ("Partition replica lists may not
 * contain duplicate entries: t-0 contains multiple entries for 1").
 */
int tool_reassign_check_execute(const tool_reassign_list_t *l, char *errbuf,
                                size_t errlen);

/*
 * Kafka's formatAsReassignmentJson: {"version":1,"partitions":[...]} with
 * the partitions sorted by topic and partition, "log_dirs" all "any".
 * tool_reassign_json returns a new reference; tool_reassign_json_str a malloc'd
 * compact string, as Kafka prints it.
 */
json_t *tool_reassign_json(const tool_reassign_list_t *l);
char *tool_reassign_json_str(const tool_reassign_list_t *l);

/*
 * The replication throttles of a reassignment (KIP-73). Kafka's move map:
 * for each reassignment in progress (@ongoing, with adding set) the
 * sources are its replicas less the adding ones and the destinations the
 * adding ones; each partition of @proposed is then moved from those
 * sources (when in progress) or from its replicas in @current, to its
 * target replicas that are not sources. Per topic, "leader" lists every
 * source as "partition:broker" and "follower" every destination, each
 * sorted as strings and joined with commas, the values of
 * leader.replication.throttled.replicas and
 * follower.replication.throttled.replicas; @brokers are all the sources
 * and destinations, which get the rates. ERR_INVAL when a proposed
 * partition is in neither @ongoing nor @current.
 */
typedef struct tool_reassign_throttle {
    char *topic;
    char *leader;
    char *follower;
} tool_reassign_throttle_t;

typedef struct tool_reassign_throttles {
    int ntopics;
    tool_reassign_throttle_t *topics; /* by topic name */
    int nbrokers;
    int32_t *brokers; /* ascending */
} tool_reassign_throttles_t;

int tool_reassign_throttles(const tool_reassign_list_t *ongoing,
                            const tool_reassign_list_t *proposed,
                            const tool_reassign_list_t *current,
                            tool_reassign_throttles_t *out, char *errbuf,
                            size_t errlen);
void tool_reassign_throttles_fini(tool_reassign_throttles_t *t);

/*
 * A partition of --verify (Kafka's findPartitionReassignmentStates): in
 * progress while the controller lists it, else complete when its replicas
 * (@current, NULL for an unknown partition) are the target's, in order,
 * else neither (cancelled, or changed since).
 */
typedef enum tool_reassign_state {
    TOOL_REASSIGN_COMPLETE,
    TOOL_REASSIGN_IN_PROGRESS,
    TOOL_REASSIGN_DIFFERENT,
} tool_reassign_state_t;

tool_reassign_state_t tool_reassign_state(const tool_reassign_part_t *target,
                                          const tool_reassign_part_t *ongoing,
                                          const tool_reassign_part_t *current);
/* Kafka's line for it, e.g. "Reassignment of partition t-0 is complete."
 * (malloc'd, no newline) */
char *tool_reassign_state_line(tool_reassign_state_t st,
                               const tool_reassign_part_t *target,
                               const tool_reassign_part_t *current);
/* --list's line: "t-0: replicas: 1,2,3. adding: 3. removing: 1."
 * (malloc'd, no newline) */
char *tool_reassign_list_line(const tool_reassign_part_t *p);

/* ---------------------------------------------------------------- commands */

/* each returns the process exit status; argv[0] is the command name */
int cmd_topics(int argc, char **argv);
int cmd_console_producer(int argc, char **argv);
int cmd_console_consumer(int argc, char **argv);
int cmd_get_offsets(int argc, char **argv);
int cmd_broker_api_versions(int argc, char **argv);
int cmd_cluster(int argc, char **argv);
int cmd_leader_election(int argc, char **argv);
int cmd_reassign_partitions(int argc, char **argv);
int cmd_dump_log(int argc, char **argv);
int cmd_configs(int argc, char **argv);
int cmd_producer_perf_test(int argc, char **argv);
int cmd_consumer_perf_test(int argc, char **argv);
int cmd_delete_records(int argc, char **argv);
int cmd_consumer_groups(int argc, char **argv);

/* a NUL-terminated copy of a view in @ar; NULL for a null string */
char *tool_kstr(arena_t *ar, kstr_t s);

#endif
