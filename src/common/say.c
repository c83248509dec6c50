/*
 * say.c: diagnostic lines on stderr (see say.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "samsa/say.h"

static volatile say_level_t say_level = SAY_INFO;
static const char *const say_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void
say_set_level(say_level_t level)
{
    say_level = level;
}

int
say_parse_level(const char *name)
{
    for (int i = 0; i <= SAY_ERROR; i++)
        if (strcasecmp(name, say_names[i]) == 0)
            return i;
    if (strcasecmp(name, "warning") == 0)
        return SAY_WARN;
    return -1;
}

void
say_msg(say_level_t level, const char *fmt, ...)
{
    char line[2048];
    struct timeval tv;
    struct tm tm;
    va_list ap;
    size_t n;

    if (level < say_level)
        return;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    n += snprintf(line + n, sizeof(line) - n, ".%03dZ %s ",
                  (int)(tv.tv_usec / 1000), say_names[level]);
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    n = strlen(line);
    if (n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    /* one write per line so lines from several threads do not interleave */
    if (write(STDERR_FILENO, line, n) < 0)
        return;
}
