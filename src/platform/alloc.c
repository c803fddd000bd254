/* SPDX-License-Identifier: BSD-3-Clause */
/* The allocator hook. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "concoll/common.h"
#include "platform/alloc.h"
#include "platform/options.h"

#define ALLOCATOR_SIZE_V1 sizeof(struct concoll_allocator)

static void *default_alloc(size_t size, size_t align, void *ctx)
{
	void *p = NULL;

	(void)ctx;
	if (align <= _Alignof(max_align_t))
		return malloc(size ? size : 1); /* malloc aligns to max_align_t */
	if (posix_memalign(&p, align, size ? size : 1) != 0)
		return NULL;
	return p;
}

static void default_free(void *ptr, size_t size, size_t align, void *ctx)
{
	(void)size;
	(void)align;
	(void)ctx;
	free(ptr);
}

/* Replaced only when nothing else runs in the library (documented). */
static struct concoll_allocator current = {
	sizeof(struct concoll_allocator), default_alloc, default_free, NULL,
};

void *cc_alloc(size_t size, size_t align)
{
	void *p = current.alloc(size, align, current.ctx);

	CC_ASSERT(p == NULL || ((uintptr_t)p & (align - 1)) == 0);
	return p;
}

void *cc_zalloc(size_t size, size_t align)
{
	void *p = cc_alloc(size, align);

	if (p)
		memset(p, 0, size);
	return p;
}

void cc_free(void *ptr, size_t size, size_t align)
{
	if (ptr)
		current.free(ptr, size, align, current.ctx);
}

CONCOLL_API int concoll_set_allocator(const struct concoll_allocator *a)
{
	if (a == NULL) {
		current.alloc = default_alloc;
		current.free = default_free;
		current.ctx = NULL;
		return 0;
	}
	{
		struct concoll_allocator v = { sizeof v, NULL, NULL, NULL };

		if (cc_options_in(&v, sizeof v, a, ALLOCATOR_SIZE_V1) != 0 || !v.alloc || !v.free)
			return -EINVAL;
		current.alloc = v.alloc;
		current.free = v.free;
		current.ctx = v.ctx;
	}
	return 0;
}

CONCOLL_API int concoll_get_allocator(struct concoll_allocator *a)
{
	return cc_options_out(a, &current, sizeof current, ALLOCATOR_SIZE_V1);
}
