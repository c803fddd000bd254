/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness: one ordered map (either backend, u64 keys), one
 * thread, operations from the input checked against a model (an array
 * indexed by key over a small key space, so that keys collide): every
 * lookup, navigation, update, pop, range scan and size; releases counted
 * (each removed or replaced value released exactly once, the rest at
 * destroy).
 *
 * Input: byte 0 picks the backend; then 2 bytes per operation: the
 * operation and a key in [1, KEYS].
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concoll/concoll.h>

#define KEYS 48u

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_map: %s\n", what);
		abort();
	}
}

struct state {
	uintptr_t value[KEYS + 1]; /* 0: absent */
	uint64_t released_sum;     /* of the values released */
	uint64_t released;
};

static void on_release(void *key, void *value, void *ctx)
{
	struct state *st = ctx;

	(void)key;
	st->released_sum += (uintptr_t)value;
	st->released++;
}

/* The model's answer for a navigation from key k (nav as in concoll_nav). */
static uintptr_t model_nav(const struct state *st, int nav, uintptr_t k)
{
	uintptr_t i;

	switch (nav) {
	case CONCOLL_NAV_EQ:
		return k <= KEYS && st->value[k] ? k : 0;
	case CONCOLL_NAV_FLOOR:
		for (i = k > KEYS ? KEYS : k; i >= 1; i--)
			if (st->value[i])
				return i;
		return 0;
	case CONCOLL_NAV_LOWER:
		for (i = (k > KEYS + 1 ? KEYS + 1 : k); i-- > 1;)
			if (st->value[i])
				return i;
		return 0;
	case CONCOLL_NAV_CEILING:
		for (i = k ? k : 1; i <= KEYS; i++)
			if (st->value[i])
				return i;
		return 0;
	case CONCOLL_NAV_HIGHER:
		for (i = k + 1; i <= KEYS; i++)
			if (st->value[i])
				return i;
		return 0;
	case CONCOLL_NAV_FIRST:
		return model_nav(st, CONCOLL_NAV_CEILING, 1);
	default:
		return model_nav(st, CONCOLL_NAV_FLOOR, KEYS);
	}
}

struct scan {
	const struct state *st;
	uintptr_t last, count, lo, hi;
	int bad;
};

