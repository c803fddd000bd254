/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincheck.h"

static _Atomic uint64_t lin_clock;

uint64_t lin_now(void)
{
	return atomic_fetch_add(&lin_clock, 1);
}

/* ---- memo: a hash set of (linearized mask, state hash) --------------------- */

struct memo {
	uint64_t *keys; /* pairs; mask 0 with hash 0 marks an empty slot via used[] */
	unsigned char *used;
	size_t cap, n;
};

static uint64_t mix2(uint64_t a, uint64_t b)
{
	uint64_t x = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL + (a << 6) + (a >> 2));

	x ^= x >> 31;
	x *= 0xBF58476D1CE4E5B9ULL;
	x ^= x >> 29;
	return x;
}

static bool memo_insert(struct memo *m, uint64_t mask, uint64_t h);

static void memo_grow(struct memo *m)
{
	struct memo bigger = { NULL, NULL, m->cap ? m->cap * 2 : 1024, 0 };
	size_t i;

	bigger.keys = calloc(bigger.cap * 2, sizeof(uint64_t));
	bigger.used = calloc(bigger.cap, 1);
	if (!bigger.keys || !bigger.used)
		abort();
	for (i = 0; i < m->cap; i++) {
		if (m->used[i])
			memo_insert(&bigger, m->keys[2 * i], m->keys[2 * i + 1]);
	}
	free(m->keys);
	free(m->used);
	*m = bigger;
}

/* True when newly inserted, false when already present. */
static bool memo_insert(struct memo *m, uint64_t mask, uint64_t h)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap)
		memo_grow(m);
	for (i = mix2(mask, h) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->used[i]) {
			m->used[i] = 1;
			m->keys[2 * i] = mask;
			m->keys[2 * i + 1] = h;
			m->n++;
			return true;
		}
		if (m->keys[2 * i] == mask && m->keys[2 * i + 1] == h)
			return false;
	}
}

/* ---- search ------------------------------------------------------------------ */

struct search {
	const struct lin_op *ops;
	size_t n;
	const struct lin_model *model;
	struct memo memo;
	char *states; /* one state buffer per depth */
};

static bool dfs(struct search *s, uint64_t mask, size_t depth)
{
	uint64_t all = s->n == 64 ? ~(uint64_t)0 : (((uint64_t)1 << s->n) - 1);
	const void *state = s->states + depth * s->model->state_size;
	void *next = s->states + (depth + 1) * s->model->state_size;
	uint64_t min_resp = UINT64_MAX;
	size_t i;

	if (mask == all)
		return true;
	if (!memo_insert(&s->memo, mask, s->model->hash(state)))
		return false;
	for (i = 0; i < s->n; i++) {
		if (!(mask & ((uint64_t)1 << i)) && s->ops[i].resp < min_resp)
			min_resp = s->ops[i].resp;
	}
	/* Candidates: pending operations invoked before every pending response. */
	for (i = 0; i < s->n; i++) {
		if ((mask & ((uint64_t)1 << i)) || s->ops[i].call > min_resp)
			continue;
		memcpy(next, state, s->model->state_size);
		if (s->model->step(next, &s->ops[i]) && dfs(s, mask | ((uint64_t)1 << i), depth + 1))
			return true;
	}
	return false;
}

bool lin_check(struct lin_op *ops, size_t n, const struct lin_model *model, const void *params)
{
	struct search s;
	size_t i, j;
	bool ok;

	if (n > LIN_MAX_OPS)
		abort();
	for (i = 0; i < n; i++) {
		ops[i].concurrent = 0;
		for (j = 0; j < n; j++) {
			if (ops[j].thread != ops[i].thread && ops[j].call < ops[i].resp &&
			    ops[i].call < ops[j].resp)
				ops[i].concurrent++;
		}
	}
	memset(&s, 0, sizeof s);
	s.ops = ops;
	s.n = n;
	s.model = model;
	s.states = calloc(n + 2, model->state_size);
	if (!s.states)
		abort();
	model->init(s.states, params);
	ok = dfs(&s, 0, 0);
	free(s.states);
	free(s.memo.keys);
	free(s.memo.used);
	return ok;
}

void lin_print(const struct lin_op *ops, size_t n, const char *const *type_names)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(stderr, "  t%u [%llu,%llu] %s(%llu) -> rc=%d ret=%llu\n", ops[i].thread,
		        (unsigned long long)ops[i].call, (unsigned long long)ops[i].resp,
		        type_names[ops[i].type], (unsigned long long)ops[i].arg, ops[i].rc,
		        (unsigned long long)ops[i].ret);
}

/* ---- queue and stack models ------------------------------------------------------- */

