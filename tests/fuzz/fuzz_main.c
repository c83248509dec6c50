/*
 * fuzz_main.c: a standalone driver for LLVMFuzzerTestOneInput() targets,
 * for builds without libFuzzer (gcc, `make check`).
 *
 * Usage: fuzz_<name> [SECONDS]     mutate for SECONDS (default 5), exit 0
 *        fuzz_<name> FILE...       replay saved inputs once each
 * FUZZ_SEED=N in the environment fixes the random sequence.
 *
 * No coverage feedback: a pool starts with the target's fuzz_seed() inputs
 * (if it defines any) plus random bytes, and each round applies 1-4
 * mutations to a pool entry: bit flips, random bytes, interesting 8/16/32
 * bit values and small deltas on big-endian fields (lengths, counts) -
 * half of them in the first 64 bytes, where headers live - insertions,
 * deletions, truncations, duplicated ranges and splices with another
 * entry. About 1 in 16 mutants joins the pool so mutations stack; seeds
 * stay in it and half the rounds start from one. Every
 * input is passed in an exactly-sized heap block, so an overread is one
 * byte past an allocation (valgrind and ASan see it).
 *
 * On a crash signal the current input is written to ./fuzz-crash.bin and
 * the signal is re-raised; replay it with `fuzz_<name> fuzz-crash.bin`.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "samsa/xmalloc.h"

#define FUZZ_POOL_MAX 256
#define FUZZ_INPUT_MAX (64 * 1024)
#define FUZZ_SEEDS_MAX 1000

static buf_t fuzz_pool[FUZZ_POOL_MAX];
static int fuzz_npool;
static int fuzz_nfixed; /* entries [0, nfixed) are seeds, never replaced */
static uint64_t fuzz_rng_state;
/* the input being run, for the crash handler */
static const uint8_t *volatile fuzz_cur;
static volatile size_t fuzz_cur_len;

static uint64_t
fuzz_rand(void)
{
    /* xorshift64* */
    uint64_t x = fuzz_rng_state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    fuzz_rng_state = x;
    return x * 2685821657736338717ULL;
}

static size_t
fuzz_below(size_t n)
{
    return n ? (size_t)(fuzz_rand() % n) : 0;
}

