/*
 * test_logmgr.c: the log manager and checkpoint files (src/storage/logmgr.c,
 * src/storage/ckpt.c).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "samsa/batch.h"
#include "samsa/buf.h"
#include "samsa/ckpt.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/logmgr.h"
#include "samsa/segment.h"
#include "samsa/xmalloc.h"
#include "unit.h"

static void
lm_append(plog_t *plog, int nrecs, int64_t ts, int vlen)
{
    batch_build_record_t recs[nrecs];
    char *val = xmalloc((size_t)vlen + 1);
    buf_t b = BUF_INIT;

    memset(val, 'v', (size_t)vlen);
    memset(recs, 0, sizeof(recs));
    for (int i = 0; i < nrecs; i++) {
        recs[i].value = val;
        recs[i].value_len = vlen;
        recs[i].timestamp = ts;
    }
    CU_ASSERT_EQUAL_FATAL(batch_build(&b, BATCH_CODEC_NONE, 0, recs, nrecs), 0);
    CU_ASSERT_EQUAL_FATAL(plog_append(plog, b.data, b.len, 0, NULL), 0);
    buf_fini(&b);
    free(val);
}

static logmgr_t *
lm_open(char **dirs, int ndirs, const log_config_t *cfg)
{
    logmgr_t *lm = NULL;
    char err[512];
    int rc = logmgr_open(&lm, dirs, ndirs, cfg, err, sizeof(err));

    if (rc != 0)
        fprintf(stderr, "logmgr_open: %s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return lm;
}

static bool
lm_exists(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    bool ok = access(path, F_OK) == 0;

    free(path);
    return ok;
}

static void
test_ckpt_round_trips_and_rejects_garbage(void)
{
    char *dir = unit_tmpdir("ckpt");
    char *path = xasprintf("%s/cp", dir);
    ckpt_t ck = CKPT_INIT, in = CKPT_INIT;
    char err[256];
    int64_t off;
    FILE *f;

    ckpt_add(&ck, "orders", 0, 1234);
    ckpt_add(&ck, "my-topic.v2", 17, 5);
    CU_ASSERT_EQUAL(ckpt_write(path, &ck), 0);
    CU_ASSERT_EQUAL(ckpt_read(path, &in, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(in.n, 2);
    CU_ASSERT(ckpt_get(&in, "my-topic.v2", 17, &off));
    CU_ASSERT_EQUAL(off, 5);
    CU_ASSERT(ckpt_get(&in, "orders", 0, &off));
    CU_ASSERT_EQUAL(off, 1234);
    CU_ASSERT_FALSE(ckpt_get(&in, "orders", 1, &off));
    ckpt_fini(&in);
    ckpt_fini(&ck);

    f = fopen(path, "w");
    fputs("0\n3\norders 0 1\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(ckpt_read(path, &in, err, sizeof(err)), ERR_CORRUPT);
    ckpt_fini(&in);
    f = fopen(path, "w");
    fputs("1\n0\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(ckpt_read(path, &in, err, sizeof(err)), ERR_CORRUPT);
    ckpt_fini(&in);
    unlink(path);
    CU_ASSERT_EQUAL(ckpt_read(path, &in, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(in.n, 0);
    free(path);
    unit_rmtree(dir);
    free(dir);
}

static void
test_logmgr_reopen_after_clean_close_keeps_logs_and_offsets(void)
{
    char *root = unit_tmpdir("logmgr");
    char *d0 = xasprintf("%s/a/b/data", root); /* created with parents */
    log_config_t cfg;
    logmgr_t *lm;
    plog_t *plog, *again;
    char *text = NULL;
    size_t textlen = 0;
    FILE *f;

    log_config_defaults(&cfg);
    lm = lm_open(&d0, 1, &cfg);
    CU_ASSERT_EQUAL(logmgr_create(lm, "my-topic.v2", 3, NULL, &plog), 0);
    CU_ASSERT_EQUAL(logmgr_create(lm, "my-topic.v2", 3, NULL, &again),
                    ERR_EXISTS);
    CU_ASSERT_PTR_EQUAL(again, plog);
    plog_unref(again);
    CU_ASSERT_EQUAL(logmgr_create(lm, "bad/name", 0, NULL, &again), ERR_INVAL);
    CU_ASSERT_EQUAL(logmgr_create(lm, "..", 0, NULL, &again), ERR_INVAL);
    lm_append(plog, 5, 1000, 10);
    plog_set_high_watermark(plog, 4);
    plog_unref(plog);
    CU_ASSERT_PTR_NULL(logmgr_get(lm, "my-topic.v2", 4));
    CU_ASSERT_PTR_NULL(logmgr_get(lm, "my-topic", 3));
    logmgr_close(lm);
    CU_ASSERT(lm_exists(d0, LOGMGR_CLEAN_MARKER));

    /* the checkpoints are Kafka's text format */
    text = xasprintf("%s/%s", d0, LOGMGR_HW_CKPT);
    f = fopen(text, "r");
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    text = NULL;
    CU_ASSERT(getdelim(&text, &textlen, '\0', f) > 0);
    CU_ASSERT_STRING_EQUAL(text, "0\n1\nmy-topic.v2 3 4\n");
    fclose(f);
    free(text);

    lm = lm_open(&d0, 1, &cfg);
    CU_ASSERT_FALSE(lm_exists(d0, LOGMGR_CLEAN_MARKER));
    CU_ASSERT_EQUAL(logmgr_count(lm), 1);
    plog = logmgr_get(lm, "my-topic.v2", 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plog);
    CU_ASSERT_STRING_EQUAL(plog_topic(plog), "my-topic.v2");
    CU_ASSERT_EQUAL(plog_partition(plog), 3);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 5);
    CU_ASSERT_EQUAL(plog_high_watermark(plog), 4);
    CU_ASSERT_EQUAL(plog_recovery_point(plog), 5);
    plog_unref(plog);
    logmgr_close(lm);
    free(d0);
    unit_rmtree(root);
    free(root);
}

