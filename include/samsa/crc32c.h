/*
 * crc32c: CRC-32C (Castagnoli), as record batch v2 uses.
 * Hardware (SSE4.2) when the CPU has it, a table otherwise. Thread-safe.
 */
#ifndef SAMSA_CRC32C_H
#define SAMSA_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* CRC of @len bytes continuing from @crc (start with 0) */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

#endif
