/*
 * khdr: Kafka request and response headers.
 *
 * Spec: protocol guide "Headers" and KIP-482.
 *   Request header v0: request_api_key INT16, request_api_version INT16,
 *                      correlation_id INT32 (only ControlledShutdown v0)
 *   Request header v1: v0 + client_id NULLABLE_STRING
 *   Request header v2: v1 + TAG_BUFFER (flexible request versions)
 *   Response header v0: correlation_id INT32
 *   Response header v1: v0 + TAG_BUFFER (flexible response versions)
 * client_id stays a NULLABLE_STRING with an INT16 length in v2: it is not
 * a compact string, so that any broker can read the id of any request.
 *
 * Whether a header is flexible depends on (api_key, api_version), which
 * only the dispatch table knows, so decoding is two steps: khdr_peek()
 * reads the fixed 8 bytes, the caller looks up the version, then
 * khdr_decode() reads the whole header with the right layout.
 *
 * The ApiVersions exception (KIP-511): an ApiVersions *response* always
 * uses response header v0, even for flexible versions (v3+), because a
 * client that does not yet know the broker's versions must be able to
 * read it. khdr_response_flexible() applies that rule; callers pass its
 * result to khdr_encode_response().
 *
 * Pure functions; thread-safe.
 */
#ifndef SAMSA_KHDR_H
#define SAMSA_KHDR_H

#include <stdbool.h>
#include <stdint.h>

#include "samsa/kread.h"
#include "samsa/kwrite.h"

#define KHDR_API_VERSIONS 18 /* the API key with the header exception */
#define KHDR_API_CONTROLLED_SHUTDOWN 7

typedef struct khdr {
    int16_t request_api_key;
    int16_t request_api_version;
    int32_t correlation_id;
    kstr_t client_id; /* view into the frame; len -1 = null */
} khdr_t;

/*
 * Reads api key, api version and correlation id from the first 8 bytes of
 * a request frame (after the 4-byte size). client_id is set to null.
 * Returns 0, or ERR_PROTO when @len < 8.
 */
int khdr_peek(const void *frame, size_t len, khdr_t *hdr);

/*
 * Decodes a request header v1 (@flexible false) or v2 (@flexible true)
 * from the start of @kr, leaving @kr at the request body; ControlledShutdown
 * v0 gets header v0 (client_id null) as in Kafka. Tagged fields
 * are skipped (Kafka 2.8 defines none in the request header). Returns 0 or
 * ERR_PROTO (kr->err is set too).
 */
int khdr_decode(kread_t *kr, khdr_t *hdr, bool flexible);

/*
 * Whether the response header is v1 for a request whose body version is
 * @flexible: false for ApiVersions whatever the version, else @flexible.
 */
bool khdr_response_flexible(int16_t api_key, bool flexible);

/* response header v0, or v1 (adds an empty tag section) when @flexible */
void khdr_encode_response(kwrite_t *kw, int32_t correlation_id, bool flexible);

/* client side (tools, tests, replica fetchers) */

/* request header v1 (v2 when @flexible); @client_id NULL = null */
void khdr_encode_request(kwrite_t *kw, int16_t api_key, int16_t api_version,
                         int32_t correlation_id, const char *client_id,
                         bool flexible);
/* response header v0/v1; returns 0 or ERR_PROTO */
int khdr_decode_response(kread_t *kr, int32_t *correlation_id, bool flexible);

#endif
