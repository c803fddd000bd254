/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A linearizability checker for small recorded histories (Wing and Gong's
 * search with Lowe's memoization of (linearized set, model state)).
 *
 * Threads record each operation's invocation and response with lin_now(),
 * a global counter, so that "a responded before b was invoked" is exact.
 * lin_check() searches for a total order that respects real time and in
 * which every operation returns what the sequential model says.  Up to 64
 * operations per history.  Reusable by every family: a model is a state
 * and a step function.
 */
#ifndef CONCOLL_LINCHECK_H
#define CONCOLL_LINCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LIN_MAX_OPS 64

struct lin_op {
	uint32_t thread;
	uint32_t type;  /* model-defined */
	int rc;         /* what the call returned */
	uint64_t arg;   /* input */
	uint64_t ret;   /* output, when rc == 0 */
	uint64_t call;  /* lin_now() just before the call */
	uint64_t resp;  /* lin_now() just after it returned */
	uint32_t concurrent; /* filled by lin_check: operations of other threads
	                      * whose interval overlaps this one */
};

struct lin_model {
	size_t state_size;
	void (*init)(void *state, const void *params);
	/* Apply op to state; false when op's recorded outcome is impossible. */
	bool (*step)(void *state, const struct lin_op *op);
	uint64_t (*hash)(const void *state);
};

uint64_t lin_now(void);

/* True when ops[0..n) is linearizable with respect to model. */
bool lin_check(struct lin_op *ops, size_t n, const struct lin_model *model, const void *params);

/* Print a history (for failure reports) to stderr. */
void lin_print(const struct lin_op *ops, size_t n, const char *const *type_names);

/* Ready-made models of a FIFO queue and a LIFO stack of values.  params is
 * NULL (unbounded) or a const struct lin_seq_params *.  relaxed_full: a push
 * may also report "full" (-EAGAIN) when the items inside plus the
 * operations of other threads in progress during it reach the capacity --
 * the documented behaviour of bounded queues whose slots are reserved
 * before the item becomes visible (SCQ).  Types: */
enum { LIN_PUSH = 0, LIN_POP = 1 };
struct lin_seq_params {
	size_t capacity; /* 0: unbounded */
	bool relaxed_full;
};
extern const struct lin_model lin_queue_model;
extern const struct lin_model lin_stack_model;

#endif