static void
test_logmgr_recovers_after_unclean_stop(void)
{
    char *root = unit_tmpdir("logmgr");
    log_config_t cfg;
    logmgr_t *lm;
    plog_t *plog;
    char *marker, *seg;
    int fd;

    log_config_defaults(&cfg);
    lm = lm_open(&root, 1, &cfg);
    CU_ASSERT_EQUAL(logmgr_create(lm, "t", 0, NULL, &plog), 0);
    for (int i = 0; i < 4; i++)
        lm_append(plog, 2, 1000, 50);
    plog_unref(plog);
    logmgr_close(lm);
    /* simulate a crash: no marker, and a torn write at the tail */
    marker = xasprintf("%s/%s", root, LOGMGR_CLEAN_MARKER);
    CU_ASSERT_EQUAL(unlink(marker), 0);
    seg = xasprintf("%s/t-0/00000000000000000000.log", root);
    fd = open(seg, O_WRONLY | O_APPEND);
    CU_ASSERT_EQUAL(write(fd, "\0\0\0\0\0\0\0\x08\0\0\x01\0torn", 16), 16);
    close(fd);

    lm = lm_open(&root, 1, &cfg);
    plog = logmgr_get(lm, "t", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plog);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 8);
    lm_append(plog, 1, 1000, 10);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 9);
    plog_unref(plog);
    logmgr_close(lm);
    free(marker);
    free(seg);
    unit_rmtree(root);
    free(root);
}

static void
test_logmgr_places_new_logs_in_the_emptiest_dir(void)
{
    char *root = unit_tmpdir("logmgr");
    char *dirs[2] = {xasprintf("%s/d0", root), xasprintf("%s/d1", root)};
    log_config_t cfg;
    logmgr_t *lm;
    plog_t *plog;
    int n0 = 0, n1 = 0;

    log_config_defaults(&cfg);
    lm = lm_open(dirs, 2, &cfg);
    for (int p = 0; p < 6; p++) {
        CU_ASSERT_EQUAL(logmgr_create(lm, "x", p, NULL, &plog), 0);
        if (strncmp(plog_dir(plog), dirs[0], strlen(dirs[0])) == 0)
            n0++;
        else
            n1++;
        plog_unref(plog);
    }
    CU_ASSERT_EQUAL(n0, 3);
    CU_ASSERT_EQUAL(n1, 3);
    logmgr_close(lm);
    lm = lm_open(dirs, 2, &cfg);
    CU_ASSERT_EQUAL(logmgr_count(lm), 6);
    logmgr_close(lm);
    free(dirs[0]);
    free(dirs[1]);
    unit_rmtree(root);
    free(root);
}

static void
test_logmgr_lock_refuses_a_second_open(void)
{
    char *root = unit_tmpdir("logmgr");
    log_config_t cfg;
    logmgr_t *lm, *lm2 = NULL;
    char err[512];

    log_config_defaults(&cfg);
    lm = lm_open(&root, 1, &cfg);
    CU_ASSERT_EQUAL(logmgr_open(&lm2, &root, 1, &cfg, err, sizeof(err)),
                    ERR_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "in use by another process"));
    logmgr_close(lm);
    lm = lm_open(&root, 1, &cfg);
    logmgr_close(lm);
    unit_rmtree(root);
    free(root);
}

static int
lm_count_entries(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name), sl = strlen(suffix);
        if (len >= sl && strcmp(de->d_name + len - sl, suffix) == 0)
            n++;
    }
    closedir(d);
    return n;
}

