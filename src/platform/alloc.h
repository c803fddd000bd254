/* SPDX-License-Identifier: BSD-3-Clause */
/* Every allocation of the library goes through here (internal). */
#ifndef CC_PLATFORM_ALLOC_H
#define CC_PLATFORM_ALLOC_H

#include <stddef.h>

#include "platform/compiler.h"

/* align: a power of two >= sizeof(void *).  NULL when out of memory. */
CC_INTERNAL void *cc_alloc(size_t size, size_t align);
/* Same, zero-filled. */
CC_INTERNAL void *cc_zalloc(size_t size, size_t align);
/* size and align as given to cc_alloc(); NULL ptr does nothing. */
CC_INTERNAL void cc_free(void *ptr, size_t size, size_t align);

#endif /* CC_PLATFORM_ALLOC_H */
