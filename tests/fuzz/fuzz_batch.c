/*
 * fuzz_batch.c: fuzz target for record batch decoding (src/proto/batch.c
 * and the codecs under it).
 *
 * Each input goes through batch_validate() under both rule sets and
 * through the iterator with header access, as received and again with its
 * CRC recomputed: without the second pass nearly every mutation would stop
 * at the CRC check and the record parsers would go unexercised.
 * Seeds: valid batches of every codec built by batch_build().
 */
#include <string.h>

#include "fuzz.h"
#include "samsa/batch.h"
#include "samsa/codec.h"
#include "samsa/crc32c.h"
#include "samsa/kerr.h"

static buf_t fuzz_scratch = BUF_INIT;
static buf_t fuzz_copy = BUF_INIT;

static void
fuzz_walk(const uint8_t *data, size_t size)
{
    batch_iter_t it;
    batch_record_t rec;
    batch_header_kv_t kv;
    volatile size_t sink = 0;

    (void)batch_validate(data, size, &fuzz_scratch);
    (void)batch_validate_flags(data, size, &fuzz_scratch,
                               BATCH_VALIDATE_REPLICA);
    if (batch_iter_init(&it, data, size) == 0) {
        while (batch_iter_next(&it, &rec) == 1) {
            /* touch every byte the views claim, so overruns show */
            for (int32_t i = 0; i < rec.key_len; i++)
                sink += rec.key[i];
            for (int32_t i = 0; i < rec.value_len; i++)
                sink += rec.value[i];
            for (int32_t h = 0; h < rec.nheaders; h++) {
                if (batch_record_header(&rec, h, &kv) != 0)
                    break;
                for (int32_t i = 0; i < kv.key_len; i++)
                    sink += kv.key[i];
                for (int32_t i = 0; i < kv.value_len; i++)
                    sink += kv.value[i];
            }
        }
    }
    batch_iter_fini(&it);
    (void)sink;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_walk(data, size);
    if (size >= BATCH_HEADER_SIZE) {
        uint8_t *p;
        uint32_t crc;

        buf_reset(&fuzz_copy);
        buf_append(&fuzz_copy, data, size);
        p = fuzz_copy.data;
        crc = crc32c(0, p + BATCH_CRC_START, size - BATCH_CRC_START);
        p[BATCH_CRC_OFFSET] = (uint8_t)(crc >> 24);
        p[BATCH_CRC_OFFSET + 1] = (uint8_t)(crc >> 16);
        p[BATCH_CRC_OFFSET + 2] = (uint8_t)(crc >> 8);
        p[BATCH_CRC_OFFSET + 3] = (uint8_t)crc;
        fuzz_walk(p, size);
    }
    return 0;
}

int
fuzz_seed(buf_t *out, int i)
{
    static const batch_header_kv_t hdrs[] = {
        {(const uint8_t *)"h", 1, (const uint8_t *)"value", 5},
        {(const uint8_t *)"", 0, NULL, -1},
    };
    batch_build_record_t recs[4];
    int codec = i % 5;
    int shape = i / 5;

    if (shape > 1)
        return 0;
    memset(recs, 0, sizeof(recs));
    recs[0].key = "key";
    recs[0].key_len = 3;
    recs[0].value = "a value that compresses, a value that compresses";
    recs[0].value_len = 48;
    recs[0].timestamp = 1600000000000LL;
    recs[0].nheaders = 2;
    recs[0].headers = hdrs;
    recs[1].value = "v";
    recs[1].value_len = 1;
    recs[1].timestamp = 1600000000001LL;
    recs[2].key = "";
    recs[2].key_len = 0;
    recs[2].timestamp = 1599999999999LL;
    recs[3] = recs[0];
    return batch_build(out, (batch_codec_t)codec, shape ? 1000 : 0, recs,
                       shape ? 4 : 1) == 0;
}