static void
test_logmgr_delete_detaches_and_removes_the_dir(void)
{
    char *root = unit_tmpdir("logmgr");
    log_config_t cfg;
    logmgr_t *lm;
    plog_t *plog;
    fslice_t fs;
    char c;

    log_config_defaults(&cfg);
    lm = lm_open(&root, 1, &cfg);
    CU_ASSERT_EQUAL(logmgr_create(lm, "gone", 0, NULL, &plog), 0);
    lm_append(plog, 1, 1000, 10);
    CU_ASSERT_EQUAL(plog_read(plog, 0, 100, INT64_MAX, &fs), 0);
    CU_ASSERT_EQUAL(logmgr_delete(lm, "gone", 0), 0);
    CU_ASSERT_EQUAL(logmgr_delete(lm, "gone", 0), ERR_NOTFOUND);
    CU_ASSERT_PTR_NULL(logmgr_get(lm, "gone", 0));
    CU_ASSERT_FALSE(lm_exists(root, "gone-0"));
    CU_ASSERT_EQUAL(lm_count_entries(root, "-delete"), 1);
    /* a fetch in flight still reads, appends are refused */
    CU_ASSERT_EQUAL(pread(fs.fd, &c, 1, (off_t)fs.off), 1);
    fs.unref(fs.ref);
    CU_ASSERT_EQUAL(logmgr_start(lm, 20), 0);
    CU_ASSERT_EQUAL(logmgr_start(lm, 20), ERR_STATE);
    for (int i = 0; i < 200 && lm_count_entries(root, "-delete") > 0; i++)
        usleep(10000);
    CU_ASSERT_EQUAL(lm_count_entries(root, "-delete"), 0);
    plog_unref(plog);
    logmgr_close(lm);
    unit_rmtree(root);
    free(root);
}

static void
test_logmgr_background_applies_retention_and_checkpoints(void)
{
    char *root = unit_tmpdir("logmgr");
    log_config_t cfg;
    logmgr_t *lm;
    plog_t *plog;
    int64_t old = clock_wall_ms() - 86400000;

    log_config_defaults(&cfg);
    cfg.segment_bytes = 1024;
    cfg.retention_ms = 3600000;
    lm = lm_open(&root, 1, &cfg);
    CU_ASSERT_EQUAL(logmgr_create(lm, "r", 0, NULL, &plog), 0);
    for (int i = 0; i < 30; i++)
        lm_append(plog, 1, old, 100);
    plog_set_high_watermark(plog, plog_log_end_offset(plog));
    CU_ASSERT(plog_segment_count(plog) > 3);
    CU_ASSERT_EQUAL(logmgr_start(lm, 20), 0);
    for (int i = 0; i < 200 && plog_segment_count(plog) > 1; i++)
        usleep(10000);
    CU_ASSERT_EQUAL(plog_segment_count(plog), 1);
    CU_ASSERT(plog_log_start_offset(plog) > 0);
    /* rolled segments were flushed in the background */
    CU_ASSERT(plog_recovery_point(plog) > 0);
    CU_ASSERT_EQUAL(logmgr_checkpoint(lm), 0);
    CU_ASSERT(lm_exists(root, LOGMGR_LSO_CKPT));
    CU_ASSERT(lm_exists(root, LOGMGR_RECOVERY_CKPT));
    plog_unref(plog);
    logmgr_close(lm);
    lm = lm_open(&root, 1, &cfg);
    plog = logmgr_get(lm, "r", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plog);
    CU_ASSERT(plog_log_start_offset(plog) > 0);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 30);
    plog_unref(plog);
    logmgr_close(lm);
    unit_rmtree(root);
    free(root);
}

static void
lm_sum(plog_t *plog, void *arg)
{
    *(int64_t *)arg += plog_log_end_offset(plog);
}

static void
test_logmgr_foreach_visits_every_log(void)
{
    char *root = unit_tmpdir("logmgr");
    log_config_t cfg;
    logmgr_t *lm;
    plog_t *plog;
    int64_t sum = 0;

    log_config_defaults(&cfg);
    lm = lm_open(&root, 1, &cfg);
    for (int p = 0; p < 100; p++) {
        CU_ASSERT_EQUAL(logmgr_create(lm, "many", p, NULL, &plog), 0);
        lm_append(plog, 1, 1000, 1);
        plog_unref(plog);
    }
    logmgr_foreach(lm, lm_sum, &sum);
    CU_ASSERT_EQUAL(sum, 100);
    plog = logmgr_get(lm, "many", 77);
    CU_ASSERT_PTR_NOT_NULL(plog);
    plog_unref(plog);
    logmgr_close(lm);
    unit_rmtree(root);
    free(root);
}

void
suite_logmgr(void)
{
    CU_pSuite s = unit_suite("logmgr");

    UNIT_TEST(s, test_ckpt_round_trips_and_rejects_garbage);
    UNIT_TEST(s, test_logmgr_reopen_after_clean_close_keeps_logs_and_offsets);
    UNIT_TEST(s, test_logmgr_recovers_after_unclean_stop);
    UNIT_TEST(s, test_logmgr_places_new_logs_in_the_emptiest_dir);
    UNIT_TEST(s, test_logmgr_lock_refuses_a_second_open);
    UNIT_TEST(s, test_logmgr_delete_detaches_and_removes_the_dir);
    UNIT_TEST(s, test_logmgr_background_applies_retention_and_checkpoints);
    UNIT_TEST(s, test_logmgr_foreach_visits_every_log);
}
