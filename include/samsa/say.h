/*
 * say: diagnostics (the daemon's own log lines, not the partition log).
 *
 * Lines go to stderr as "2026-11-25T01:02:03.456Z LEVEL [area] message".
 * Thread-safe: each line is written with one write(2).
 */
#ifndef SAMSA_SAY_H
#define SAMSA_SAY_H

typedef enum say_level {
    SAY_DEBUG = 0,
    SAY_INFO,
    SAY_WARN,
    SAY_ERROR,
} say_level_t;

void say_set_level(say_level_t level);
/* "debug", "info", "warn", "error" -> level; returns -1 if unknown */
int say_parse_level(const char *name);
void say_msg(say_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define say_debug(...) say_msg(SAY_DEBUG, __VA_ARGS__)
#define say_info(...) say_msg(SAY_INFO, __VA_ARGS__)
#define say_warn(...) say_msg(SAY_WARN, __VA_ARGS__)
#define say_error(...) say_msg(SAY_ERROR, __VA_ARGS__)

#endif
