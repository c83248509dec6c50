/*
 * unit.h: shared helpers for the CUnit suites.
 *
 * Each tests/unit/test_<module>.c defines `void suite_<module>(void)` that
 * adds its suite and tests, and lists itself in suites.def.
 */
#ifndef SAMSA_TEST_UNIT_H
#define SAMSA_TEST_UNIT_H

#include <CUnit/CUnit.h>

#define SUITE(name) void suite_##name(void);
#include "suites.def"
#undef SUITE

/* adds a suite with no fixtures, aborting the run if CUnit fails */
CU_pSuite unit_suite(const char *name);
#define UNIT_TEST(suite, fn) CU_add_test((suite), #fn, (fn))

/*
 * A fresh empty directory under the build dir (tests/unit/tmp/<name>.XXXXXX);
 * the caller frees the string and removes the tree with unit_rmtree().
 */
char *unit_tmpdir(const char *name);
void unit_rmtree(const char *path);

#endif