static int visit(void *key, void *value, void *ctx)
{
	struct scan *sc = ctx;
	uintptr_t k = (uintptr_t)key;

	if (k <= sc->last || k < sc->lo || k > sc->hi || k > KEYS || sc->st->value[k] != (uintptr_t)value)
		sc->bad = 1;
	sc->last = k;
	sc->count++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct concoll_map_options o;
	struct state *st;
	concoll_map_t *m;
	uint64_t stamp = 1, live_sum = 0, live = 0, inserted_sum = 0;
	size_t i, count = 0;

	if (size < 1)
		return 0;
	st = calloc(1, sizeof(*st));
	check(st != NULL, "out of memory");
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.kind = (data[0] & 1) ? CONCOLL_MAP_SKIPLIST_LOCKED : CONCOLL_MAP_SKIPLIST;
	o.compare = CONCOLL_CMP_U64;
	o.release = on_release;
	o.ctx = st;
	m = concoll_map_create(&o);
	check(m != NULL, "create failed");
	for (i = 1; i + 1 < size; i += 2) {
		unsigned op = data[i] % 12;
		uintptr_t k = 1 + data[i + 1] % KEYS, v = (uintptr_t)(stamp++ << 8) | k, want;
		void *ko = NULL, *vo = NULL, *old = (void *)0xdead;
		int rc;

		switch (op) {
		case 0: /* put */
			rc = concoll_map_put(m, (void *)k, (void *)v, &old);
			check(rc == (st->value[k] ? 1 : 0), "put: inserted/replaced differs");
			if (st->value[k])
				check((uintptr_t)old == st->value[k], "put: wrong old value");
			else
				count++;
			inserted_sum += v;
			st->value[k] = v;
			break;
		case 1: /* put_if_absent */
			rc = concoll_map_put_if_absent(m, (void *)k, (void *)v, &old);
			if (st->value[k]) {
				check(rc == -EEXIST && (uintptr_t)old == st->value[k], "put_if_absent on present");
			} else {
				check(rc == 0, "put_if_absent on absent");
				st->value[k] = v;
				inserted_sum += v;
				count++;
			}
			break;
		case 2: /* replace */
			rc = concoll_map_replace(m, (void *)k, (void *)v, &old);
			if (st->value[k]) {
				check(rc == 0 && (uintptr_t)old == st->value[k], "replace on present");
				st->value[k] = v;
				inserted_sum += v;
			} else {
				check(rc == -ENOENT, "replace on absent");
			}
			break;
		case 3: /* remove */
			rc = concoll_map_remove(m, (void *)k, &old);
			if (st->value[k]) {
				check(rc == 0 && (uintptr_t)old == st->value[k], "remove on present");
				st->value[k] = 0;
				count--;
			} else {
				check(rc == -ENOENT, "remove on absent");
			}
			break;
		case 4: /* remove_if_equal, expecting the current value or another */
			want = (data[i + 1] & 0x80) ? st->value[k] : v;
			rc = concoll_map_remove_if_equal(m, (void *)k, (void *)want);
			if (!st->value[k]) {
				check(rc == -ENOENT, "remove_if_equal on absent");
			} else if (want == st->value[k]) {
				check(rc == 0, "remove_if_equal on equal");
				st->value[k] = 0;
				count--;
			} else {
				check(rc == -EAGAIN, "remove_if_equal on another value");
			}
			break;
		case 5: /* replace_if_equal */
			want = (data[i + 1] & 0x80) ? st->value[k] : v - 1;
			rc = concoll_map_replace_if_equal(m, (void *)k, (void *)want, (void *)v);
			if (!st->value[k]) {
				check(rc == -ENOENT, "replace_if_equal on absent");
			} else if (want == st->value[k]) {
				check(rc == 0, "replace_if_equal on equal");
				st->value[k] = v;
				inserted_sum += v;
			} else {
				check(rc == -EAGAIN, "replace_if_equal on another value");
			}
			break;
		case 6: /* get / contains */
			rc = concoll_map_get(m, (void *)k, &vo);
			check(st->value[k] ? rc == 0 && (uintptr_t)vo == st->value[k] : rc == -ENOENT, "get");
			check(concoll_map_contains(m, (void *)k) == (st->value[k] != 0), "contains");
			break;
		case 7: /* navigation */
		case 8: {
			int nav = (int)((data[i + 1] >> 5) % 7);

			rc = concoll_map_find(m, nav, (void *)k, &ko, &vo);
			want = model_nav(st, nav, k);
			if (want) {
				check(rc == 0 && (uintptr_t)ko == want && (uintptr_t)vo == st->value[want],
				      "navigation found another entry");
			} else {
				check(rc == -ENOENT, "navigation found an entry the model lacks");
			}
			break;
		}
		case 9: /* pop_first / pop_last */
			want = model_nav(st, (data[i + 1] & 1) ? CONCOLL_NAV_LAST : CONCOLL_NAV_FIRST, 0);
			rc = (data[i + 1] & 1) ? concoll_map_pop_last(m, &ko, &vo)
			                       : concoll_map_pop_first(m, &ko, &vo);
			if (want) {
				check(rc == 0 && (uintptr_t)ko == want && (uintptr_t)vo == st->value[want], "pop");
				st->value[want] = 0;
				count--;
			} else {
				check(rc == -ENOENT, "pop of an empty map");
			}
			break;
		case 10: { /* range [k, k + span] in either direction */
			struct scan sc;
			uintptr_t hi = k + (data[i + 1] >> 4), j, n = 0;

			memset(&sc, 0, sizeof(sc));
			sc.st = st;
			sc.lo = k;
			sc.hi = hi;
			rc = concoll_map_range(m, (void *)k, (void *)hi, CONCOLL_RANGE_LO | CONCOLL_RANGE_HI,
			                       visit, &sc);
			for (j = k; j <= hi && j <= KEYS; j++)
				n += st->value[j] != 0;
			check(rc == 0 && !sc.bad && sc.count == n, "range");
			break;
		}
		default: /* size, is_empty */
			check(concoll_map_size(m) == count, "size differs from the model");
			check(concoll_map_is_empty(m) == (count == 0), "is_empty");
			break;
		}
	}
	/* everything inserted is released exactly once: the removed and
	 * replaced values by now or after their grace period, the rest at
	 * destroy (which waits for every pending release) */
	for (i = 1; i <= KEYS; i++) {
		live_sum += st->value[i];
		live += st->value[i] != 0;
	}
	(void)live;
	check(concoll_map_destroy(m) == 0, "destroy failed");
	check(st->released_sum == inserted_sum, "released values differ from the inserted ones");
	free(st);
	(void)live_sum;
	return 0;
}
