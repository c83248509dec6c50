/*
 * clock: wall-clock and monotonic time. Thread-safe.
 */
#ifndef SAMSA_CLOCK_H
#define SAMSA_CLOCK_H

#include <stdint.h>

/* milliseconds since the Unix epoch (Kafka timestamps) */
int64_t clock_wall_ms(void);
/* monotonic milliseconds, for timeouts and intervals */
int64_t clock_mono_ms(void);
/* monotonic microseconds, for latency measurement */
int64_t clock_mono_us(void);

#endif
