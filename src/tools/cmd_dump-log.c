/*
 * cmd_dump-log.c: samsa dump-log, after kafka-dump-log.sh: reads segment
 * files offline (no broker) and prints, for a .log, every batch with its
 * offsets, position, CRC validity, codec and record count (and the records
 * with --print-data-log); for a .index or .timeindex, its entries and a
 * sanity check against the .log beside it.
 *
 * Files are mapped read-only and never changed. The base offset comes from
 * the file name (<20 digits>.<ext>), as in Kafka.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "samsa/batch.h"
#include "samsa/err.h"
#include "samsa/idx.h"
#include "samsa/segment.h"
#include "samsa/tool.h"
#include "samsa/xmalloc.h"

#define CMD "dump-log"

static const tool_opt_t opts[] = {
    {"files", "FILE[,FILE...]",
     ".log, .index or .timeindex files to dump (repeatable; files may also "
     "follow the options)"},
    {"print-data-log", NULL, "print each record's key, value and headers"},
    {"deep-iteration", NULL,
     "print each record's metadata (always done for magic 2; accepted for "
     "Kafka compatibility)"},
    {"index-sanity-check", NULL,
     "for indexes: only check them, do not print the entries"},
    {"verify-index-only", NULL,
     "for indexes: check each entry against the .log, print only "
     "mismatches"},
    {"help", NULL, "print this help"},
};

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

static const char *const codec_names[] = {"NONE",     "GZIP",    "SNAPPY",
                                          "LZ4",      "ZSTD",    "UNKNOWN5",
                                          "UNKNOWN6", "UNKNOWN7"};

typedef struct mapped {
    const uint8_t *p;
    size_t len;
} mapped_t;

/* maps @path read-only; an empty file maps to len 0. 0 or -1 (reported) */
static int
map_file(const char *path, mapped_t *m, bool quiet)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    m->p = NULL;
    m->len = 0;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (!quiet)
            tool_err(CMD, "cannot open %s: %m", path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

        if (p == MAP_FAILED) {
            if (!quiet)
                tool_err(CMD, "cannot map %s: %m", path);
            close(fd);
            return -1;
        }
        m->p = p;
        m->len = (size_t)st.st_size;
    }
    close(fd);
    return 0;
}

static void
unmap_file(mapped_t *m)
{
    if (m->p)
        munmap((void *)m->p, m->len);
    m->p = NULL;
}

/* base offset from "<20 digits><ext>"; -1 when the name is not one */
static int64_t
base_of(const char *path, const char *ext)
{
    const char *name = strrchr(path, '/');
    int64_t base;

    name = name ? name + 1 : path;
    return segment_parse_name(name, ext, &base) ? base : -1;
}

static bool
has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);

    return n > e && strcmp(path + n - e, ext) == 0;
}

/* "<dir>/<stem>.log" for an index path */
static char *
log_path_for(const char *path)
{
    const char *dot = strrchr(path, '.');

    return xasprintf("%.*s.log", (int)(dot - path), path);
}

static void
print_escaped(const uint8_t *p, int32_t len)
{
    if (p == NULL || len < 0) {
        fputs("null", stdout);
        return;
    }
    fwrite(p, 1, (size_t)len, stdout);
}

/* ------------------------------------------------------------------- .log */

