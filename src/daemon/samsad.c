/*
 * samsad.c: the broker daemon's main: options, configuration, signals, and
 * the startup and shutdown order.
 *
 * Startup: config (exit 2 on a bad one, before any data is touched) ->
 * log manager (load and recover the logs) -> ZooKeeper (register the broker
 * once its logs are loaded, join the controller election) -> wait for the
 * controller's first metadata -> listeners. As in Kafka, requests are
 * served only once the broker knows the cluster, so a restarted broker
 * never tells a client that an existing topic is unknown. Once the listeners
 * serve, the service manager is told READY=1 (sdnotify.h; systemd's
 * Type=notify), and STOPPING=1 when the shutdown begins.
 * Shutdown on SIGTERM/SIGINT: a controlled shutdown first (the controller
 * moves this broker's leaderships away, controlled.shutdown.*), then leave
 * ZooKeeper, stop serving clients, then close the logs cleanly (checkpoints + clean-shutdown
 * marker), so a restart skips recovery. The controller stops before the
 * IO loops because its completions post replies to them.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config.h"
#include "samsa/bconf.h"
#include "samsa/broker.h"
#include "samsa/ctl.h"
#include "samsa/err.h"
#include "samsa/logmgr.h"
#include "samsa/metacache.h"
#include "samsa/net.h"
#include "samsa/say.h"
#include "samsa/tconf.h"
#include "samsa/xmalloc.h"
#include "sdnotify.h"

/* exit statuses, documented in samsad(8) */
enum {
    EXIT_CONFIG = 2,  /* bad options or configuration */
    EXIT_STARTUP = 1, /* logs, listener or ZooKeeper could not start */
};

static void
usage(FILE *out)
{
    fprintf(out, "usage: samsad [--override key=value]... CONFIG_FILE\n"
                 "       samsad --version | --help\n"
                 "\n"
                 "Runs one samsa broker with the configuration in CONFIG_FILE\n"
                 "(Kafka's server.properties keys; see samsad.conf(5)).\n"
                 "\n"
                 "  -o, --override key=value  set a key after the file "
                 "(repeatable)\n"
                 "  -V, --version             print the version and exit\n"
                 "  -h, --help                print this help and exit\n");
}

/*
 * Every partition keeps its active segment's log and index files open (3
 * descriptors, more while old segments are read): a broker with thousands
 * of partitions needs the whole hard limit, not the usual soft 1024.
 */
static void
raise_nofile_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
        return;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        say_warn("cannot raise the open-file limit: %s", strerror(errno));
}

