/*
 * sdnotify.c: sd_notify(3) wrapper; see sdnotify.h. Without libsystemd
 * (./configure --without-libsystemd, or libsystemd-dev absent) both calls
 * are empty.
 */
#include "config.h"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "sdnotify.h"

static void
sdnotify_send(const char *state)
{
#ifdef HAVE_LIBSYSTEMD
    /* < 0: the socket is gone; = 0: not started by systemd. Nothing to do
     * either way: the state is advisory and the broker runs regardless. */
    (void)sd_notify(0, state);
#else
    (void)state;
#endif
}

void
sdnotify_ready(void)
{
    sdnotify_send("READY=1");
}

void
sdnotify_stopping(void)
{
    sdnotify_send("STOPPING=1");
}
