/*
 * err.c: names for internal error codes (see err.h).
 */
#include "samsa/err.h"

const char *
err_str(int err)
{
    switch (err) {
    case ERR_OK: return "success";
    case ERR_AGAIN: return "try again";
    case ERR_IO: return "I/O error";
    case ERR_CORRUPT: return "corrupt data";
    case ERR_NOSPC: return "no space left on device";
    case ERR_PROTO: return "protocol error";
    case ERR_CONFIG: return "configuration error";
    case ERR_ZK: return "ZooKeeper error";
    case ERR_STATE: return "invalid state";
    case ERR_NOTFOUND: return "not found";
    case ERR_EXISTS: return "already exists";
    case ERR_TOOBIG: return "too large";
    case ERR_INVAL: return "invalid argument";
    case ERR_RANGE: return "out of range";
    }
    return "unknown error";
}
