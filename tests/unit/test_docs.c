/*
 * test_docs.c: cheap consistency checks between code and documentation:
 * every samsad.conf key is on samsad.conf(5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/bconf.h"
#include "samsa/buf.h"
#include "unit.h"

static int
read_file(const char *path, buf_t *out)
{
    char chunk[4096];
    size_t n;
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return -1;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(out, chunk, n);
    fclose(f);
    buf_append(out, "", 1);
    return 0;
}

static void
test_every_config_key_is_on_samsad_conf_5(void)
{
    const char *top = getenv("top_srcdir") ? getenv("top_srcdir") : TOP_SRCDIR;
    char path[4096], item[256];
    buf_t page = BUF_INIT;

    snprintf(path, sizeof(path), "%s/man/samsad.conf.5", top);
    CU_ASSERT_EQUAL_FATAL(read_file(path, &page), 0);
    for (size_t i = 0; i < bconf_nkeys; i++) {
        snprintf(item, sizeof(item), ".It Cm %s ", bconf_keys[i].name);
        if (strstr((char *)page.data, item) == NULL) {
            fprintf(stderr, "samsad.conf(5) lacks %s\n", bconf_keys[i].name);
            CU_FAIL("a configuration key is missing from samsad.conf(5)");
        }
    }
    buf_fini(&page);
}

void
suite_docs(void)
{
    CU_pSuite s = unit_suite("docs");
    UNIT_TEST(s, test_every_config_key_is_on_samsad_conf_5);
}
