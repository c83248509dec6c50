/*
 * logmgr: the log manager: every partition log of this broker across the
 * configured log.dirs.
 *
 * Owns: the log directories (creation, the .lock flock, the
 * .samsa_cleanshutdown marker, the recovery-point, replication-offset and
 * log-start-offset checkpoints), placement of new logs, the
 * topic-partition -> plog map, deletion of whole logs, and the background
 * thread (retention, age roll, time flush, flush after roll, periodic
 * checkpoints, removal of deleted directories). Does not own: what is in a
 * log (plog.h).
 *
 * Directory layout (Kafka's):
 *   <dir>/.lock                        flock'd while a broker runs
 *   <dir>/.samsa_cleanshutdown         present only after a clean close
 *   <dir>/recovery-point-offset-checkpoint
 *   <dir>/replication-offset-checkpoint    (high watermarks)
 *   <dir>/log-start-offset-checkpoint
 *   <dir>/<topic>-<partition>/         one plog; the partition follows the
 *                                      last '-'
 *   <dir>/<topic>-<partition>.<hex>-delete/  being removed
 *
 * Thread safety: every function is thread-safe except that logmgr_close()
 * must be the last call. logmgr_get() takes a reader lock on the map.
 */
#ifndef SAMSA_LOGMGR_H
#define SAMSA_LOGMGR_H

#include <stddef.h>
#include <stdint.h>

#include "samsa/plog.h"

#define LOGMGR_LOCK_FILE ".lock"
#define LOGMGR_CLEAN_MARKER ".samsa_cleanshutdown"
#define LOGMGR_RECOVERY_CKPT "recovery-point-offset-checkpoint"
#define LOGMGR_HW_CKPT "replication-offset-checkpoint"
#define LOGMGR_LSO_CKPT "log-start-offset-checkpoint"
/* Kafka's replication.high.watermark.checkpoint.interval.ms */
#define LOGMGR_CKPT_INTERVAL_MS 5000

typedef struct logmgr logmgr_t;

/*
 * Creates missing @dirs, locks each (a second broker on the same dir fails
 * with ERR_STATE and says so in @errbuf), loads and recovers every
 * <topic>-<partition> log in them, then removes the clean-shutdown
 * markers. @defaults is copied. Returns 0, ERR_STATE, ERR_IO, ERR_CORRUPT,
 * ERR_EXISTS (one partition in two dirs), ERR_INVAL (no dirs).
 */
int logmgr_open(logmgr_t **out, char *const *dirs, int ndirs,
                const log_config_t *defaults, char *errbuf, size_t errlen);
/*
 * Stops the background thread, flushes and closes every log, writes the
 * checkpoints and then the clean-shutdown marker of each dir whose logs
 * all closed cleanly, unlocks the dirs and frees everything. Logs still
 * referenced elsewhere stay readable but refuse appends. NULL is a no-op.
 */
void logmgr_close(logmgr_t *lm);

/*
 * Starts the background thread, waking every @retention_check_interval_ms
 * (log.retention.check.interval.ms) for retention and at least every
 * second for flushes, rolls by age and checkpoints. ERR_STATE when already
 * running.
 */
int logmgr_start(logmgr_t *lm, int64_t retention_check_interval_ms);

/* the log, with a reference the caller drops; NULL when absent */
plog_t *logmgr_get(logmgr_t *lm, const char *topic, int32_t partition);
/*
 * Creates the log in the dir holding the fewest partitions. @cfg NULL
 * means the defaults. *out gets a reference. ERR_EXISTS also sets *out to
 * the existing log (referenced). ERR_INVAL for a bad topic name (Kafka's
 * rules: 1-249 of [a-zA-Z0-9._-], not "." or "..") or partition.
 */
int logmgr_create(logmgr_t *lm, const char *topic, int32_t partition,
                  const log_config_t *cfg, plog_t **out);
/*
 * Detaches the log, renames its dir to <t>-<p>.<hex>-delete and leaves
 * the files to the background thread (or logmgr_close). ERR_NOTFOUND.
 */
int logmgr_delete(logmgr_t *lm, const char *topic, int32_t partition);
/* calls @fn for every log; the map is not locked during the calls */
void logmgr_foreach(logmgr_t *lm, void (*fn)(plog_t *, void *), void *arg);
/* writes the three checkpoint files of every dir now; 0 or ERR_IO */
int logmgr_checkpoint(logmgr_t *lm);
int logmgr_count(logmgr_t *lm);

#endif
