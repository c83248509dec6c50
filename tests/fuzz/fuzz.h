/*
 * fuzz.h: the interface between a fuzz target and its drivers.
 *
 * A target (fuzz_<name>.c) defines LLVMFuzzerTestOneInput(), so it builds
 * with clang -fsanitize=fuzzer, and may define fuzz_seed() to hand the
 * standalone gcc driver (fuzz_main.c) valid inputs to start mutating from.
 * The target must not keep state between inputs beyond reusable buffers.
 */
#ifndef SAMSA_TEST_FUZZ_H
#define SAMSA_TEST_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "samsa/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Appends seed number @i (0, 1, 2 ...) to @out and returns 1, or returns 0
 * when there are no more seeds. Optional (a weak symbol): a target without
 * it is fed random bytes and their mutations only.
 */
int fuzz_seed(buf_t *out, int i) __attribute__((weak));

#endif
