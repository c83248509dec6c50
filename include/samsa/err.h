/*
 * err: samsa's internal error codes.
 *
 * A function that can fail returns int: 0 (ERR_OK) or one of these negative
 * codes. Kafka wire errors are a separate type (kerr_t in proto/kerr.h) that
 * handlers place into responses; kerr_from_err() is the one mapping between
 * the two.
 */
#ifndef SAMSA_ERR_H
#define SAMSA_ERR_H

enum {
    ERR_OK = 0,
    ERR_AGAIN = -1,    /* would block / try later */
    ERR_IO = -2,       /* system call failed; errno-derived detail in errbuf */
    ERR_CORRUPT = -3,  /* bytes on disk or on the wire fail validation */
    ERR_NOSPC = -4,    /* disk full */
    ERR_PROTO = -5,    /* malformed protocol data */
    ERR_CONFIG = -6,   /* bad configuration value */
    ERR_ZK = -7,       /* ZooKeeper call failed */
    ERR_STATE = -8,    /* operation not valid in the current state */
    ERR_NOTFOUND = -9, /* no such topic, partition, file, key */
    ERR_EXISTS = -10,  /* already exists */
    ERR_TOOBIG = -11,  /* size above a configured limit */
    ERR_INVAL = -12,   /* invalid argument from a caller or client */
    ERR_RANGE = -13,   /* offset or index out of range */
};

/* static description of an ERR_* code */
const char *err_str(int err);

#endif
