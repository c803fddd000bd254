/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness: one queue, driven by one thread with the operations
 * that the input encodes, checked against a ring-buffer model after every
 * operation.  Sequentially every kind is exact: a bounded queue is full
 * exactly at its capacity, pop returns the oldest item, size is exact.
 *
 * Input: byte 0 picks the kind, byte 1 the capacity (bounded) or the ring
 * size (unbounded); each following byte is an operation (low 2 bits: push,
 * pop, size check, or a burst of 1..64 pushes or pops from the high bits).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concoll/concoll.h>

#define MODEL_MAX 4096u

struct model {
	uintptr_t item[MODEL_MAX];
	size_t head, count;
};

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_queue: %s\n", what);
		abort();
	}
}

struct released {
	struct model *m;
	size_t n;
};

static void on_release(void *item, void *ctx)
{
	struct released *r = ctx;

	check(r->n < r->m->count, "destroy released more items than the queue held");
	check((uintptr_t)item == r->m->item[(r->m->head + r->n) % MODEL_MAX],
	      "destroy released items out of FIFO order");
	r->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int kinds[] = { CONCOLL_QUEUE_SCQ,  CONCOLL_QUEUE_LSCQ, CONCOLL_QUEUE_LCRQ,
		                     CONCOLL_QUEUE_WCQ,  CONCOLL_QUEUE_FAST, CONCOLL_QUEUE_DEFAULT };
	struct concoll_queue_options o;
	struct model *m;
	struct released rel;
	concoll_queue_t *q;
	uintptr_t next = 1;
	size_t cap, i;
	int bounded;

	if (size < 2)
		return 0;
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.kind = kinds[data[0] % (sizeof(kinds) / sizeof(kinds[0]))];
	bounded = o.kind == CONCOLL_QUEUE_SCQ || o.kind == CONCOLL_QUEUE_WCQ;
	o.capacity = (size_t)1 + data[1] % 64;
	q = concoll_queue_create(&o);
	check(q != NULL, "create failed");
	cap = concoll_queue_capacity(q);
	check(bounded ? cap >= o.capacity && cap <= 2 * o.capacity + 1 : cap == SIZE_MAX,
	      "capacity");
	m = calloc(1, sizeof(*m));
	check(m != NULL, "out of memory");
	for (i = 2; i < size; i++) {
		unsigned op = data[i] & 3, reps = op >= 2 ? 1u + (data[i] >> 2) : 1u, r;

		for (r = 0; r < reps; r++) {
			int push = op == 0 || (op == 2);
			int rc;

			if (op == 1 || op == 3)
				push = 0;
			if (op == 0 && (data[i] >> 2) == 63) {
				check(concoll_queue_size(q) == m->count, "size differs from the model");
				continue;
			}
			if (push) {
				int full = bounded ? m->count == cap : m->count == MODEL_MAX;

				if (!bounded && full)
					break; /* the model is full; the queue never is */
				rc = concoll_queue_push(q, (void *)next);
				if (full) {
					check(rc == -EAGAIN, "push into a full bounded queue did not fail");
				} else {
					check(rc == 0, "push failed below capacity");
					m->item[(m->head + m->count) % MODEL_MAX] = next;
					m->count++;
					next++;
				}
			} else {
				void *out = (void *)0xdead;

				rc = concoll_queue_pop(q, &out);
				if (m->count == 0) {
					check(rc == -EAGAIN, "pop from an empty queue did not fail");
					check(out == (void *)0xdead, "failed pop wrote its output");
				} else {
					check(rc == 0, "pop of a non-empty queue failed");
					check((uintptr_t)out == m->item[m->head], "pop out of FIFO order");
					m->head = (m->head + 1) % MODEL_MAX;
					m->count--;
				}
			}
		}
	}
	check(concoll_queue_size(q) == m->count, "final size differs from the model");
	rel.m = m;
	rel.n = 0;
	concoll_queue_destroy(q, on_release, &rel);
	check(rel.n == m->count, "destroy did not release every item left");
	free(m);
	return 0;
}
