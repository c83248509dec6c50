/*
 * khdr.c: request/response header codecs (khdr.h).
 *
 * Owns the header layouts only; the per-API flexible-version table lives
 * in dispatch. Spec: protocol guide "Headers", KIP-482, KIP-511.
 */
#include "samsa/err.h"
#include "samsa/khdr.h"

int
khdr_peek(const void *frame, size_t len, khdr_t *hdr)
{
    kread_t kr;

    kread_init(&kr, frame, len);
    hdr->request_api_key = kread_i16(&kr);
    hdr->request_api_version = kread_i16(&kr);
    hdr->correlation_id = kread_i32(&kr);
    hdr->client_id.ptr = NULL;
    hdr->client_id.len = -1;
    return kr.err ? ERR_PROTO : 0;
}

int
khdr_decode(kread_t *kr, khdr_t *hdr, bool flexible)
{
    hdr->request_api_key = kread_i16(kr);
    hdr->request_api_version = kread_i16(kr);
    hdr->correlation_id = kread_i32(kr);
    hdr->client_id.ptr = NULL;
    hdr->client_id.len = -1;
    /* header v0: only ControlledShutdown v0 (Kafka 0.8's layout) */
    if (hdr->request_api_key == KHDR_API_CONTROLLED_SHUTDOWN &&
        hdr->request_api_version == 0)
        return kr->err ? ERR_PROTO : 0;
    /* INT16-length NULLABLE_STRING in v1 and v2 alike */
    hdr->client_id = kread_str(kr, false);
    if (flexible)
        kread_tags(kr);
    return kr->err ? ERR_PROTO : 0;
}

bool
khdr_response_flexible(int16_t api_key, bool flexible)
{
    if (api_key == KHDR_API_VERSIONS)
        return false;
    return flexible;
}

void
khdr_encode_response(kwrite_t *kw, int32_t correlation_id, bool flexible)
{
    kwrite_i32(kw, correlation_id);
    if (flexible)
        kwrite_tags_empty(kw);
}

void
khdr_encode_request(kwrite_t *kw, int16_t api_key, int16_t api_version,
                    int32_t correlation_id, const char *client_id,
                    bool flexible)
{
    kwrite_i16(kw, api_key);
    kwrite_i16(kw, api_version);
    kwrite_i32(kw, correlation_id);
    kwrite_cstr(kw, client_id, false);
    if (flexible)
        kwrite_tags_empty(kw);
}

int
khdr_decode_response(kread_t *kr, int32_t *correlation_id, bool flexible)
{
    *correlation_id = kread_i32(kr);
    if (flexible)
        kread_tags(kr);
    return kr->err ? ERR_PROTO : 0;
}
