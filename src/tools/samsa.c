/*
 * samsa.c: main of samsa(1), the operator's command line. Dispatches
 * "samsa COMMAND [options]" to cmd_<command>() (src/tools/cmd_*.c) and
 * answers --help and --version. Does not own any command's options.
 *
 * The commands are named after Kafka's tools (kafka-topics.sh -> samsa
 * topics) and accept their option names.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "samsa/tool.h"

typedef struct tool_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} tool_cmd_t;

static const tool_cmd_t commands[] = {
    {"topics", cmd_topics, "create, list, describe, alter and delete topics"},
    {"console-producer", cmd_console_producer,
     "write lines from standard input to a topic"},
    {"console-consumer", cmd_console_consumer,
     "print a topic's records on standard output"},
    {"get-offsets", cmd_get_offsets,
     "print each partition's offset at a time (earliest, latest)"},
    {"broker-api-versions", cmd_broker_api_versions,
     "print the API versions every broker serves"},
    {"cluster", cmd_cluster, "print the cluster id, controller and brokers"},
    {"dump-log", cmd_dump_log,
     "print the batches of .log files and the entries of their indexes"},
    {"configs", cmd_configs, "describe topic and broker configurations"},
    {"producer-perf-test", cmd_producer_perf_test,
     "measure how fast records can be written to a topic"},
    {"consumer-perf-test", cmd_consumer_perf_test,
     "measure how fast a topic can be read"},
    {"delete-records", cmd_delete_records,
     "delete the records of partitions below an offset"},
    {"consumer-groups", cmd_consumer_groups,
     "list, describe, reset the offsets of and delete consumer groups"},
    {"leader-election", cmd_leader_election,
     "move partition leadership to preferred (or any live) replicas"},
    {"reassign-partitions", cmd_reassign_partitions,
     "move partition replicas between brokers"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
    fprintf(f, "usage: samsa COMMAND [OPTIONS]\n"
               "       samsa COMMAND --help\n"
               "       samsa --help | --version\n\n"
               "The samsa cluster's command line. Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-20s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
            "\nThe brokers to talk to come from --bootstrap-server "
            "HOST:PORT[,HOST:PORT...]\nor the environment variable %s.\n"
            "Exit status: 0 done, 1 failed, 2 usage error, 3 cannot reach the "
            "cluster.\nSee samsa(1) and samsa-COMMAND(1).\n",
            TOOL_ENV_BOOTSTRAP);
}

int
main(int argc, char **argv)
{
    const char *name;

    if (argc < 2) {
        usage(stderr);
        return TOOL_EXIT_USAGE;
    }
    name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 ||
        strcmp(name, "help") == 0) {
        usage(stdout);
        return TOOL_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("samsa %s (Kafka 2.8 protocol)\n", PACKAGE_VERSION);
        return TOOL_EXIT_OK;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    /* kafka-topics.sh and kafka-topics -> topics, for muscle memory */
    for (size_t i = 0; i < NCOMMANDS; i++) {
        size_t n = strlen(commands[i].name);

        if (strncmp(name, "kafka-", 6) == 0 &&
            strncmp(name + 6, commands[i].name, n) == 0 &&
            (name[6 + n] == '\0' || strcmp(name + 6 + n, ".sh") == 0))
            return commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr,
            "samsa: unknown command '%s'; list commands with samsa "
            "--help\n",
            name);
    return TOOL_EXIT_USAGE;
}
