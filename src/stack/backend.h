/* SPDX-License-Identifier: BSD-3-Clause */
/* The stack front and its backends (internal). */
#ifndef CC_STACK_BACKEND_H
#define CC_STACK_BACKEND_H

#include <stdbool.h>

#include "concoll/stack.h"
#include "platform/compiler.h"

struct cc_stack_ops {
	int kind;
	/* once: a single attempt, -EBUSY when it lost a race */
	int (*push)(concoll_stack_t *s, void *item, bool once);
	int (*pop)(concoll_stack_t *s, void **item, bool once);
	size_t (*size)(concoll_stack_t *s);
	void (*destroy)(concoll_stack_t *s, void (*release)(void *, void *), void *ctx);
};

/* Every backend's handle starts with this. */
struct concoll_stack {
	const struct cc_stack_ops *ops;
	const char *name;
};

/* Options are validated by the front. */
CC_INTERNAL concoll_stack_t *cc_treiber_create(const struct concoll_stack_options *opts);

#endif /* CC_STACK_BACKEND_H */