struct seq_state {
	size_t cap; /* 0: unbounded */
	bool relaxed_full;
	size_t len;
	uint64_t items[LIN_MAX_OPS];
};

static void seq_init(void *st, const void *params)
{
	struct seq_state *s = st;

	memset(s, 0, sizeof *s);
	if (params) {
		const struct lin_seq_params *p = params;

		s->cap = p->capacity;
		s->relaxed_full = p->relaxed_full;
	}
}

static uint64_t seq_hash(const void *st)
{
	const struct seq_state *s = st;
	uint64_t h = s->len + 0x12345;
	size_t i;

	for (i = 0; i < s->len; i++)
		h = mix2(h, s->items[i]);
	return h;
}

static bool seq_push(struct seq_state *s, const struct lin_op *op)
{
	bool full = s->cap && s->len >= s->cap;

	if (op->rc == -EAGAIN)
		return full || (s->cap && s->relaxed_full && s->len + op->concurrent >= s->cap);
	if (op->rc != 0 || full)
		return false;
	s->items[s->len++] = op->arg;
	return true;
}

static bool queue_step(void *st, const struct lin_op *op)
{
	struct seq_state *s = st;

	if (op->type == LIN_PUSH)
		return seq_push(s, op);
	if (op->rc == -EAGAIN)
		return s->len == 0;
	if (op->rc != 0 || s->len == 0 || s->items[0] != op->ret)
		return false;
	memmove(s->items, s->items + 1, (s->len - 1) * sizeof s->items[0]);
	s->len--;
	return true;
}

static bool stack_step(void *st, const struct lin_op *op)
{
	struct seq_state *s = st;

	if (op->type == LIN_PUSH)
		return seq_push(s, op);
	if (op->rc == -EAGAIN)
		return s->len == 0;
	if (op->rc != 0 || s->len == 0 || s->items[s->len - 1] != op->ret)
		return false;
	s->len--;
	return true;
}

const struct lin_model lin_queue_model = { sizeof(struct seq_state), seq_init, queue_step, seq_hash };
const struct lin_model lin_stack_model = { sizeof(struct seq_state), seq_init, stack_step, seq_hash };

/* ---- ordered map and set models ------------------------------------------------------ */

const char *const lin_map_type_names[LIN_MAP_NTYPES] = {
	[LIN_MAP_PUT] = "put",
	[LIN_MAP_PUT_IF_ABSENT] = "put_if_absent/add",
	[LIN_MAP_REPLACE] = "replace",
	[LIN_MAP_REPLACE_IF_EQ] = "replace_if_equal",
	[LIN_MAP_REMOVE] = "remove/discard",
	[LIN_MAP_REMOVE_IF_EQ] = "remove_if_equal",
	[LIN_MAP_GET] = "get",
	[LIN_MAP_CONTAINS] = "contains",
	[LIN_MAP_POP_FIRST] = "pop_first",
	[LIN_MAP_POP_LAST] = "pop_last",
	[LIN_MAP_FIRST] = "first",
	[LIN_MAP_LAST] = "last",
	[LIN_MAP_FLOOR] = "floor",
	[LIN_MAP_CEILING] = "ceiling",
	[LIN_MAP_LOWER] = "lower",
	[LIN_MAP_HIGHER] = "higher",
	[LIN_MAP_IS_EMPTY] = "is_empty",
};

struct map_state {
	uint64_t present; /* bit k: key k is in */
	bool set;         /* values are not compared */
	uint32_t value[LIN_MAP_MAX_KEYS];
};

static void map_init_common(struct map_state *s, const void *params, bool set)
{
	memset(s, 0, sizeof *s);
	s->set = set;
	if (params) {
		const struct lin_map_params *p = params;
		unsigned k;

		s->present = p->present & (((uint64_t)1 << LIN_MAP_MAX_KEYS) - 1);
		for (k = 0; k < LIN_MAP_MAX_KEYS; k++) {
			if (!set && (s->present >> k & 1))
				s->value[k] = p->value[k] & 0xffffff;
		}
	}
}

static void map_init(void *st, const void *params)
{
	map_init_common(st, params, false);
}

static void set_init(void *st, const void *params)
{
	map_init_common(st, params, true);
}

static uint64_t map_hash(const void *st)
{
	const struct map_state *s = st;
	uint64_t h = mix2(s->present, 0x5EED);
	unsigned k;

	for (k = 0; k < LIN_MAP_MAX_KEYS; k++) {
		if (s->present >> k & 1)
			h = mix2(h, s->value[k]);
	}
	return h;
}

static int lowest_key(uint64_t mask)
{
	return mask ? __builtin_ctzll(mask) : -1;
}

static int highest_key(uint64_t mask)
{
	return mask ? 63 - __builtin_clzll(mask) : -1;
}