static int
parse_args(int argc, char **argv, const char **path, char ***overrides,
           int *noverrides)
{
    static const struct option opts[] = {
        {"override", required_argument, NULL, 'o'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    *overrides = xcalloc(argc + 1, sizeof(char *));
    *noverrides = 0;
    while ((c = getopt_long(argc, argv, "o:Vh", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (strchr(optarg, '=') == NULL) {
                fprintf(stderr,
                        "samsad: --override takes key=value, got "
                        "'%s'\n",
                        optarg);
                return EXIT_CONFIG;
            }
            (*overrides)[(*noverrides)++] = optarg;
            break;
        case 'V': printf("samsad %s\n", PACKAGE_VERSION); exit(0);
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return EXIT_CONFIG;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return EXIT_CONFIG;
    }
    *path = argv[optind];
    return 0;
}

int
main(int argc, char **argv)
{
    char errbuf[1024];
    const char *path = NULL;
    char **overrides;
    int noverrides, rc, sig, status = 0;
    bconf_t conf;
    log_config_t lc;
    logmgr_t *lm = NULL;
    broker_t *b = NULL;
    net_t *net = NULL;
    ctl_t *ctl = NULL;
    sigset_t sigs;

    rc = parse_args(argc, argv, &path, &overrides, &noverrides);
    if (rc != 0) {
        free(overrides);
        return rc;
    }
    if (bconf_load(&conf, path, overrides, noverrides, errbuf,
                   sizeof(errbuf)) != 0) {
        fprintf(stderr, "samsad: %s\n", errbuf);
        free(overrides);
        return EXIT_CONFIG;
    }
    free(overrides);
    say_set_level(say_parse_level(conf.log_level));
    raise_nofile_limit();

    /* every thread inherits this mask; only main waits for the signals */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (conf.num_network_threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        conf.num_network_threads = n > 0 ? (int32_t)n : 1;
    }
    say_info("samsad %s starting: broker.id=%d, log.dirs=%s, "
             "zookeeper.connect=%s",
             PACKAGE_VERSION, conf.broker_id,
             conf.log_dirs ? conf.log_dirs : conf.log_dir,
             conf.zookeeper_connect);

    tconf_log_config(&conf, NULL, &lc);
    if (logmgr_open(&lm, conf.dirs, conf.ndirs, &lc, errbuf, sizeof(errbuf)) !=
        0) {
        say_error("cannot open the logs: %s", errbuf);
        status = EXIT_STARTUP;
        goto out;
    }
    if (logmgr_start(lm, conf.log_retention_check_interval_ms) != 0) {
        say_error("cannot start the log manager's background thread");
        status = EXIT_STARTUP;
        goto out;
    }
    metacache_init();
    b = broker_new(&conf, lm);

    ctl_config_t cc = {
        .broker_id = conf.broker_id,
        .zk_connect = conf.zookeeper_connect,
        .zk_session_timeout_ms = conf.zookeeper_session_timeout_ms,
        .advertised_host = conf.advertised_host,
        .advertised_port = conf.advertised_port,
        .rack = conf.broker_rack,
        .num_partitions = conf.num_partitions,
        .default_replication_factor = (int16_t)conf.default_replication_factor,
        .topic_config_valid = broker_topic_config_valid,
        .auto_leader_rebalance_enable = conf.auto_leader_rebalance_enable,
        .unclean_leader_election_enable = conf.unclean_leader_election_enable,
        .leader_imbalance_check_interval_s =
            (int32_t)conf.leader_imbalance_check_interval_seconds,
        .leader_imbalance_per_broker_percentage =
            conf.leader_imbalance_per_broker_percentage,
    };
    ctl_hooks_t hooks = {
        .on_leader_and_isr = broker_on_leader_and_isr,
        .on_stop_replica = broker_on_stop_replica,
        .on_metadata = broker_on_metadata,
        .ud = b,
        .on_broker_config = broker_on_broker_config,
    };
    if (ctl_start(&ctl, &cc, &hooks, errbuf, sizeof(errbuf)) != 0) {
        say_error("cannot join the cluster: %s", errbuf);
        status = EXIT_STARTUP;
        goto out;
    }
    broker_set_ctl(b, ctl);
    /* serve clients only once the controller has told us the cluster */
    if (!broker_wait_metadata(b, conf.zookeeper_session_timeout_ms))
        say_warn("no metadata from the controller after %d ms; serving "
                 "anyway",
                 conf.zookeeper_session_timeout_ms);

    net_config_t nc = {
        .host = conf.listen_host,
        .port = conf.listen_port,
        .nloops = conf.num_network_threads,
        .max_request_bytes = conf.socket_request_max_bytes,
        .idle_ms = conf.connections_max_idle_ms,
        .on_frame = broker_on_frame,
        .on_close = broker_on_close,
        .ud = b,
    };
    if (net_start(&net, &nc, errbuf, sizeof(errbuf)) != 0) {
        say_error("cannot listen on %s: %s", conf.listeners, errbuf);
        status = EXIT_STARTUP;
        goto out;
    }

    say_info("samsad started: broker %d serving %s:%d", conf.broker_id,
             conf.advertised_host, net_port(net));
    sdnotify_ready();

    for (;;) {
        if (sigwait(&sigs, &sig) != 0)
            continue;
        if (sig == SIGTERM || sig == SIGINT)
            break;
    }
    say_info("shutting down (signal %d)", sig);
    sdnotify_stopping();
    /* leaderships move away while we still serve (DESIGN §6) */
    if (conf.controlled_shutdown_enable)
        broker_controlled_shutdown(b, conf.controlled_shutdown_max_retries,
                                   conf.controlled_shutdown_retry_backoff_ms);

out:
    /* the controller first: its callbacks post replies to the IO loops;
     * the broker's threads stop using it before it is freed */
    if (b != NULL)
        broker_set_ctl(b, NULL);
    if (ctl != NULL)
        ctl_stop(ctl);
    /* parked fetches and acks=all produces are answered, then the loops stop */
    if (net != NULL && b != NULL)
        broker_quiesce(b, 2000);
    if (net != NULL)
        net_stop(net);
    if (b != NULL)
        broker_free(b);
    if (lm != NULL)
        logmgr_close(lm);
    metacache_fini();
    bconf_free(&conf);
    if (status == 0)
        say_info("samsad stopped cleanly");
    return status;
}
