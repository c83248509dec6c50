/*
 * test_tools.c: the pure pieces of samsa(1) (src/tools/util.c, tool.h):
 * the Java client's murmur2 partitioner against Kafka's own test vectors,
 * option parsing, and the console producer's line format.
 */
#include <stdlib.h>
#include <string.h>

#include "samsa/err.h"
#include "samsa/tool.h"
#include "unit.h"

/* Kafka's UtilsTest.testMurmur2 vectors */
static void
test_tools_murmur2_matches_kafka_utils_vectors(void)
{
    static const struct {
        const char *key;
        int32_t hash;
    } v[] = {
        {"21", -973932308},
        {"foobar", -790332482},
        {"a-little-bit-long-string", -985981536},
        {"a-little-bit-longer-string", -1486304829},
        {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
        {"abc", 479470107},
    };

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        CU_ASSERT_EQUAL(tool_murmur2(v[i].key, strlen(v[i].key)), v[i].hash);
}

/* DefaultPartitioner: toPositive(murmur2(key)) % n */
static void
test_tools_partition_for_key_is_positive_hash_modulo_count(void)
{
    /* murmur2("21") = -973932308; & 0x7fffffff = 1173551340 */
    CU_ASSERT_EQUAL(tool_partition_for_key("21", 2, 3), 1173551340 % 3);
    CU_ASSERT_EQUAL(tool_partition_for_key("21", 2, 7), 1173551340 % 7);
    /* murmur2("abc") = 479470107 is positive already */
    CU_ASSERT_EQUAL(tool_partition_for_key("abc", 3, 10), 479470107 % 10);
    CU_ASSERT_EQUAL(tool_partition_for_key("abc", 3, 1), 0);
    for (int n = 1; n < 50; n++) {
        int32_t p = tool_partition_for_key("foobar", 6, n);

        CU_ASSERT(p >= 0 && p < n);
    }
}

static const tool_opt_t test_opts[] = {
    {"topic", "NAME", "the topic"},
    {"config", "K=V", "repeatable"},
    {"list", NULL, "a flag"},
    {"help", NULL, "help"},
};

static void
test_tools_options_take_space_or_equals_values_and_keep_repeats(void)
{
    char *argv[] = {"topics", "--topic",     "t1",  "--config=a=b",
                    "--list", "--config",    "c=d", "--topic=t2",
                    "--",     "--not-an-opt"};
    char err[128];
    tool_args_t a;
    char *const *cfg;
    int n;

    CU_ASSERT_EQUAL(
        tool_args_parse(&a, test_opts, 4, 10, argv, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(tool_opt_get(&a, "topic"), "t2");
    CU_ASSERT(tool_opt_has(&a, "list"));
    CU_ASSERT(!tool_opt_has(&a, "help"));
    CU_ASSERT_PTR_NULL(tool_opt_get(&a, "help"));
    cfg = tool_opt_all(&a, "config", &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_STRING_EQUAL(cfg[0], "a=b");
    CU_ASSERT_STRING_EQUAL(cfg[1], "c=d");
    CU_ASSERT_EQUAL_FATAL(a.noperands, 1);
    CU_ASSERT_STRING_EQUAL(a.operands[0], "--not-an-opt");
    tool_opt_all(&a, "topic", &n);
    CU_ASSERT_EQUAL(n, 2);
    tool_args_fini(&a);
}

static void
test_tools_options_refuse_unknown_missing_and_misplaced_values(void)
{
    char *unknown[] = {"x", "--bogus"};
    char *missing[] = {"x", "--topic"};
    char *flagval[] = {"x", "--list=yes"};
    char *shortopt[] = {"x", "-t"};
    char err[128];
    tool_args_t a;

    CU_ASSERT_EQUAL(
        tool_args_parse(&a, test_opts, 4, 2, unknown, err, sizeof(err)),
        TOOL_EXIT_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "--bogus"));
    tool_args_fini(&a);
    CU_ASSERT_EQUAL(
        tool_args_parse(&a, test_opts, 4, 2, missing, err, sizeof(err)),
        TOOL_EXIT_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "needs a value"));
    tool_args_fini(&a);
    CU_ASSERT_EQUAL(
        tool_args_parse(&a, test_opts, 4, 2, flagval, err, sizeof(err)),
        TOOL_EXIT_USAGE);
    tool_args_fini(&a);
    CU_ASSERT_EQUAL(
        tool_args_parse(&a, test_opts, 4, 2, shortopt, err, sizeof(err)),
        TOOL_EXIT_USAGE);
    tool_args_fini(&a);
}

static void
test_tools_parse_int_checks_range_and_trailing_text(void)
{
    char err[128];
    int64_t v = 0;

    CU_ASSERT_EQUAL(tool_parse_int("n", "42", 1, 100, &v, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(v, 42);
    CU_ASSERT_EQUAL(tool_parse_int("n", "0", 1, 100, &v, err, sizeof(err)),
                    TOOL_EXIT_USAGE);
    CU_ASSERT_EQUAL(tool_parse_int("n", "12x", 1, 100, &v, err, sizeof(err)),
                    TOOL_EXIT_USAGE);
    CU_ASSERT_EQUAL(tool_parse_int("n", "", 1, 100, &v, err, sizeof(err)),
                    TOOL_EXIT_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "--n"));
}

static void
test_tools_line_is_the_value_by_default(void)
{
    tool_line_fmt_t fmt;
    tool_line_t l;
    char err[128];
    const char *s = "a\tb:c";

    tool_line_fmt_init(&fmt);
    CU_ASSERT_EQUAL(tool_line_parse(&fmt, s, strlen(s), &l, err, sizeof(err)),
                    0);
    CU_ASSERT_PTR_NULL(l.key);
    CU_ASSERT_EQUAL(l.value_len, strlen(s));
    CU_ASSERT_EQUAL(l.nheaders, 0);
}

static void
test_tools_line_splits_headers_key_and_value_like_kafka(void)
{
    tool_line_fmt_t fmt;
    tool_line_t l;
    char err[128];
    const char *s = "h1:v1,h2,h3:\tk\tv\tw";

    tool_line_fmt_init(&fmt);
    CU_ASSERT_EQUAL(tool_line_fmt_set(&fmt, "parse.key", "true"), 0);
    CU_ASSERT_EQUAL(tool_line_fmt_set(&fmt, "parse.headers", "true"), 0);
    CU_ASSERT_EQUAL(tool_line_parse(&fmt, s, strlen(s), &l, err, sizeof(err)),
                    0);
    CU_ASSERT_EQUAL_FATAL(l.nheaders, 3);
    CU_ASSERT_EQUAL(l.headers[0].key_len, 2);
    CU_ASSERT_NSTRING_EQUAL(l.headers[0].key, "h1", 2);
    CU_ASSERT_NSTRING_EQUAL(l.headers[0].value, "v1", 2);
    /* no key separator in a header: null value */
    CU_ASSERT_NSTRING_EQUAL(l.headers[1].key, "h2", 2);
    CU_ASSERT_PTR_NULL(l.headers[1].value);
    /* an empty value is not null */
    CU_ASSERT_PTR_NOT_NULL(l.headers[2].value);
    CU_ASSERT_EQUAL(l.headers[2].value_len, 0);
    CU_ASSERT_EQUAL(l.key_len, 1);
    CU_ASSERT_NSTRING_EQUAL(l.key, "k", 1);
    /* the value keeps later separators */
    CU_ASSERT_EQUAL(l.value_len, 3);
    CU_ASSERT_NSTRING_EQUAL(l.value, "v\tw", 3);
}

static void
test_tools_line_custom_separators_and_null_marker(void)
{
    tool_line_fmt_t fmt;
    tool_line_t l;
    char err[128];
    const char *s = "a=1;b=NULL|NULL::value";

    tool_line_fmt_init(&fmt);
    tool_line_fmt_set(&fmt, "parse.key", "true");
    tool_line_fmt_set(&fmt, "key.separator", "::");
    tool_line_fmt_set(&fmt, "parse.headers", "true");
    tool_line_fmt_set(&fmt, "headers.delimiter", "|");
    tool_line_fmt_set(&fmt, "headers.separator", ";");
    tool_line_fmt_set(&fmt, "headers.key.separator", "=");
    tool_line_fmt_set(&fmt, "null.marker", "NULL");
    CU_ASSERT_EQUAL(tool_line_parse(&fmt, s, strlen(s), &l, err, sizeof(err)),
                    0);
    CU_ASSERT_EQUAL_FATAL(l.nheaders, 2);
    CU_ASSERT_NSTRING_EQUAL(l.headers[0].value, "1", 1);
    CU_ASSERT_PTR_NULL(l.headers[1].value);
    CU_ASSERT_PTR_NULL(l.key);
    CU_ASSERT_EQUAL(l.value_len, 5);
    CU_ASSERT_EQUAL(tool_line_fmt_set(&fmt, "no.such", "x"), ERR_NOTFOUND);
    CU_ASSERT_EQUAL(tool_line_fmt_set(&fmt, "parse.key", "maybe"), ERR_INVAL);
}

static void
test_tools_line_without_key_separator_is_refused_unless_ignored(void)
{
    tool_line_fmt_t fmt;
    tool_line_t l;
    char err[128];

    tool_line_fmt_init(&fmt);
    tool_line_fmt_set(&fmt, "parse.key", "true");
    CU_ASSERT_EQUAL(tool_line_parse(&fmt, "novalue", 7, &l, err, sizeof(err)),
                    ERR_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "key separator"));
    tool_line_fmt_set(&fmt, "ignore.error", "true");
    CU_ASSERT_EQUAL(tool_line_parse(&fmt, "novalue", 7, &l, err, sizeof(err)),
                    0);
    CU_ASSERT_PTR_NULL(l.key);
    CU_ASSERT_EQUAL(l.value_len, 7);
}

void
suite_tools(void)
{
    CU_pSuite s = unit_suite("tools");
    UNIT_TEST(s, test_tools_murmur2_matches_kafka_utils_vectors);
    UNIT_TEST(s, test_tools_partition_for_key_is_positive_hash_modulo_count);
    UNIT_TEST(s,
              test_tools_options_take_space_or_equals_values_and_keep_repeats);
    UNIT_TEST(s,
              test_tools_options_refuse_unknown_missing_and_misplaced_values);
    UNIT_TEST(s, test_tools_parse_int_checks_range_and_trailing_text);
    UNIT_TEST(s, test_tools_line_is_the_value_by_default);
    UNIT_TEST(s, test_tools_line_splits_headers_key_and_value_like_kafka);
    UNIT_TEST(s, test_tools_line_custom_separators_and_null_marker);
    UNIT_TEST(s,
              test_tools_line_without_key_separator_is_refused_unless_ignored);
}
