/*
 * run_unit.c: the one CUnit runner for every suite in suites.def.
 * Usage: run_unit [SUITE]   (runs every suite, or only the named one)
 */
#include <CUnit/Basic.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "samsa/xmalloc.h"
#include "unit.h"

CU_pSuite
unit_suite(const char *name)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (s == NULL) {
        fprintf(stderr, "CU_add_suite(%s): %s\n", name, CU_get_error_msg());
        exit(1);
    }
    return s;
}

char *
unit_tmpdir(const char *name)
{
    char *path;

    mkdir("tmp", 0755);
    path = xasprintf("tmp/%s.XXXXXX", name);
    if (mkdtemp(path) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
    return path;
}

static int
unit_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void
unit_rmtree(const char *path)
{
    nftw(path, unit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    unsigned failed;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
#define SUITE(name)                                                            \
    if (only == NULL || strcmp(only, #name) == 0)                              \
        suite_##name();
#include "suites.def"
#undef SUITE
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    rmdir("tmp");
    return failed ? 1 : 0;
}