/* The value word v matches what key k holds (always, for the set model). */
static bool map_value_is(const struct map_state *s, unsigned k, uint64_t v)
{
	return s->set || (uint64_t)s->value[k] == v;
}

/* A navigation or pop that should find key k (-1: none) returned op. */
static bool map_entry_is(const struct map_state *s, int k, const struct lin_op *op)
{
	if (k < 0)
		return op->rc == -ENOENT;
	if (op->rc != 0 || LIN_KEY_OF(op->ret) != (unsigned)k)
		return false;
	if (LIN_VALUE_OF(op->ret) == LIN_VALUE_ANY && op->type != LIN_MAP_POP_FIRST &&
	    op->type != LIN_MAP_POP_LAST)
		return true;
	return map_value_is(s, (unsigned)k, LIN_VALUE_OF(op->ret));
}

static bool map_step(void *st, const struct lin_op *op)
{
	struct map_state *s = st;
	unsigned k = LIN_KEY_OF(op->arg);
	uint32_t v = s->set ? 0 : LIN_VALUE_OF(op->arg);
	uint64_t bit = (uint64_t)1 << (k < 64 ? k : 0);
	uint64_t le, lt; /* keys <= k, keys < k */
	bool has;
	int e;

	if (k >= LIN_MAP_MAX_KEYS)
		return false;
	has = (s->present & bit) != 0;
	lt = s->present & (bit - 1);
	le = s->present & ((bit << 1) - 1);
	switch (op->type) {
	case LIN_MAP_PUT:
		if (op->rc == 0 && !has) {
			s->present |= bit;
			s->value[k] = v;
			return true;
		}
		if (op->rc == 1 && has && map_value_is(s, k, op->ret)) {
			s->value[k] = v;
			return true;
		}
		return false;
	case LIN_MAP_PUT_IF_ABSENT:
		if (op->rc == 0 && !has) {
			s->present |= bit;
			s->value[k] = v;
			return true;
		}
		return op->rc == -EEXIST && has && map_value_is(s, k, op->ret);
	case LIN_MAP_REPLACE:
		if (op->rc == -ENOENT)
			return !has;
		if (op->rc != 0 || !has || !map_value_is(s, k, op->ret))
			return false;
		s->value[k] = v;
		return true;
	case LIN_MAP_REPLACE_IF_EQ:
	case LIN_MAP_REMOVE_IF_EQ:
		if (op->rc == -ENOENT)
			return !has;
		if (!has)
			return false;
		if (op->rc == -EAGAIN)
			return !s->set && s->value[k] != LIN_EXPECTED_OF(op->arg);
		if (op->rc != 0 || !map_value_is(s, k, LIN_EXPECTED_OF(op->arg)))
			return false;
		if (op->type == LIN_MAP_REPLACE_IF_EQ)
			s->value[k] = v;
		else
			s->present &= ~bit;
		return true;
	case LIN_MAP_REMOVE:
		if (op->rc == -ENOENT)
			return !has;
		if (op->rc != 0 || !has || !map_value_is(s, k, op->ret))
			return false;
		s->present &= ~bit;
		return true;
	case LIN_MAP_GET:
		if (op->rc == -ENOENT)
			return !has;
		return op->rc == 0 && has && map_value_is(s, k, op->ret);
	case LIN_MAP_CONTAINS:
		return op->rc == (has ? 1 : 0);
	case LIN_MAP_IS_EMPTY:
		return op->rc == (s->present ? 0 : 1);
	case LIN_MAP_POP_FIRST:
	case LIN_MAP_POP_LAST:
		e = op->type == LIN_MAP_POP_FIRST ? lowest_key(s->present)
		                                  : highest_key(s->present);
		if (!map_entry_is(s, e, op))
			return false;
		if (e >= 0)
			s->present &= ~((uint64_t)1 << e);
		return true;
	case LIN_MAP_FIRST:
		return map_entry_is(s, lowest_key(s->present), op);
	case LIN_MAP_LAST:
		return map_entry_is(s, highest_key(s->present), op);
	case LIN_MAP_FLOOR:
		return map_entry_is(s, highest_key(le), op);
	case LIN_MAP_CEILING:
		return map_entry_is(s, lowest_key(s->present & ~lt), op);
	case LIN_MAP_LOWER:
		return map_entry_is(s, highest_key(lt), op);
	case LIN_MAP_HIGHER:
		return map_entry_is(s, lowest_key(s->present & ~le), op);
	default:
		return false;
	}
}

const struct lin_model lin_map_model = { sizeof(struct map_state), map_init, map_step, map_hash };
const struct lin_model lin_set_model = { sizeof(struct map_state), set_init, map_step, map_hash };
