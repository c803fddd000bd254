/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness: one stack (with or without elimination), one thread,
 * operations from the input checked against an array model: LIFO order,
 * exact size, empty pops fail, try_* make one attempt (alone, it succeeds).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concoll/concoll.h>

#define MODEL_MAX 4096u

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_stack: %s\n", what);
		abort();
	}
}

struct released {
	const uintptr_t *item;
	size_t left, n;
};

static void on_release(void *item, void *ctx)
{
	struct released *r = ctx;

	check(r->n < r->left, "destroy released more items than the stack held");
	/* top first */
	check((uintptr_t)item == r->item[r->left - 1 - r->n], "destroy released out of LIFO order");
	r->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct concoll_stack_options o;
	uintptr_t *model, next = 1;
	size_t count = 0, i;
	struct released rel;
	concoll_stack_t *s;

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.kind = CONCOLL_STACK_TREIBER;
	o.flags = (data[0] & 1) ? CONCOLL_STACK_NO_ELIMINATION : 0;
	s = concoll_stack_create(&o);
	check(s != NULL, "create failed");
	model = calloc(MODEL_MAX, sizeof(*model));
	check(model != NULL, "out of memory");
	for (i = 1; i < size; i++) {
		unsigned op = data[i] % 5;
		void *out = (void *)0xdead;
		int rc;

		switch (op) {
		case 0:
		case 1:
			if (count == MODEL_MAX)
				break;
			rc = op ? concoll_stack_try_push(s, (void *)next) : concoll_stack_push(s, (void *)next);
			check(rc == 0, "push failed");
			model[count++] = next++;
			break;
		case 2:
		case 3:
			rc = op == 3 ? concoll_stack_try_pop(s, &out) : concoll_stack_pop(s, &out);
			if (count == 0) {
				check(rc == -EAGAIN, "pop of an empty stack did not fail");
				check(out == (void *)0xdead, "failed pop wrote its output");
			} else {
				check(rc == 0, "pop of a non-empty stack failed");
				check((uintptr_t)out == model[count - 1], "pop out of LIFO order");
				count--;
			}
			break;
		default:
			check(concoll_stack_size(s) == count, "size differs from the model");
			break;
		}
	}
	rel.item = model;
	rel.left = count;
	rel.n = 0;
	concoll_stack_destroy(s, on_release, &rel);
	check(rel.n == count, "destroy did not release every item left");
	free(model);
	return 0;
}