static int
dump_log(const char *path, bool data)
{
    mapped_t m;
    size_t pos = 0;
    int bad = 0;
    int64_t base = base_of(path, ".log");

    if (map_file(path, &m, false) != 0)
        return TOOL_EXIT_FAIL;
    printf("Dumping %s\n", path);
    if (base >= 0)
        printf("Starting offset: %" PRId64 "\n", base);
    while (pos < m.len) {
        batch_hdr_t h;
        size_t left = m.len - pos;
        int rc = batch_hdr_parse(m.p + pos, left, &h);

        if (rc != 0 || batch_size(&h) > left) {
            printf("Found %zu invalid bytes at the end of %s (a torn or "
                   "corrupt batch at position %zu)\n",
                   left, path, pos);
            bad = 1;
            break;
        }
        bool crc_ok = batch_crc_ok(m.p + pos, &h);
        bool la = (h.attributes & BATCH_ATTR_TIMESTAMP_LOG_APPEND) != 0;

        printf(
            "baseOffset: %" PRId64 " lastOffset: %" PRId64
            " count: %d baseSequence: %d lastSequence: %d producerId: "
            "%" PRId64 " producerEpoch: %d partitionLeaderEpoch: %d "
            "isTransactional: %s isControl: %s position: %zu %s: "
            "%" PRId64 " size: %zu magic: %d compresscodec: %s crc: %u "
            "isvalid: %s\n",
            h.base_offset, batch_last_offset(&h), (int)h.records_count,
            (int)h.base_sequence,
            h.base_sequence < 0 ? -1
                                : (int)(h.base_sequence + h.last_offset_delta),
            h.producer_id, (int)h.producer_epoch, (int)h.partition_leader_epoch,
            (h.attributes & BATCH_ATTR_TRANSACTIONAL) ? "true" : "false",
            (h.attributes & BATCH_ATTR_CONTROL) ? "true" : "false", pos,
            la ? "LogAppendTime" : "CreateTime", h.max_timestamp,
            batch_size(&h), (int)h.magic,
            codec_names[h.attributes & BATCH_ATTR_CODEC_MASK], (unsigned)h.crc,
            crc_ok ? "true" : "false");
        if (!crc_ok)
            bad = 1;
        {
            batch_iter_t it;
            batch_record_t rec;
            int irc = batch_iter_init(&it, m.p + pos, batch_size(&h));

            while (irc == 0 && (irc = batch_iter_next(&it, &rec)) == 1) {
                irc = 0;
                printf("| offset: %" PRId64 " %s: %" PRId64
                       " keysize: %d valuesize: %d sequence: %d "
                       "headerKeys: [",
                       h.base_offset + rec.offset_delta,
                       la ? "LogAppendTime" : "CreateTime",
                       la ? h.max_timestamp
                          : h.base_timestamp + rec.timestamp_delta,
                       (int)rec.key_len, (int)rec.value_len,
                       h.base_sequence < 0
                           ? -1
                           : (int)(h.base_sequence + rec.offset_delta));
                for (int32_t i = 0; i < rec.nheaders; i++) {
                    batch_header_kv_t kv;

                    if (batch_record_header(&rec, i, &kv) != 0)
                        break;
                    fputs(i ? "," : "", stdout);
                    print_escaped(kv.key, kv.key_len);
                }
                printf("]");
                if (data) {
                    if (rec.nheaders > 0) {
                        printf(" headers: ");
                        for (int32_t i = 0; i < rec.nheaders; i++) {
                            batch_header_kv_t kv;

                            if (batch_record_header(&rec, i, &kv) != 0)
                                break;
                            fputs(i ? "," : "", stdout);
                            print_escaped(kv.key, kv.key_len);
                            fputs(":", stdout);
                            print_escaped(kv.value, kv.value_len);
                        }
                    }
                    printf(" key: ");
                    print_escaped(rec.key, rec.key_len);
                    printf(" payload: ");
                    print_escaped(rec.value, rec.value_len);
                }
                printf("\n");
            }
            if (irc < 0) {
                printf("| cannot read the records of this batch: %s\n",
                       irc == ERR_INVAL ? "unknown compression codec"
                                        : "corrupt records");
                bad = 1;
            }
            batch_iter_fini(&it);
        }
        pos += batch_size(&h);
    }
    unmap_file(&m);
    return bad ? TOOL_EXIT_FAIL : 0;
}

/* ----------------------------------------------------------------- indexes */

/* the batch of @log at @pos, if one starts there */
static bool
batch_at(const mapped_t *log, uint64_t pos, batch_hdr_t *h)
{
    return log->p && pos < log->len &&
           batch_hdr_parse(log->p + pos, log->len - pos, h) == 0;
}

static int
dump_index(const char *path, bool print, bool verify)
{
    mapped_t m, log;
    int64_t base = base_of(path, ".index"), prev_off = -1;
    int64_t prev_pos = -1;
    char *lp = log_path_for(path);
    int problems = 0;
    size_t n;

    if (map_file(path, &m, false) != 0) {
        free(lp);
        return TOOL_EXIT_FAIL;
    }
    if (map_file(lp, &log, true) != 0)
        log.len = 0;
    if (base < 0)
        base = 0;
    printf("Dumping %s\n", path);
    if (m.len % 8 != 0) {
        printf("Index file %s has a size of %zu, not a multiple of the "
               "entry size 8\n",
               path, m.len);
        problems++;
    }
    n = m.len / 8;
    for (size_t i = 0; i < n; i++) {
        int64_t off = base + (int32_t)idx_get32(m.p + 8 * i);
        uint32_t pos = idx_get32(m.p + 8 * i + 4);
        batch_hdr_t h;

        /* a preallocated, zero-filled tail (an active segment) */
        if (i > 0 && off == base && pos == 0)
            break;
        if (print && !verify)
            printf("offset: %" PRId64 " position: %u\n", off, pos);
        if (off <= prev_off || (int64_t)pos <= prev_pos) {
            printf("Index entry %zu (offset %" PRId64 ", position %u) does "
                   "not increase on the previous entry\n",
                   i, off, pos);
            problems++;
        }
        if (log.p && (!batch_at(&log, pos, &h) || h.base_offset > off ||
                      batch_last_offset(&h) < off)) {
            printf("Mismatches in %s: index offset %" PRId64 " position %u "
                   "does not point at the batch holding it\n",
                   path, off, pos);
            problems++;
        }
        prev_off = off;
        prev_pos = pos;
    }
    if (!log.p)
        printf("(no %s beside it: entries not checked against the log)\n", lp);
    printf("%s %s sanity check.\n", path, problems ? "failed" : "passed");
    unmap_file(&m);
    unmap_file(&log);
    free(lp);
    return problems ? TOOL_EXIT_FAIL : 0;
}

