/*
 * test_common.c: buf, arena and err from src/common.
 */
#include <string.h>

#include "samsa/arena.h"
#include "samsa/buf.h"
#include "samsa/err.h"
#include "unit.h"

static void
test_buf_append_grows_and_consume_shifts(void)
{
    buf_t b = BUF_INIT;
    char chunk[1000];

    memset(chunk, 'x', sizeof(chunk));
    for (int i = 0; i < 10; i++)
        buf_append(&b, chunk, sizeof(chunk));
    CU_ASSERT_EQUAL(b.len, 10000);
    CU_ASSERT(b.cap >= 10000);
    b.data[1000] = 'y';
    buf_consume(&b, 1000);
    CU_ASSERT_EQUAL(b.len, 9000);
    CU_ASSERT_EQUAL(b.data[0], 'y');
    buf_consume(&b, 20000);
    CU_ASSERT_EQUAL(b.len, 0);
    buf_fini(&b);
    CU_ASSERT_PTR_NULL(b.data);
}

static void
test_arena_allocations_are_zeroed_aligned_and_reset(void)
{
    arena_t ar;
    char *big;

    arena_init(&ar);
    for (int i = 0; i < 1000; i++) {
        unsigned char *p = arena_alloc(&ar, 37);
        CU_ASSERT_EQUAL((uintptr_t)p % 16, 0);
        CU_ASSERT_EQUAL(p[36], 0);
        memset(p, 0xff, 37);
    }
    big = arena_alloc(&ar, 100000);
    CU_ASSERT_EQUAL(big[99999], 0);
    CU_ASSERT_STRING_EQUAL(arena_strndup(&ar, "topic-x", 5), "topic");
    arena_reset(&ar);
    CU_ASSERT_EQUAL(((unsigned char *)arena_alloc(&ar, 8))[0], 0);
    arena_fini(&ar);
}

static void
test_err_str_names_every_code(void)
{
    for (int e = ERR_OK; e >= ERR_RANGE; e--)
        CU_ASSERT_STRING_NOT_EQUAL(err_str(e), "unknown error");
    CU_ASSERT_STRING_EQUAL(err_str(-999), "unknown error");
}

void
suite_common(void)
{
    CU_pSuite s = unit_suite("common");
    UNIT_TEST(s, test_buf_append_grows_and_consume_shifts);
    UNIT_TEST(s, test_arena_allocations_are_zeroed_aligned_and_reset);
    UNIT_TEST(s, test_err_str_names_every_code);
}
