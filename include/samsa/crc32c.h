/*
 * crc32c: CRC-32C (Castagnoli), as record batch v2 uses.
 * Hardware (SSE4.2) when the CPU has it, a table otherwise. Thread-safe.
 */
#ifndef SAMSA_CRC32C_H
#define SAMSA_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CRC of @len bytes continuing from @crc (start with 0) */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

/* the table implementation, whatever the CPU (for tests and benchmarks) */
uint32_t crc32c_sw(uint32_t crc, const void *data, size_t len);
/* true when crc32c() uses the SSE4.2 crc32 instruction */
bool crc32c_hw_available(void);

#endif