static int
dump_timeindex(const char *path, bool print, bool verify)
{
    mapped_t m, log;
    int64_t base = base_of(path, ".timeindex"), prev_ts = -1;
    int64_t prev_off = -1;
    char *lp = log_path_for(path);
    int problems = 0;
    size_t n;

    if (map_file(path, &m, false) != 0) {
        free(lp);
        return TOOL_EXIT_FAIL;
    }
    if (map_file(lp, &log, true) != 0)
        log.len = 0;
    if (base < 0)
        base = 0;
    printf("Dumping %s\n", path);
    if (m.len % 12 != 0) {
        printf("Time index file %s has a size of %zu, not a multiple of "
               "the entry size 12\n",
               path, m.len);
        problems++;
    }
    n = m.len / 12;
    for (size_t i = 0; i < n; i++) {
        int64_t ts = (int64_t)idx_get64(m.p + 12 * i);
        int64_t off = base + (int32_t)idx_get32(m.p + 12 * i + 8);

        if (i > 0 && ts == 0 && off == base)
            break; /* zero-filled tail */
        if (print && !verify)
            printf("timestamp: %" PRId64 " offset: %" PRId64 "\n", ts, off);
        if (ts < prev_ts || off < prev_off) {
            printf("Time index entry %zu (timestamp %" PRId64
                   ", offset %" PRId64 ") goes back on the previous entry\n",
                   i, ts, off);
            problems++;
        }
        prev_ts = ts;
        prev_off = off;
    }
    /* every entry's offset must be in the log (when it is beside it) */
    if (log.p && prev_off >= 0) {
        size_t pos = 0;
        int64_t last = -1;
        batch_hdr_t h;

        while (batch_at(&log, pos, &h) && batch_size(&h) <= log.len - pos) {
            last = batch_last_offset(&h);
            pos += batch_size(&h);
        }
        if (prev_off > last) {
            printf("Mismatches in %s: the last entry's offset %" PRId64
                   " is past the log's last offset %" PRId64 "\n",
                   path, prev_off, last);
            problems++;
        }
    }
    printf("%s %s sanity check.\n", path, problems ? "failed" : "passed");
    unmap_file(&m);
    unmap_file(&log);
    free(lp);
    return problems ? TOOL_EXIT_FAIL : 0;
}

static int
dump_one(const char *path, const tool_args_t *a)
{
    bool print = !tool_opt_has(a, "index-sanity-check");
    bool verify = tool_opt_has(a, "verify-index-only");

    if (has_ext(path, ".log"))
        return dump_log(path, tool_opt_has(a, "print-data-log"));
    if (has_ext(path, ".index"))
        return dump_index(path, print, verify);
    if (has_ext(path, ".timeindex"))
        return dump_timeindex(path, print, verify);
    tool_err(CMD, "%s: not a .log, .index or .timeindex file; ignored", path);
    return TOOL_EXIT_USAGE;
}

int
cmd_dump_log(int argc, char **argv)
{
    tool_args_t a;
    char *const *files;
    int nfiles, rc, status = 0, seen = 0;

    rc = tool_args_begin(&a, CMD, "--files FILE[,FILE...] [options]",
                         "Prints the batches of segment .log files and the "
                         "entries of their indexes, offline "
                         "(kafka-dump-log.sh).",
                         opts, NOPTS, argc, argv);
    if (rc != 0) {
        tool_args_fini(&a);
        return rc < 0 ? TOOL_EXIT_OK : rc;
    }
    files = tool_opt_all(&a, "files", &nfiles);
    for (int i = 0; i < nfiles + a.noperands; i++) {
        char *list = xstrdup(i < nfiles ? files[i] : a.operands[i - nfiles]);
        char *save = NULL;

        for (char *f = strtok_r(list, ",", &save); f;
             f = strtok_r(NULL, ",", &save)) {
            int frc = dump_one(f, &a);

            seen++;
            if (frc > status)
                status = frc;
        }
        free(list);
    }
    if (seen == 0) {
        tool_err(CMD, "give the files to dump with --files FILE (segment "
                      "files live under the broker's log.dirs, in "
                      "TOPIC-PARTITION directories)");
        status = TOOL_EXIT_USAGE;
    }
    tool_args_fini(&a);
    return status;
}
