/*
 * sdnotify: tells the service manager about samsad's state (systemd's
 * Type=notify readiness protocol, sd_notify(3)).
 *
 * Owns: the one place samsad talks to systemd. Built with libsystemd
 * (configure found it: HAVE_LIBSYSTEMD), each call is sd_notify(0, state),
 * which writes to $NOTIFY_SOCKET and does nothing when that is unset;
 * built without it, each call does nothing. Either way samsad has one code
 * path. Private to src/daemon.
 *
 * Thread: any; the calls do not block (one datagram).
 */
#ifndef SAMSA_DAEMON_SDNOTIFY_H
#define SAMSA_DAEMON_SDNOTIFY_H

/* "READY=1": the broker serves clients (after its listeners started). */
void sdnotify_ready(void);

/* "STOPPING=1": the broker begins its clean shutdown. */
void sdnotify_stopping(void);

#endif
