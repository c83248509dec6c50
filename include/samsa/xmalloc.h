/*
 * xmalloc: allocation that aborts on failure.
 *
 * Every size that comes from the network or the disk is bounded by the caller
 * before it reaches these functions; running out of memory is not a condition
 * samsa tries to survive.
 */
#ifndef SAMSA_XMALLOC_H
#define SAMSA_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string; the caller frees it */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
