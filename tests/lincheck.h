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

/*
 * Models of an ordered map and an ordered set over the keys
 * 0..LIN_MAP_MAX_KEYS-1 (the test maps them to real keys in the same
 * order).  Values are 24-bit words.  Packing of lin_op.arg and lin_op.ret:
 *   LIN_KV(key, value)           key in bits 0-7, value in bits 8-31
 *   LIN_KVE(key, value, expect)  and the expected value in bits 32-55
 * Types and outcomes (rc as the map returns it):
 *   LIN_MAP_PUT            arg KV; rc 0 inserted, 1 replaced (ret: old value)
 *   LIN_MAP_PUT_IF_ABSENT  arg KV; rc 0, -EEXIST (ret: present value)   = set add
 *   LIN_MAP_REPLACE        arg KV; rc 0 (ret: old value), -ENOENT
 *   LIN_MAP_REPLACE_IF_EQ  arg KVE; rc 0, -ENOENT, -EAGAIN
 *   LIN_MAP_REMOVE         arg key; rc 0 (ret: value), -ENOENT          = set discard
 *   LIN_MAP_REMOVE_IF_EQ   arg KVE (value unused); rc 0, -ENOENT, -EAGAIN
 *   LIN_MAP_GET            arg key; rc 0 (ret: value), -ENOENT
 *   LIN_MAP_CONTAINS       arg key; rc 1 or 0
 *   LIN_MAP_POP_FIRST, LIN_MAP_POP_LAST, LIN_MAP_FIRST, LIN_MAP_LAST:
 *                          rc 0 (ret: KV of the entry), -ENOENT
 *   LIN_MAP_FLOOR, LIN_MAP_CEILING, LIN_MAP_LOWER, LIN_MAP_HIGHER:
 *                          arg key; rc 0 (ret: KV of the entry), -ENOENT
 *   LIN_MAP_IS_EMPTY       rc 1 or 0
 * The set model is the same with every value 0 and values never checked.
 * params: NULL (empty at the start) or a const struct lin_map_params *.
 */
#define LIN_MAP_MAX_KEYS 32
#define LIN_KV(k, v) ((uint64_t)(k) | ((uint64_t)(v) << 8))
#define LIN_KVE(k, v, e) (LIN_KV(k, v) | ((uint64_t)(e) << 32))
#define LIN_KEY_OF(x) ((unsigned)((x) & 0xff))
#define LIN_VALUE_OF(x) ((uint32_t)(((x) >> 8) & 0xffffff))
#define LIN_EXPECTED_OF(x) ((uint32_t)(((x) >> 32) & 0xffffff))
/* In the ret of a navigation (first, last, floor, ceiling, lower, higher):
 * the value is not checked by the model (kinds that guarantee only the
 * key; the test checks the value by other means). */
#define LIN_VALUE_ANY 0xffffffu
enum {
	LIN_MAP_PUT = 0,
	LIN_MAP_PUT_IF_ABSENT,
	LIN_MAP_REPLACE,
	LIN_MAP_REPLACE_IF_EQ,
	LIN_MAP_REMOVE,
	LIN_MAP_REMOVE_IF_EQ,
	LIN_MAP_GET,
	LIN_MAP_CONTAINS,
	LIN_MAP_POP_FIRST,
	LIN_MAP_POP_LAST,
	LIN_MAP_FIRST,
	LIN_MAP_LAST,
	LIN_MAP_FLOOR,
	LIN_MAP_CEILING,
	LIN_MAP_LOWER,
	LIN_MAP_HIGHER,
	LIN_MAP_IS_EMPTY,
	LIN_MAP_NTYPES
};
#define LIN_SET_ADD LIN_MAP_PUT_IF_ABSENT
#define LIN_SET_DISCARD LIN_MAP_REMOVE
/* Names for lin_print(), indexed by type. */
extern const char *const lin_map_type_names[LIN_MAP_NTYPES];
struct lin_map_params {
	uint64_t present;                  /* initial keys (bit k: key k) */
	uint32_t value[LIN_MAP_MAX_KEYS];  /* their values (map model) */
};
extern const struct lin_model lin_map_model;
extern const struct lin_model lin_set_model;

#endif