static void
fuzz_on_crash(int sig)
{
    static const char msg[] = "fuzz: crash, input saved to fuzz-crash.bin\n";
    int fd = open("fuzz-crash.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ssize_t r;

    if (fd >= 0) {
        if (fuzz_cur != NULL)
            r = write(fd, fuzz_cur, fuzz_cur_len);
        close(fd);
    }
    r = write(2, msg, sizeof(msg) - 1);
    (void)r;
    signal(sig, SIG_DFL);
    raise(sig);
}

static void
fuzz_run(const uint8_t *data, size_t len)
{
    /* an exact copy: one byte past the input is outside any allocation */
    uint8_t *copy = xmalloc(len ? len : 1);

    memcpy(copy, data, len);
    fuzz_cur = copy;
    fuzz_cur_len = len;
    LLVMFuzzerTestOneInput(copy, len);
    fuzz_cur = NULL;
    free(copy);
}

static void
fuzz_pool_add(const uint8_t *data, size_t len)
{
    buf_t *slot;

    if (fuzz_npool < FUZZ_POOL_MAX)
        slot = &fuzz_pool[fuzz_npool++];
    else
        slot = &fuzz_pool[fuzz_nfixed +
                          fuzz_below((size_t)(FUZZ_POOL_MAX - fuzz_nfixed))];
    buf_reset(slot);
    buf_append(slot, data, len);
}

/* an offset for a field edit: half the time among the first 64 bytes */
static size_t
fuzz_field_off(size_t len, size_t width)
{
    size_t span = len - width + 1;

    if (fuzz_rand() & 1 && span > 64)
        span = 64;
    return fuzz_below(span);
}

static void
fuzz_put_be(uint8_t *p, uint64_t v, size_t width)
{
    for (size_t i = 0; i < width; i++)
        p[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

static uint64_t
fuzz_get_be(const uint8_t *p, size_t width)
{
    uint64_t v = 0;

    for (size_t i = 0; i < width; i++)
        v = (v << 8) | p[i];
    return v;
}

static void
fuzz_mutate_once(buf_t *b)
{
    static const int64_t interesting[] = {
        0,      1,      -1,     2,          7,  0x7f,      0x80, 0xff,
        0x7fff, 0x8000, 0xffff, 0x7fffffff, -2, INT32_MIN, 61,   49};
    static const size_t widths[] = {1, 2, 4};
    size_t width = widths[fuzz_below(3)];
    size_t off, n;

    switch (fuzz_below(10)) {
    case 0: /* bit flip */
        if (b->len)
            b->data[fuzz_below(b->len)] ^= (uint8_t)(1u << fuzz_below(8));
        break;
    case 1: /* random byte */
        if (b->len)
            b->data[fuzz_below(b->len)] = (uint8_t)fuzz_rand();
        break;
    case 2: /* interesting value in a big-endian field */
        if (b->len >= width) {
            off = fuzz_field_off(b->len, width);
            fuzz_put_be(b->data + off, (uint64_t)interesting[fuzz_below(16)],
                        width);
        }
        break;
    case 3: /* small delta on a length or count field */
        if (b->len >= width) {
            off = fuzz_field_off(b->len, width);
            fuzz_put_be(b->data + off,
                        fuzz_get_be(b->data + off, width) +
                            (uint64_t)((int64_t)fuzz_below(33) - 16),
                        width);
        }
        break;
    case 4: /* truncate */ b->len = fuzz_below(b->len + 1); break;
    case 5: /* delete a range */
        if (b->len) {
            off = fuzz_below(b->len);
            n = 1 + fuzz_below(b->len - off < 16 ? b->len - off : 16);
            memmove(b->data + off, b->data + off + n, b->len - off - n);
            b->len -= n;
        }
        break;
    case 6: /* insert random bytes */
        n = 1 + fuzz_below(16);
        if (b->len + n <= FUZZ_INPUT_MAX) {
            off = fuzz_below(b->len + 1);
            buf_reserve(b, n);
            memmove(b->data + off + n, b->data + off, b->len - off);
            for (size_t i = 0; i < n; i++)
                b->data[off + i] = (uint8_t)fuzz_rand();
            b->len += n;
        }
        break;
    case 7: /* duplicate a range at the end */
        if (b->len) {
            off = fuzz_below(b->len);
            n = 1 + fuzz_below(b->len - off);
            if (b->len + n <= FUZZ_INPUT_MAX) {
                buf_reserve(b, n);
                memcpy(b->data + b->len, b->data + off, n);
                b->len += n;
            }
        }
        break;
    case 8: /* splice: our head, another entry's tail */
        if (fuzz_npool > 0) {
            const buf_t *o = &fuzz_pool[fuzz_below((size_t)fuzz_npool)];
            size_t from = fuzz_below(o->len + 1);

            b->len = fuzz_below(b->len + 1);
            if (b->len + (o->len - from) <= FUZZ_INPUT_MAX)
                buf_append(b, o->data + from, o->len - from);
        }
        break;
    default: /* several bit flips in one place */
        if (b->len) {
            off = fuzz_below(b->len);
            for (int i = 0; i < 4 && off + (size_t)i < b->len; i++)
                b->data[off + (size_t)i] ^= (uint8_t)fuzz_rand();
        }
        break;
    }
}

static int
fuzz_replay(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        buf_t b = BUF_INIT;
        uint8_t chunk[4096];
        size_t n;

        if (f == NULL) {
            perror(argv[i]);
            return 2;
        }
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
            buf_append(&b, chunk, n);
        fclose(f);
        fuzz_run(b.data, b.len);
        buf_fini(&b);
        printf("fuzz: %s: ok\n", argv[i]);
    }
    return 0;
}

int
main(int argc, char **argv)
{
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
    double seconds = 5;
    const char *seed_env = getenv("FUZZ_SEED");
    struct timespec t0, now;
    buf_t cur = BUF_INIT;
    unsigned long runs = 0;
    int nseeds = 0;

    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], fuzz_on_crash);
    if (argc > 1 && strspn(argv[1], "0123456789.") != strlen(argv[1]))
        return fuzz_replay(argc, argv);
    if (argc > 1)
        seconds = atof(argv[1]);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fuzz_rng_state = seed_env ? strtoull(seed_env, NULL, 0)
                              : (uint64_t)t0.tv_nsec ^ (uint64_t)getpid();
    if (fuzz_rng_state == 0)
        fuzz_rng_state = 88172645463325252ULL;
    printf("fuzz: FUZZ_SEED=%llu, %.0f s\n", (unsigned long long)fuzz_rng_state,
           seconds);
    fflush(stdout);

    /* the seeds, each run once as they are */
    for (int i = 0; fuzz_seed != NULL && i < FUZZ_SEEDS_MAX; i++) {
        buf_reset(&cur);
        if (!fuzz_seed(&cur, i))
            break;
        fuzz_run(cur.data, cur.len);
        fuzz_pool_add(cur.data, cur.len);
        nseeds++;
    }
    fuzz_nfixed =
        fuzz_npool < FUZZ_POOL_MAX / 2 ? fuzz_npool : FUZZ_POOL_MAX / 2;
    for (int i = 0; i < 8; i++) {
        size_t n = fuzz_below(256);

        buf_reset(&cur);
        for (size_t k = 0; k < n; k++)
            buf_append(&cur, &(uint8_t){(uint8_t)fuzz_rand()}, 1);
        fuzz_pool_add(cur.data, cur.len);
    }

    for (;;) {
        /* half the rounds start again from a seed */
        size_t pick = (fuzz_nfixed > 0 && (fuzz_rand() & 1))
                          ? fuzz_below((size_t)fuzz_nfixed)
                          : fuzz_below((size_t)fuzz_npool);
        const buf_t *base = &fuzz_pool[pick];
        int nmut = 1 + (int)fuzz_below(4);

        if ((runs & 255) == 0) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            if ((double)(now.tv_sec - t0.tv_sec) +
                    (double)(now.tv_nsec - t0.tv_nsec) / 1e9 >=
                seconds)
                break;
        }
        buf_reset(&cur);
        buf_append(&cur, base->data, base->len);
        for (int m = 0; m < nmut; m++)
            fuzz_mutate_once(&cur);
        fuzz_run(cur.data, cur.len);
        if (fuzz_below(16) == 0)
            fuzz_pool_add(cur.data, cur.len);
        runs++;
    }
    printf("fuzz: %lu runs, %d seeds, no crash\n", runs, nseeds);
    buf_fini(&cur);
    for (int i = 0; i < fuzz_npool; i++)
        buf_fini(&fuzz_pool[i]);
    return 0;
}
