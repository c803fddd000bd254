/* SPDX-License-Identifier: BSD-3-Clause */
/* concoll_stack_*: argument checks and dispatch to the backend. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "platform/options.h"
#include "stack/backend.h"

#define STACK_MAX_SLOTS 1024u
#define STACK_KNOWN_FLAGS CONCOLL_STACK_NO_ELIMINATION
/* sizeof the structure in version 0.1, the first */
#define STACK_OPTIONS_SIZE_V1 sizeof(struct concoll_stack_options)

CONCOLL_API concoll_stack_t *concoll_stack_create(const struct concoll_stack_options *opts)
{
	struct concoll_stack_options o = { sizeof o, CONCOLL_STACK_DEFAULT, 0, 0 };

	if (cc_options_in(&o, sizeof o, opts, STACK_OPTIONS_SIZE_V1) != 0 ||
	    (o.flags & ~STACK_KNOWN_FLAGS) || o.elimination_slots > STACK_MAX_SLOTS) {
		errno = EINVAL;
		return NULL;
	}
	switch (o.kind) {
	case CONCOLL_STACK_DEFAULT:
	case CONCOLL_STACK_TREIBER:
		return cc_treiber_create(&o);
	default:
		errno = EINVAL;
		return NULL;
	}
}

CONCOLL_API void concoll_stack_destroy(concoll_stack_t *s, void (*release)(void *, void *), void *ctx)
{
	if (s)
		s->ops->destroy(s, release, ctx);
}

CONCOLL_API int concoll_stack_push(concoll_stack_t *s, void *item)
{
	if (CC_UNLIKELY(s == NULL || item == NULL))
		return -EINVAL;
	return s->ops->push(s, item, false);
}

CONCOLL_API int concoll_stack_pop(concoll_stack_t *s, void **item)
{
	if (CC_UNLIKELY(s == NULL || item == NULL))
		return -EINVAL;
	return s->ops->pop(s, item, false);
}

CONCOLL_API int concoll_stack_try_push(concoll_stack_t *s, void *item)
{
	if (CC_UNLIKELY(s == NULL || item == NULL))
		return -EINVAL;
	return s->ops->push(s, item, true);
}

CONCOLL_API int concoll_stack_try_pop(concoll_stack_t *s, void **item)
{
	if (CC_UNLIKELY(s == NULL || item == NULL))
		return -EINVAL;
	return s->ops->pop(s, item, true);
}

CONCOLL_API size_t concoll_stack_size(concoll_stack_t *s)
{
	return s ? s->ops->size(s) : 0;
}

CONCOLL_API int concoll_stack_kind(const concoll_stack_t *s)
{
	return s ? s->ops->kind : -EINVAL;
}

CONCOLL_API const char *concoll_stack_kind_name(const concoll_stack_t *s)
{
	return s ? s->name : NULL;
}
