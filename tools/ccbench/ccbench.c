/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ccbench: throughput of libconcoll's structures and of their peers.
 *
 * For every (structure, workload, thread count) of the sweep, and --repeat
 * times each, a run creates the structure, optionally prefills it, starts
 * the threads behind a barrier, lets them work for --duration seconds (or
 * --ops operations), and counts the operations that succeeded.  With
 * --verify every run ends with a drain of the structure and a check that
 * nothing was lost, duplicated or invented, and that queues kept each
 * producer's items in order.
 *
 * Items are integers cast to pointers: the producing thread's id plus one
 * in the high bits, a per-thread sequence number in the low CB_SEQ_BITS.
 * The prefill is pushed by a pseudo-producer whose id is the thread count.
 *
 * Maps run mixes of get, put, remove and range scans on the keys 1 to
 * --key-range, drawn uniformly or from a Zipf distribution, each key's
 * value being cb_map_value(key).  Before the threads are timed they fill
 * the map in parallel, each its slice of the key range, to the steady
 * state of the mix (or to --prefill keys).  Every operation counts, hit or
 * miss.  With --verify the threads keep the count, sum and xor-of-mix of
 * the keys they inserted and removed (prefill included), and a full scan
 * after the run must find exactly that.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <concoll/concoll.h>
#ifdef HAVE_LIBNUMA
#include <numa.h>
#endif

#include "ccbench.h"

#define EXIT_VERIFY_FAILED 1
#define EXIT_USAGE 2
#define EXIT_RUNTIME 3

/* Two cache lines: keeps per-thread data apart from the neighbour's also
 * with adjacent-line prefetching. */
#define CB_CACHELINE 128

#define CB_DEFAULT_DURATION 1.0
#define CB_MAX_SECONDS 86400.0
#define CB_DEFAULT_CAPACITY 65536u
#define CB_MAX_CAPACITY ((uint64_t)1 << 30) /* the largest SCQ (queue.h) */
#define CB_MAX_REPEAT 1000u
#define CB_MAX_WORKLOADS 16u
#define CB_DEFAULT_SEED 1u
#define CB_THREAD_STACK (1024u * 1024u)
#define CB_DEFAULT_KEY_RANGE 1000000u
/* keys must fit in a pointer, and 32-bit multiplications be enough */
#if UINTPTR_MAX > 0xffffffffu
#define CB_MAX_KEY_RANGE ((uint64_t)1 << 32)
#else
#define CB_MAX_KEY_RANGE ((uint64_t)UINTPTR_MAX)
#endif
#define CB_DEFAULT_RANGE_LEN 100u
#define CB_DEFAULT_THETA 0.99
/* zeta(n, theta) is summed exactly up to this many terms, the rest
 * approximated (Euler-Maclaurin) */
#define CB_ZETA_EXACT ((uint64_t)1 << 20)

/* Item layout.  64-bit: 2^40 items per thread and run; 32-bit: 2^20, after
 * which sequence numbers wrap and the order check is skipped. */
#if UINTPTR_MAX > 0xffffffffu
#define CB_SEQ_BITS 40
#else
#define CB_SEQ_BITS 20
#endif
#define CB_SEQ_MASK (((uintptr_t)1 << CB_SEQ_BITS) - 1)

enum cb_format {
	CB_FORMAT_TABLE,
	CB_FORMAT_CSV,
	CB_FORMAT_JSON,
};

enum cb_pin {
	CB_PIN_NONE,
	CB_PIN_COMPACT, /* thread i on the i-th allowed CPU */
	CB_PIN_SCATTER, /* spread over NUMA nodes, then cores, then SMT siblings */
	CB_PIN_LIST,    /* thread i on the (i mod n)-th CPU of --pin=LIST */
};

/* Memory placement of the structures (--numa). */
enum cb_numa {
	CB_NUMA_LOCAL,      /* the kernel's default: local to the allocating thread */
	CB_NUMA_INTERLEAVE, /* pages round-robin over every node */
	CB_NUMA_NODE,       /* pages on one node */
};

/* --- workloads ------------------------------------------------------------- */

enum cb_workload_kind {
	CB_WL_PAIRS,
	CB_WL_PAIRS_DELAY, /* pairs with 50-150 ns of local work after each operation */
	CB_WL_PROD_CONS,
	CB_WL_RANDOM,
	CB_WL_MAP,   /* a fixed mix of map operations */
	CB_WL_RANGE, /* scans, and range:U percent of updates */
	CB_WL_MIX,   /* mix:G:P:R */
};

/* Map operations, in the order of a mix. */
enum cb_map_op {
	CB_OP_GET,
	CB_OP_PUT,
	CB_OP_REMOVE,
	CB_OP_SCAN,
	CB_OP_COUNT
};

struct cb_workload_info {
	const char *name;
	enum cb_workload_kind kind;
	unsigned families; /* bit (1 << enum cb_family) for each family it runs on */
	const char *summary;
	double mix[CB_OP_COUNT]; /* maps: percent of each operation */
};

#define CB_POOLS ((1u << CB_FAMILY_QUEUE) | (1u << CB_FAMILY_STACK))
#define CB_MAPS (1u << CB_FAMILY_MAP)

/* range without :U */
#define CB_DEFAULT_RANGE_UPDATES 10u

static const struct cb_workload_info cb_workloads[] = {
	{ "pairs", CB_WL_PAIRS, CB_POOLS, "every thread: push, then pop, repeatedly", { 0 } },
	{ "pairs-delay", CB_WL_PAIRS_DELAY, CB_POOLS,
	  "pairs, with 50-150 ns (random) of local work after each operation", { 0 } },
	{ "prod-cons", CB_WL_PROD_CONS, CB_POOLS,
	  "P threads only push, C threads only pop (prod-cons:P:C; default half and half)",
	  { 0 } },
	{ "random", CB_WL_RANDOM, CB_POOLS, "every thread: push or pop, 50/50 at random", { 0 } },
	{ "read-mostly", CB_WL_MAP, CB_MAPS, "maps: 90% get, 5% put, 5% remove",
	  { 90, 5, 5, 0 } },
	{ "balanced", CB_WL_MAP, CB_MAPS, "maps: 50% get, 25% put, 25% remove",
	  { 50, 25, 25, 0 } },
	{ "update-only", CB_WL_MAP, CB_MAPS, "maps: 50% put, 50% remove", { 0, 50, 50, 0 } },
	{ "lookup", CB_WL_MAP, CB_MAPS,
	  "maps: 100% get (1 thread: ns/op is the lookup latency)", { 100, 0, 0, 0 } },
	{ "range", CB_WL_RANGE, CB_MAPS,
	  "maps: scans of --range-len entries, range:U with U% updates (default 10)",
	  { 0, 5, 5, 90 } },
	{ "mix", CB_WL_MIX, CB_MAPS, "maps: mix:G:P:R, G% get, P% put, R% remove", { 0 } },
};

#define CB_WORKLOAD_COUNT (sizeof(cb_workloads) / sizeof(cb_workloads[0]))

/* A workload as selected on the command line. */
struct cb_workload {
	const struct cb_workload_info *info;
	unsigned producers; /* prod-cons:P:C; 0 = half and half of the threads */
	unsigned consumers;
	double mix[CB_OP_COUNT]; /* maps: percent of each operation */
	char label[40];          /* maps: the name as given */
};

/* Key distributions of the map workloads. */
enum cb_dist {
	CB_DIST_UNIFORM,
	CB_DIST_ZIPF,
};

/* --- options --------------------------------------------------------------- */

struct cb_options {
	const struct cb_structure **structures;
	size_t nstructures;
	bool *unavailable; /* [i]: cb_structures[i] was left out of a group */
	unsigned *threads;
	size_t nthreads;
	struct cb_workload workloads[CB_MAX_WORKLOADS];
	size_t nworkloads;
	double duration; /* seconds; 0 with --ops */
	uint64_t ops;    /* --ops, 0 with --duration */
	double warmup;
	unsigned repeat;
	enum cb_format format;
	bool verify;
	size_t capacity;
	uint64_t prefill;
	enum cb_pin pin;
	int *pin_cpus;        /* --pin=LIST or the scatter order */
	unsigned npin_cpus;
	enum cb_numa numa;
	int numa_node;        /* CB_NUMA_NODE */
	const char *plot;     /* --plot=FILE */
	bool stats;           /* --stats */
	uint64_t seed;
	/* maps */
	bool prefill_given;   /* --prefill=N: N keys, not the steady state */
	uint64_t key_range;   /* keys 1 to key_range */
	uint64_t range_len;   /* entries per scan */
	enum cb_dist dist;
	double theta;         /* zipf */
};

/* Placement and --plot options (defined with their sections below). */
static void parse_pin_list(struct cb_options *o, const char *arg);
static void scatter_order(struct cb_options *o);
static void parse_numa(struct cb_options *o, const char *arg);
static void print_topology(void);
static void parse_plot(struct cb_options *o, const char *arg);

/* CPUs this process may run on (sched_getaffinity), for --pin=compact. */
static int *cb_cpus;
static unsigned cb_ncpus;
static long cb_online_cpus;

/*
 * The key generator of the map workloads, set up once before the runs and
 * read-only during them.  Zipf ranks come from the method of Gray et al.,
 * "Quickly generating billion-record synthetic databases" (SIGMOD 1994):
 * one uniform draw and one pow() per key, no table.  Rank r (0 the most
 * frequent) becomes the key 1 + (r * scatter) mod range, so that the hot
 * keys are spread over the key range rather than packed at its start.
 */
struct cb_keygen {
	uint64_t range;   /* keys 1 to range */
	bool zipf;
	double theta;
	double alpha;     /* 1 / (1 - theta) */
	double zetan;     /* zeta(range, theta) */
	double eta;
	double cut1;      /* 1 + 0.5^theta: below it, rank 1 */
	uint64_t scatter; /* a multiplier coprime with range */
};

static struct cb_keygen cb_keys;

/* --- runs ------------------------------------------------------------------ */

enum cb_role {
	CB_ROLE_PAIRS,
	CB_ROLE_PAIRS_DELAY,
	CB_ROLE_PRODUCER,
	CB_ROLE_CONSUMER,
	CB_ROLE_RANDOM,
	CB_ROLE_MAP,
};

struct cb_run;

/* What the threads of a map workload count. */
struct cb_map_counts {
	uint64_t ops;        /* operations done (every one counts) */
	uint64_t gets, hits; /* gets, and those that found the key */
	uint64_t inserts;    /* puts that inserted, prefill included */
	uint64_t replaces;   /* puts that replaced */
	uint64_t removes;    /* removes that removed */
	uint64_t misses;     /* removes of an absent key */
	uint64_t scans;
	uint64_t scanned;    /* entries the scans visited */
	uint64_t key_sum;    /* --verify: sum of keys inserted minus keys removed */
	uint64_t key_mix;    /* --verify: xor of cb_mix64 of keys inserted and removed */
	uint64_t bad_values; /* --verify: gets and scans that read a wrong entry */
	uint64_t bad_key;    /* the key of the first one */
};

/*
 * Latency samples: one operation in CB_LAT_EVERY is timed on its own (two
 * reads of CLOCK_MONOTONIC around it, whose cost is included), and the last
 * CB_LAT_SLOTS samples of the measured phase are kept per thread.
 */
#define CB_LAT_EVERY 128u
#define CB_LAT_SLOTS 4096u

struct cb_lat {
	uint32_t *ns;    /* CB_LAT_SLOTS samples, NULL while not measuring */
	uint32_t tick;   /* operations since the last sample */
	uint32_t next;   /* next slot */
	uint64_t count;  /* samples taken */
};

/*
 * Per-thread state.  Aligned (and so sized) to CB_CACHELINE: written only
 * by its thread during a run, read by the main thread after pthread_join.
 */
struct cb_thread {
	alignas(CB_CACHELINE) struct cb_run *run;
	pthread_t handle;
	unsigned id;
	enum cb_role role;
	uintptr_t item_base;  /* (id + 1) << CB_SEQ_BITS */
	uint64_t quota;       /* --ops: attempts (pairs, random) or successes */
	uint64_t rng;         /* xorshift64 state, never 0 */
	uint64_t seq;         /* next sequence number */
	/* Results, cumulative over warmup and measurement. */
	uint64_t pushes;
	uint64_t pops;
	uint64_t push_sum;    /* sum of cb_mix64(item) pushed (--verify) */
	uint64_t pop_sum;     /* sum of cb_mix64(item) popped (--verify) */
	uint64_t measured;    /* successful operations while measured */
	struct timespec start; /* when it started measuring */
	struct timespec end;  /* when it stopped measuring */
	int error;            /* negative errno of a failed operation, or 0 */
	const char *error_op;
	/* --verify: next_seq[p] is one more than the last sequence number of
	 * producer p this thread popped (queues: must increase). */
	uint64_t *next_seq;
	uint64_t fifo_errors;
	unsigned fifo_producer;
	uint64_t fifo_seq;
	uint64_t fifo_after;
	uint64_t bad_items;
	uintptr_t bad_item;
	/* Maps, cumulative over prefill, warmup and measurement. */
	struct cb_map_counts mc;
	uint64_t prefilled;   /* keys this thread inserted in the prefill */
	/* Sampled latencies of the measured phase. */
	struct cb_lat lat;
	uint32_t *lat_buf;    /* CB_LAT_SLOTS */
};

struct cb_stop_flag {
	alignas(CB_CACHELINE) atomic_bool raised;
};

/* prod-cons with --ops: the producers (consumers) still working on their
 * quota.  Read only when a push finds the structure full (a pop finds it
 * empty), so that a structure that loses or invents items cannot make the
 * other side wait forever. */
struct cb_role_count {
	alignas(CB_CACHELINE) atomic_uint left;
};

struct cb_run {
	const struct cb_structure *st;
	void *obj;
	int (*push)(void *obj, void *item);
	int (*pop)(void *obj, void **item);
	/* maps */
	const struct cb_map_ops *map;
	uint64_t cut[CB_OP_COUNT]; /* op i when (rng >> 32) < cut[i], the first such */
	uint64_t range_len;
	uint64_t prefill_salt;     /* key k is prefilled when cb_mix64(k ^ salt) ... */
	uint64_t prefill_below;    /* ... is below this, */
	bool prefill_all;          /* or always */
	unsigned nthreads;
	bool verify;
	bool fifo;   /* check per-producer order (queues) */
	bool warmup;
	bool timed;  /* stop at the flag, not at the quota */
	const struct cb_options *o; /* placement of the prefill */
	pthread_barrier_t barrier;
	struct cb_stop_flag stop;
	struct cb_role_count producers;
	struct cb_role_count consumers;
};

/* Sampled latency percentiles, in nanoseconds. */
struct cb_latency {
	double p50, p99, p999;
	uint64_t samples;
};

/* The outcome of one run. */
struct cb_result {
	double ops_per_sec;
	double elapsed;
	bool verify_failed;
	uint64_t prefilled;  /* items (pools) or keys (maps) prefilled */
	char algorithm[32];  /* what the structure reported */
	double thread_min, thread_max; /* operations per second of the slowest and fastest thread */
	struct cb_latency lat;
	uint64_t peak_rss_kb; /* of the process during the run (0: unknown) */
};

/* One row of the output. */
struct cb_row {
	const struct cb_structure *st;
	const char *workload;
	unsigned threads;
	unsigned repeat;
	double median, min, max, cv; /* operations per second */
	double elapsed;              /* median measured seconds */
	const char *verified;        /* "yes", "no" (not checked), "failed" */
	double ns_per_op;            /* threads / median: mean time of one operation */
	char algorithm[32];
	const struct cb_workload *w;
	uint64_t prefilled;          /* items (pools) or keys (maps) prefilled */
	uint64_t smr_retired;
	uint64_t smr_freed;
	uint64_t smr_pending;
	double thread_min, thread_max; /* medians over the repeats */
	struct cb_latency lat;         /* medians over the repeats */
	uint64_t peak_rss_kb;          /* largest of the repeats */
	uint64_t smr_epochs;           /* epoch advances during the runs */
	uint64_t smr_records;          /* thread records after the runs */
};

static bool cb_any_verify_failed;

/* --- small helpers ---------------------------------------------------------- */

static int cb_progress_width; /* of the progress line on stderr, 0 if none */

static void show_progress(size_t done, size_t total, const char *name, const char *wl,
			  unsigned n, unsigned run_no, unsigned repeat)
{
	int len;

	if (!isatty(STDERR_FILENO))
		return;
	len = fprintf(stderr, "\r[%zu/%zu] %s %s threads=%u run %u/%u", done + 1, total, name,
		      wl, n, run_no, repeat);
	if (len - 1 < cb_progress_width) /* blank what the previous line left */
		fprintf(stderr, "%*s", cb_progress_width - (len - 1), "");
	if (len - 1 > cb_progress_width)
		cb_progress_width = len - 1;
}

static void clear_progress(void)
{
	if (cb_progress_width > 0)
		fprintf(stderr, "\r%*s\r", cb_progress_width, "");
	cb_progress_width = 0;
}


static void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	clear_progress();
	fflush(stdout);
	fputs("ccbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		die(EXIT_RUNTIME, "out of memory");
	return p;
}

static double timespec_seconds(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec * 1e-9;
}

static void sleep_seconds(double seconds)
{
	struct timespec ts;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

static inline uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* --- argument parsing ------------------------------------------------------- */

/* Parses a decimal integer in [min, max]; no sign, no trailing text. */
static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return false;
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

static uint64_t parse_number(const char *option, const char *s, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (!parse_u64(s, min, max, &v))
		die(EXIT_USAGE, "invalid %s value '%s' (must be an integer from %" PRIu64
		    " to %" PRIu64 ")", option, s, min, max);
	return v;
}

static double parse_seconds(const char *option, const char *s, bool zero_ok)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < 0 || (v == 0 && !zero_ok) || v > CB_MAX_SECONDS)
		die(EXIT_USAGE, "invalid %s value '%s' (must be a %s number of seconds up to %.0f)",
		    option, s, zero_ok ? "non-negative" : "positive", CB_MAX_SECONDS);
	return v;
}

/* Splits s at commas: calls fn(token, ctx) for each token (copied into a
 * NUL-terminated buffer); empty tokens are handed over too. */
static void for_each_token(const char *s, void (*fn)(const char *token, void *ctx), void *ctx)
{
	size_t len = strlen(s);
	char *copy = xcalloc(len + 1, 1);
	char *p = copy;

	memcpy(copy, s, len + 1);
	for (;;) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		fn(p, ctx);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	free(copy);
}

struct cb_thread_list {
	const char *arg;
	unsigned *threads;
	size_t n;
};

static void add_thread_count(struct cb_thread_list *l, unsigned n)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->threads[i] == n)
			return;
	}
	l->threads[l->n++] = n;
}

static void parse_thread_token(const char *token, void *ctx)
{
	struct cb_thread_list *l = ctx;
	const char *dash = strchr(token, '-');
	uint64_t lo, hi;
	char buf[32];

	if (dash == NULL) {
		if (!parse_u64(token, 0, UINT64_MAX, &lo))
			goto syntax;
		hi = lo;
	} else {
		size_t n = (size_t)(dash - token);

		if (n == 0 || n >= sizeof(buf))
			goto syntax;
		memcpy(buf, token, n);
		buf[n] = '\0';
		if (!parse_u64(buf, 0, UINT64_MAX, &lo) || !parse_u64(dash + 1, 0, UINT64_MAX, &hi))
			goto syntax;
		if (lo > hi)
			die(EXIT_USAGE, "invalid --threads range '%s' (start above end)", token);
	}
	if (lo < 1 || hi > CB_MAX_THREADS)
		die(EXIT_USAGE, "invalid thread count '%s' in --threads=%s (must be 1 to %u)",
		    token, l->arg, CB_MAX_THREADS);
	for (; lo <= hi; lo++)
		add_thread_count(l, (unsigned)lo);
	return;
syntax:
	die(EXIT_USAGE, "invalid --threads value '%s' in --threads=%s (expected a comma-separated "
	    "list of counts and ranges, e.g. 1,2,4 or 1-8)", token, l->arg);
}

static void parse_threads(struct cb_options *o, const char *arg)
{
	struct cb_thread_list l = { arg, o->threads, 0 };

	for_each_token(arg, parse_thread_token, &l);
	o->nthreads = l.n;
}

static void default_threads(struct cb_options *o)
{
	uint64_t limit = cb_online_cpus > 0 ? 2 * (uint64_t)cb_online_cpus : 2;
	unsigned n;

	if (limit > CB_MAX_THREADS)
		limit = CB_MAX_THREADS;
	o->nthreads = 0;
	for (n = 1; n <= limit; n *= 2)
		o->threads[o->nthreads++] = n;
}

/* named: given by its name (not as part of a group such as "all"). */
static void add_structure(struct cb_options *o, const struct cb_structure *st, bool named)
{
	const char *why = st->unavailable ? st->unavailable() : NULL;
	size_t i;

	if (why != NULL) {
		if (named)
			die(EXIT_USAGE, "structure '%s' is not available: %s", st->name, why);
		o->unavailable[st - cb_structures] = true;
		return;
	}
	for (i = 0; i < o->nstructures; i++) {
		if (o->structures[i] == st)
			return;
	}
	o->structures[o->nstructures++] = st;
}

/* "queues", "stacks", "maps": every structure of that family. */
static bool add_family(struct cb_options *o, const char *token)
{
	bool found = false;
	int f;

	for (f = 0; f < CB_FAMILY_COUNT; f++) {
		const char *name = cb_family_name((enum cb_family)f);
		size_t len = strlen(name);
		size_t i;

		if (strncmp(token, name, len) != 0 || strcmp(token + len, "s") != 0)
			continue;
		for (i = 0; i < cb_structure_count; i++) {
			if (cb_structures[i].family == (enum cb_family)f)
				add_structure(o, &cb_structures[i], false);
		}
		found = true;
	}
	return found;
}

static void parse_structure_token(const char *token, void *ctx)
{
	struct cb_options *o = ctx;
	const struct cb_structure *st;
	size_t i;

	if (*token == '\0')
		die(EXIT_USAGE, "empty structure name in --structure (see --list)");
	if (strcmp(token, "all") == 0) {
		for (i = 0; i < cb_structure_count; i++)
			add_structure(o, &cb_structures[i], false);
		return;
	}
	if (add_family(o, token))
		return;
	st = cb_structure_find(token);
	if (st == NULL)
		die(EXIT_USAGE, "unknown structure '%s' (see --list)", token);
	add_structure(o, st, true);
}

/* Parses "A:B:..." into at most max numbers, each in [0, limit]; returns
 * how many, or 0 on a syntax error. */
static size_t parse_fields(const char *s, uint64_t *out, size_t max, uint64_t limit)
{
	size_t n = 0;
	char buf[32];

	for (;;) {
		const char *colon = strchr(s, ':');
		size_t len = colon ? (size_t)(colon - s) : strlen(s);

		if (n == max || len == 0 || len >= sizeof(buf))
			return 0;
		memcpy(buf, s, len);
		buf[len] = '\0';
		if (!parse_u64(buf, 0, limit, &out[n]))
			return 0;
		n++;
		if (colon == NULL)
			return n;
		s = colon + 1;
	}
}

static void parse_workload_token(const char *token, void *ctx)
{
	struct cb_options *o = ctx;
	struct cb_workload w;
	const char *colon = strchr(token, ':');
	size_t len = colon ? (size_t)(colon - token) : strlen(token);
	uint64_t v[3];
	size_t i;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < CB_WORKLOAD_COUNT; i++) {
		if (strlen(cb_workloads[i].name) == len && strncmp(cb_workloads[i].name, token, len) == 0)
			w.info = &cb_workloads[i];
	}
	if (w.info == NULL)
		die(EXIT_USAGE, "unknown workload '%s' (use pairs, pairs-delay, prod-cons[:P:C], random, "
		    "read-mostly, balanced, update-only, lookup, range[:U] or mix:G:P:R)", token);
	memcpy(w.mix, w.info->mix, sizeof(w.mix));
	snprintf(w.label, sizeof(w.label), "%s", token);
	switch (w.info->kind) {
	case CB_WL_PROD_CONS:
		if (colon == NULL)
			break;
		if (parse_fields(colon + 1, v, 2, CB_MAX_THREADS) != 2 || v[0] < 1 || v[1] < 1 ||
		    v[0] + v[1] > CB_MAX_THREADS)
			die(EXIT_USAGE, "invalid workload '%s' (prod-cons:P:C takes P >= 1 "
			    "producers and C >= 1 consumers, P + C <= %u)", token, CB_MAX_THREADS);
		w.producers = (unsigned)v[0];
		w.consumers = (unsigned)v[1];
		break;
	case CB_WL_RANGE:
		v[0] = CB_DEFAULT_RANGE_UPDATES;
		if (colon != NULL && parse_fields(colon + 1, v, 1, 100) != 1)
			die(EXIT_USAGE, "invalid workload '%s' (range:U takes the percentage U of "
			    "updates, 0 to 100)", token);
		w.mix[CB_OP_GET] = 0;
		w.mix[CB_OP_PUT] = (double)v[0] / 2;
		w.mix[CB_OP_REMOVE] = (double)v[0] / 2;
		w.mix[CB_OP_SCAN] = 100 - (double)v[0];
		break;
	case CB_WL_MIX:
		if (colon == NULL || parse_fields(colon + 1, v, 3, 100) != 3 ||
		    v[0] + v[1] + v[2] != 100)
			die(EXIT_USAGE, "invalid workload '%s' (mix:G:P:R takes the percentages of "
			    "get, put and remove, adding up to 100)", token);
		w.mix[CB_OP_GET] = (double)v[0];
		w.mix[CB_OP_PUT] = (double)v[1];
		w.mix[CB_OP_REMOVE] = (double)v[2];
		w.mix[CB_OP_SCAN] = 0;
		break;
	default:
		if (colon != NULL)
			die(EXIT_USAGE, "invalid workload '%s' (%s takes no parameters)", token,
			    w.info->name);
		break;
	}
	if (o->nworkloads == CB_MAX_WORKLOADS)
		die(EXIT_USAGE, "too many workloads in --workload (at most %u)", CB_MAX_WORKLOADS);
	o->workloads[o->nworkloads++] = w;
}

/* --dist=uniform|zipf[:THETA] */
static void parse_dist(struct cb_options *o, const char *arg)
{
	const char *theta = arg + 5;
	char *end;
	double v;

	if (strcmp(arg, "uniform") == 0) {
		o->dist = CB_DIST_UNIFORM;
		return;
	}
	if (strcmp(arg, "zipf") == 0) {
		o->dist = CB_DIST_ZIPF;
		o->theta = CB_DEFAULT_THETA;
		return;
	}
	if (strncmp(arg, "zipf:", 5) != 0)
		die(EXIT_USAGE, "unknown distribution '%s' (use uniform or zipf[:THETA])", arg);
	errno = 0;
	v = strtod(theta, &end);
	/* a digit or a point first: no sign, no blanks, no "nan" */
	if (((*theta < '0' || *theta > '9') && *theta != '.') || *end != '\0' || errno != 0 ||
	    !(v > 0 && v < 1))
		die(EXIT_USAGE, "invalid --dist value '%s' (zipf:THETA takes 0 < THETA < 1)", arg);
	o->dist = CB_DIST_ZIPF;
	o->theta = v;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
"Usage: ccbench [OPTION]...\n"
"Measure the throughput of libconcoll's concurrent structures and of peers.\n"
"\n"
"Options (a LIST is comma-separated):\n"
"  --structure=LIST     structures to run (default: all); also the groups\n"
"                       'all', 'queues', 'stacks', 'maps'; see --list\n"
"  --threads=LIST       thread counts and ranges, e.g. 1,2,4 or 1-8 (1 to %u;\n"
"                       default: powers of two up to twice the online CPUs)\n"
"  --duration=SECONDS   measured time of each run (default %.1f)\n"
"  --ops=N              run N operations in total instead of a duration\n"
"  --workload=LIST      workloads, see below (default: pairs for queues and\n"
"                       stacks, read-mostly for maps)\n"
"  --repeat=N           runs per configuration; report median, min, max (default 1)\n"
"  --warmup=SECONDS     untimed work before each measured run (default 0)\n"
"  --verify             after each run, check the structure: drain a queue or stack\n"
"                       and check that every item pushed was popped once (queues:\n"
"                       in per-producer FIFO order); scan a map and check that its\n"
"                       keys are those that the operations left\n"
"  --capacity=N         capacity of bounded structures (default %u)\n"
"  --prefill=N|steady   items pushed into queues and stacks before each run\n"
"                       (default 0); maps: about N keys, instead of the steady\n"
"                       state of the workload (default: steady)\n"
"  --key-range=N        maps: keys are 1 to N (1 to 2^32, 32-bit: 2^32 - 1;\n"
"                       default %u)\n"
"  --dist=DIST          maps: key distribution, uniform (default) or zipf[:THETA],\n"
"                       0 < THETA < 1 (default %.2f)\n"
"  --range-len=N        maps: entries per scan of the range workload (default %u)\n"
"  --format=FORMAT      table (default), csv or json (one record per row)\n"
"  --pin=MODE           compact: pin thread i to the i-th allowed CPU, round-robin\n"
"                       (default); scatter: spread the threads over NUMA nodes,\n"
"                       then cores, SMT siblings last; a CPU list such as 0,2,4-7:\n"
"                       thread i on its (i mod n)-th CPU; none: leave threads to\n"
"                       the scheduler\n"
"  --numa=POLICY        memory of the structures and their prefill: local\n"
"                       (default), interleave (all nodes) or node:N\n"
"  --topology           print the CPUs, cores, NUMA nodes and distances, and exit\n"
"  --plot=FILE          draw throughput against threads (FILE.svg or FILE.png;\n"
"                       needs gnuplot)\n"
"  --stats              after each row, the safe memory reclamation counters and\n"
"                       the structure's own contention counters, if it keeps any\n"
"  --seed=N             seed of the random choices (default %u)\n"
"  --list               list the structures and exit\n"
"  -h, --help           show this help and exit\n"
"  -V, --version        show the version and exit\n"
"\n"
"Workloads:\n",
		CB_MAX_THREADS, CB_DEFAULT_DURATION, CB_DEFAULT_CAPACITY, CB_DEFAULT_KEY_RANGE,
		CB_DEFAULT_THETA, CB_DEFAULT_RANGE_LEN, CB_DEFAULT_SEED);
	for (i = 0; i < CB_WORKLOAD_COUNT; i++)
		fprintf(f, "  %-20s %s\n", cb_workloads[i].name, cb_workloads[i].summary);
	fprintf(f,
"\n"
"Exit status: 0 success, 1 verification failed, 2 usage error, 3 runtime error\n"
"(a structure could not be created, an operation failed).\n"
"See ccbench(1).\n");
}

/* --list: creates each structure to ask its algorithm. */
static void list_structures(size_t capacity)
{
	struct cb_params params = { capacity };
	size_t i;

	printf("%-16s %-7s %-10s %-16s %s\n", "structure", "family", "progress", "algorithm",
	       "description");
	for (i = 0; i < cb_structure_count; i++) {
		const struct cb_structure *st = &cb_structures[i];
		const char *why = st->unavailable ? st->unavailable() : NULL;
		void *obj = why ? NULL : st->create(&params);
		const char *alg = obj ? st->algorithm(obj) : why ? "unavailable" : NULL;

		printf("%-16s %-7s %-10s %-16s %s%s%s%s\n", st->name, cb_family_name(st->family),
		       cb_progress_name(st->progress), alg ? alg : "?", st->summary,
		       why ? " [unavailable: " : "", why ? why : "", why ? "]" : "");
		if (obj)
			st->destroy(obj);
	}
}

enum {
	OPT_STRUCTURE = 256,
	OPT_THREADS,
	OPT_DURATION,
	OPT_OPS,
	OPT_WORKLOAD,
	OPT_REPEAT,
	OPT_WARMUP,
	OPT_FORMAT,
	OPT_VERIFY,
	OPT_CAPACITY,
	OPT_PREFILL,
	OPT_PIN,
	OPT_SEED,
	OPT_LIST,
	OPT_KEY_RANGE,
	OPT_DIST,
	OPT_RANGE_LEN,
	OPT_NUMA,
	OPT_TOPOLOGY,
	OPT_PLOT,
	OPT_STATS,
};

static const struct option cb_long_options[] = {
	{ "structure", required_argument, NULL, OPT_STRUCTURE },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "ops", required_argument, NULL, OPT_OPS },
	{ "workload", required_argument, NULL, OPT_WORKLOAD },
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "capacity", required_argument, NULL, OPT_CAPACITY },
	{ "prefill", required_argument, NULL, OPT_PREFILL },
	{ "pin", required_argument, NULL, OPT_PIN },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "key-range", required_argument, NULL, OPT_KEY_RANGE },
	{ "dist", required_argument, NULL, OPT_DIST },
	{ "range-len", required_argument, NULL, OPT_RANGE_LEN },
	{ "numa", required_argument, NULL, OPT_NUMA },
	{ "topology", no_argument, NULL, OPT_TOPOLOGY },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* After getopt_long returned '?' for arg (the element it stopped at). */
static void report_bad_option(const char *arg) __attribute__((noreturn));

static void report_bad_option(const char *arg)
{
	if (strncmp(arg, "--", 2) == 0) {
		size_t len = strcspn(arg, "=");

		if (optopt != 0) /* a known option that takes no value was given one */
			die(EXIT_USAGE, "option '%.*s' takes no value (in '%s')", (int)len, arg, arg);
		die(EXIT_USAGE, "unknown option '%s' (see --help)", arg);
	}
	die(EXIT_USAGE, "unknown option '-%c' (see --help)", optopt);
}

static void check_sweep(struct cb_options *o);

static void parse_options(struct cb_options *o, int argc, char **argv)
{
	bool list = false, have_duration = false, topology = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->structures = xcalloc(cb_structure_count, sizeof(*o->structures));
	o->unavailable = xcalloc(cb_structure_count, sizeof(*o->unavailable));
	o->threads = xcalloc(CB_MAX_THREADS, sizeof(*o->threads));
	o->duration = CB_DEFAULT_DURATION;
	o->repeat = 1;
	o->capacity = CB_DEFAULT_CAPACITY;
	o->pin = CB_PIN_COMPACT;
	o->seed = CB_DEFAULT_SEED;
	o->key_range = CB_DEFAULT_KEY_RANGE;
	o->range_len = CB_DEFAULT_RANGE_LEN;
	o->dist = CB_DIST_UNIFORM;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hV", cb_long_options, NULL)) != -1) {
		switch (c) {
		case OPT_STRUCTURE:
			o->nstructures = 0;
			memset(o->unavailable, 0, cb_structure_count * sizeof(*o->unavailable));
			for_each_token(optarg, parse_structure_token, o);
			break;
		case OPT_THREADS:
			parse_threads(o, optarg);
			break;
		case OPT_DURATION:
			o->duration = parse_seconds("--duration", optarg, false);
			have_duration = true;
			break;
		case OPT_OPS:
			o->ops = parse_number("--ops", optarg, 1, UINT64_MAX / 2);
			break;
		case OPT_WORKLOAD:
			o->nworkloads = 0;
			for_each_token(optarg, parse_workload_token, o);
			break;
		case OPT_REPEAT:
			o->repeat = (unsigned)parse_number("--repeat", optarg, 1, CB_MAX_REPEAT);
			break;
		case OPT_WARMUP:
			o->warmup = parse_seconds("--warmup", optarg, true);
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "table") == 0)
				o->format = CB_FORMAT_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				o->format = CB_FORMAT_CSV;
			else if (strcmp(optarg, "json") == 0)
				o->format = CB_FORMAT_JSON;
			else
				die(EXIT_USAGE, "unknown format '%s' (use table, csv or json)", optarg);
			break;
		case OPT_VERIFY:
			o->verify = true;
			break;
		case OPT_CAPACITY:
			o->capacity = (size_t)parse_number("--capacity", optarg, 1, CB_MAX_CAPACITY);
			break;
		case OPT_PREFILL:
			o->prefill_given = strcmp(optarg, "steady") != 0;
			o->prefill = 0;
			if (o->prefill_given && !parse_u64(optarg, 0, CB_SEQ_MASK, &o->prefill))
				die(EXIT_USAGE, "invalid --prefill value '%s' (must be 'steady' or "
				    "an integer from 0 to %" PRIu64 ")", optarg,
				    (uint64_t)CB_SEQ_MASK);
			break;
		case OPT_KEY_RANGE:
			o->key_range = parse_number("--key-range", optarg, 1, CB_MAX_KEY_RANGE);
			break;
		case OPT_DIST:
			parse_dist(o, optarg);
			break;
		case OPT_RANGE_LEN:
			o->range_len = parse_number("--range-len", optarg, 1, CB_MAX_KEY_RANGE);
			break;
		case OPT_PIN:
			free(o->pin_cpus);
			o->pin_cpus = NULL;
			o->npin_cpus = 0;
			if (strcmp(optarg, "none") == 0) {
				o->pin = CB_PIN_NONE;
			} else if (strcmp(optarg, "compact") == 0) {
				o->pin = CB_PIN_COMPACT;
			} else if (strcmp(optarg, "scatter") == 0) {
				o->pin = CB_PIN_SCATTER;
				scatter_order(o);
			} else if (optarg[0] >= '0' && optarg[0] <= '9') {
				o->pin = CB_PIN_LIST;
				parse_pin_list(o, optarg);
			} else {
				die(EXIT_USAGE, "unknown pin mode '%s' (use none, compact, scatter or a "
				    "CPU list such as 0,2,4-7)", optarg);
			}
			break;
		case OPT_NUMA:
			parse_numa(o, optarg);
			break;
		case OPT_TOPOLOGY:
			topology = true;
			break;
		case OPT_PLOT:
			parse_plot(o, optarg);
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case OPT_SEED:
			o->seed = parse_number("--seed", optarg, 0, UINT64_MAX);
			break;
		case OPT_LIST:
			list = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("ccbench (libconcoll) %s\n", concoll_version());
			exit(0);
		case ':':
			die(EXIT_USAGE, "option '%s' needs a value (see --help)", argv[optind - 1]);
		default:
			report_bad_option(argv[optind - 1]);
		}
	}
	if (optind < argc)
		die(EXIT_USAGE, "unexpected argument '%s' (see --help)", argv[optind]);
	if (have_duration && o->ops)
		die(EXIT_USAGE, "--duration and --ops exclude each other");
	if (o->ops)
		o->duration = 0;
	if (topology) {
		print_topology();
		exit(0);
	}
	if (list) {
		list_structures(o->capacity);
		exit(0);
	}
	if (o->nstructures == 0) {
		size_t i;

		for (i = 0; i < cb_structure_count; i++)
			add_structure(o, &cb_structures[i], false);
	}
	if (o->nthreads == 0)
		default_threads(o);
	check_sweep(o);
}

/* The families (bits 1 << enum cb_family) of the structures in o. */
static unsigned structure_families(const struct cb_options *o)
{
	unsigned families = 0;
	size_t i;

	for (i = 0; i < o->nstructures; i++)
		families |= 1u << o->structures[i]->family;
	return families;
}

static const char *families_text(unsigned families)
{
	return families == CB_MAPS ? "maps" : families == CB_POOLS ? "queues and stacks" :
	       "some structures";
}

/* Default workloads, notes on what is left out, and the checks that need
 * every option: every workload must run on some structure. */
static void check_sweep(struct cb_options *o)
{
	unsigned families = structure_families(o), covered = 0;
	size_t i;

	for (i = 0; i < cb_structure_count; i++) {
		if (o->unavailable[i])
			fprintf(stderr, "ccbench: note: %s left out: %s\n", cb_structures[i].name,
				cb_structures[i].unavailable());
	}
	if (o->nstructures == 0)
		die(EXIT_USAGE, "no structure to run (see --list)");
	if (o->nworkloads == 0) {
		for (i = 0; i < CB_WORKLOAD_COUNT; i++) {
			const struct cb_workload_info *info = &cb_workloads[i];
			struct cb_workload *w = &o->workloads[o->nworkloads];

			if ((strcmp(info->name, "pairs") != 0 &&
			     strcmp(info->name, "read-mostly") != 0) || !(info->families & families))
				continue;
			memset(w, 0, sizeof(*w));
			w->info = info;
			memcpy(w->mix, info->mix, sizeof(w->mix));
			snprintf(w->label, sizeof(w->label), "%s", info->name);
			o->nworkloads++;
		}
	}
	for (i = 0; i < o->nworkloads; i++) {
		const struct cb_workload *w = &o->workloads[i];

		if (!(w->info->families & families))
			die(EXIT_USAGE, "workload '%s' runs on %s only, and --structure names none",
			    w->label, families_text(w->info->families));
		covered |= w->info->families;
	}
	if ((families & CB_POOLS) && !(covered & CB_POOLS))
		fprintf(stderr, "ccbench: note: the queues and stacks are skipped: no workload "
			"for them (pairs, prod-cons, random)\n");
	if ((families & CB_MAPS) && !(covered & CB_MAPS))
		fprintf(stderr, "ccbench: note: the maps are skipped: no workload for them "
			"(read-mostly, balanced, update-only, lookup, range, mix)\n");
	if ((families & covered & CB_MAPS) && o->prefill_given && o->prefill > o->key_range)
		die(EXIT_USAGE, "--prefill=%" PRIu64 " exceeds --key-range=%" PRIu64 " (the "
		    "number of keys)", o->prefill, o->key_range);
}

/* --- CPUs ------------------------------------------------------------------- */

static void detect_cpus(void)
{
	cpu_set_t set;
	int cpu;

	cb_online_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cb_cpus = xcalloc(CPU_SETSIZE, sizeof(*cb_cpus));
	cb_ncpus = 0;
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
			if (CPU_ISSET(cpu, &set))
				cb_cpus[cb_ncpus++] = cpu;
		}
	}
}

/* "0-3,8" */
static void format_cpu_list(char *buf, size_t size)
{
	size_t len = 0;
	unsigned i = 0;

	buf[0] = '\0';
	while (i < cb_ncpus && len + 24 < size) {
		unsigned j = i;

		while (j + 1 < cb_ncpus && cb_cpus[j + 1] == cb_cpus[j] + 1)
			j++;
		if (j == i)
			len += (size_t)snprintf(buf + len, size - len, "%s%d", i ? "," : "", cb_cpus[i]);
		else
			len += (size_t)snprintf(buf + len, size - len, "%s%d-%d", i ? "," : "",
						cb_cpus[i], cb_cpus[j]);
		i = j + 1;
	}
	if (i < cb_ncpus && len + 4 < size)
		snprintf(buf + len, size - len, ",...");
}

/* --- placement: pinning, NUMA, topology ------------------------------------ */

static bool cpu_allowed(int cpu)
{
	unsigned i;

	for (i = 0; i < cb_ncpus; i++) {
		if (cb_cpus[i] == cpu)
			return true;
	}
	return false;
}

/* --pin=LIST: "0,2,4-7"; every CPU must be one this process may run on. */
static void parse_pin_list(struct cb_options *o, const char *arg)
{
	const char *p = arg;
	char allowed[256];

	o->pin_cpus = xcalloc(CPU_SETSIZE, sizeof(*o->pin_cpus));
	o->npin_cpus = 0;
	format_cpu_list(allowed, sizeof(allowed));
	while (*p) {
		char *end;
		long lo, hi;

		errno = 0;
		lo = strtol(p, &end, 10);
		if (end == p || errno || lo < 0 || lo >= CPU_SETSIZE)
			die(EXIT_USAGE, "invalid --pin value '%s' (use none, compact, scatter or a "
			    "CPU list such as 0,2,4-7)", arg);
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || errno || hi < lo || hi >= CPU_SETSIZE)
				die(EXIT_USAGE, "invalid CPU range in --pin=%s", arg);
		}
		for (; lo <= hi; lo++) {
			if (!cpu_allowed((int)lo))
				die(EXIT_USAGE, "--pin=%s: CPU %ld is not available to this process "
				    "(allowed: %s)", arg, lo, allowed);
			if (o->npin_cpus < CPU_SETSIZE)
				o->pin_cpus[o->npin_cpus++] = (int)lo;
		}
		if (*end == ',')
			end++;
		else if (*end != '\0')
			die(EXIT_USAGE, "invalid --pin value '%s' (use none, compact, scatter or a "
			    "CPU list such as 0,2,4-7)", arg);
		p = end;
	}
	if (o->npin_cpus == 0)
		die(EXIT_USAGE, "--pin=%s names no CPU", arg);
}

/* A number from a sysfs file, or fallback. */
static long read_sysfs_long(const char *path, long fallback)
{
	FILE *f = fopen(path, "r");
	long v;

	if (f == NULL)
		return fallback;
	if (fscanf(f, "%ld", &v) != 1)
		v = fallback;
	fclose(f);
	return v;
}

/* The physical core of cpu: package << 20 | core id, from sysfs (the CPU
 * number itself when sysfs does not say). */
static long cpu_core(int cpu)
{
	char path[128];
	long pkg, core;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/topology/physical_package_id",
		 cpu);
	pkg = read_sysfs_long(path, 0);
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/topology/core_id", cpu);
	core = read_sysfs_long(path, cpu);
	return (pkg << 20) | (core & 0xfffff);
}

static int cpu_node(int cpu)
{
#ifdef HAVE_LIBNUMA
	if (numa_available() >= 0) {
		int node = numa_node_of_cpu(cpu);

		return node >= 0 ? node : 0;
	}
#endif
	(void)cpu;
	return 0;
}

struct cb_cpu_place {
	int cpu, node;
	long core;   /* package << 20 | core_id */
	int smt;     /* index among the allowed siblings of its core */
	int core_rank; /* index of its core among the allowed cores of its node */
};

static int compare_scatter(const void *a, const void *b)
{
	const struct cb_cpu_place *x = a, *y = b;

	if (x->smt != y->smt)
		return x->smt - y->smt;
	if (x->core_rank != y->core_rank)
		return x->core_rank - y->core_rank;
	if (x->node != y->node)
		return x->node - y->node;
	return x->cpu - y->cpu;
}

/* --pin=scatter: one thread per node in turn, on a core of its own while
 * there are cores, SMT siblings last. */
static void scatter_order(struct cb_options *o)
{
	struct cb_cpu_place *pl = xcalloc(cb_ncpus, sizeof(*pl));
	unsigned i, j;

	for (i = 0; i < cb_ncpus; i++) {
		pl[i].cpu = cb_cpus[i];
		pl[i].node = cpu_node(cb_cpus[i]);
		pl[i].core = cpu_core(cb_cpus[i]);
	}
	for (i = 0; i < cb_ncpus; i++) {
		int smt = 0, rank = 0;
		bool seen_core;

		for (j = 0; j < i; j++) {
			if (pl[j].core == pl[i].core && pl[j].node == pl[i].node)
				smt++;
		}
		/* rank: distinct cores of the node that come before this one */
		for (j = 0; j < cb_ncpus; j++) {
			unsigned k;

			if (pl[j].node != pl[i].node || pl[j].core >= pl[i].core)
				continue;
			seen_core = false;
			for (k = 0; k < j; k++) {
				if (pl[k].node == pl[j].node && pl[k].core == pl[j].core)
					seen_core = true;
			}
			if (!seen_core)
				rank++;
		}
		pl[i].smt = smt;
		pl[i].core_rank = rank;
	}
	qsort(pl, cb_ncpus, sizeof(*pl), compare_scatter);
	o->pin_cpus = xcalloc(cb_ncpus, sizeof(*o->pin_cpus));
	for (i = 0; i < cb_ncpus; i++)
		o->pin_cpus[i] = pl[i].cpu;
	o->npin_cpus = cb_ncpus;
	free(pl);
}

/* The CPU of thread i, or -1 to leave it to the scheduler. */
static int thread_cpu(const struct cb_options *o, unsigned i)
{
	switch (o->pin) {
	case CB_PIN_COMPACT:
		return cb_ncpus ? cb_cpus[i % cb_ncpus] : -1;
	case CB_PIN_SCATTER:
	case CB_PIN_LIST:
		return o->npin_cpus ? o->pin_cpus[i % o->npin_cpus] : -1;
	default:
		return -1;
	}
}

static const char *pin_name(const struct cb_options *o)
{
	static const char *const names[] = { "none", "compact", "scatter", "list" };

	return names[o->pin];
}

/* --numa=local|interleave|node:N */
static void parse_numa(struct cb_options *o, const char *arg)
{
	uint64_t node;

	if (strcmp(arg, "local") == 0) {
		o->numa = CB_NUMA_LOCAL;
		return;
	}
	if (strcmp(arg, "interleave") == 0) {
		o->numa = CB_NUMA_INTERLEAVE;
	} else if (strncmp(arg, "node:", 5) == 0 && parse_u64(arg + 5, 0, 1u << 20, &node)) {
		o->numa = CB_NUMA_NODE;
		o->numa_node = (int)node;
	} else {
		die(EXIT_USAGE, "invalid --numa value '%s' (use local, interleave or node:N)", arg);
	}
#ifdef HAVE_LIBNUMA
	if (numa_available() < 0)
		die(EXIT_USAGE, "--numa=%s: this system has no NUMA support (numa_available "
		    "failed); use --numa=local", arg);
	if (o->numa == CB_NUMA_NODE &&
	    (o->numa_node > numa_max_node() ||
	     !numa_bitmask_isbitset(numa_all_nodes_ptr, (unsigned)o->numa_node)))
		die(EXIT_USAGE, "--numa=%s: node %d does not exist or has no memory (nodes 0 to "
		    "%d; see --topology)", arg, o->numa_node, numa_max_node());
#else
	die(EXIT_USAGE, "--numa=%s: ccbench was built without libnuma (install libnuma-dev "
	    "and reconfigure); only --numa=local works", arg);
#endif
}

static const char *numa_name(const struct cb_options *o, char *buf, size_t size)
{
	if (o->numa == CB_NUMA_NODE)
		snprintf(buf, size, "node:%d", o->numa_node);
	else
		snprintf(buf, size, "%s", o->numa == CB_NUMA_INTERLEAVE ? "interleave" : "local");
	return buf;
}

/* The calling thread's memory policy for what it allocates next (the
 * structure, its prefill). */
static void apply_numa(const struct cb_options *o)
{
#ifdef HAVE_LIBNUMA
	if (o == NULL || numa_available() < 0)
		return;
	switch (o->numa) {
	case CB_NUMA_INTERLEAVE:
		numa_set_interleave_mask(numa_all_nodes_ptr);
		break;
	case CB_NUMA_NODE: {
		struct bitmask *b = numa_allocate_nodemask();

		numa_bitmask_setbit(b, (unsigned)o->numa_node);
		numa_set_membind(b);
		numa_free_nodemask(b);
		break;
	}
	case CB_NUMA_LOCAL:
		numa_set_localalloc();
		break;
	}
#else
	(void)o;
#endif
}

/* Back to the default policy (the main thread, after creating a structure). */
static void reset_numa(const struct cb_options *o)
{
#ifdef HAVE_LIBNUMA
	if (o->numa != CB_NUMA_LOCAL && numa_available() >= 0) {
		numa_set_membind(numa_all_nodes_ptr);
		numa_set_localalloc();
	}
#else
	(void)o;
#endif
}

/* --topology: nodes, their CPUs and memory, distances; cores and SMT. */
static void print_topology(void)
{
	char cpus[256];
	unsigned i, cores = 0, j;
	long *core = xcalloc(cb_ncpus, sizeof(*core));

	format_cpu_list(cpus, sizeof(cpus));
	printf("cpus: %ld online, %u allowed (%s)\n", cb_online_cpus, cb_ncpus, cpus);
	for (i = 0; i < cb_ncpus; i++) {
		bool seen = false;

		core[i] = cpu_core(cb_cpus[i]);
		for (j = 0; j < i && !seen; j++)
			seen = core[j] == core[i];
		cores += !seen;
	}
	free(core);
	printf("cores: %u (allowed CPUs on distinct cores), %s\n", cores,
	       cores < cb_ncpus ? "SMT siblings present" : "no SMT siblings among the allowed CPUs");
#ifdef HAVE_LIBNUMA
	if (numa_available() >= 0) {
		int n, m, max = numa_max_node();

		printf("numa: %d node%s\n", max + 1, max ? "s" : "");
		for (n = 0; n <= max; n++) {
			long long free_b = 0, size = numa_node_size64(n, &free_b);
			size_t len = 0;

			if (size < 0)
				continue;
			cpus[0] = '\0';
			for (i = 0; i < cb_ncpus && len + 8 < sizeof(cpus); i++) {
				if (numa_node_of_cpu(cb_cpus[i]) == n)
					len += (size_t)snprintf(cpus + len, sizeof(cpus) - len, "%s%d",
								len ? "," : "", cb_cpus[i]);
			}
			printf("node %d: cpus %s; memory %lld MiB (%lld MiB free)\n", n,
			       len ? cpus : "(none allowed)", size >> 20, free_b >> 20);
		}
		printf("distances:");
		for (n = 0; n <= max; n++)
			printf(" %4d", n);
		printf("\n");
		for (n = 0; n <= max; n++) {
			printf("%9d:", n);
			for (m = 0; m <= max; m++)
				printf(" %4d", numa_distance(n, m));
			printf("\n");
		}
		return;
	}
	printf("numa: not available on this system (one node)\n");
#else
	printf("numa: ccbench built without libnuma (one node assumed)\n");
#endif
}

/* Peak resident set size: reset before a run (Linux: clear_refs 5), read
 * after it (VmHWM); 0 when unknown. */
static void reset_peak_rss(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");

	if (f != NULL) {
		fputs("5", f);
		fclose(f);
	}
}

static uint64_t peak_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t kb = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmHWM: %" SCNu64, &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* --- the threads ------------------------------------------------------------ */

static inline bool stop_raised(struct cb_run *run)
{
	/* relaxed: a signal only; results travel through pthread_join */
	return atomic_load_explicit(&run->stop.raised, memory_order_relaxed);
}

static void raise_stop(struct cb_run *run)
{
	/* release: a signal; nothing is read through it (stop_raised is relaxed) */
	atomic_store_explicit(&run->stop.raised, true, memory_order_release);
}

static void fail_op(struct cb_thread *t, const char *op, int rc)
{
	t->error = rc;
	t->error_op = op;
	raise_stop(t->run);
}

/* --verify: a popped item must come from a known producer and, for
 * queues, after every item of that producer this thread popped before. */
static void check_popped(struct cb_thread *t, uintptr_t v)
{
	uintptr_t producer = (v >> CB_SEQ_BITS) - 1;
	uint64_t seq = v & CB_SEQ_MASK;

	if (producer > t->run->nthreads) {
		if (t->bad_items++ == 0)
			t->bad_item = v;
		return;
	}
	if (!t->run->fifo)
		return;
	if (seq < t->next_seq[producer]) {
		if (t->fifo_errors++ == 0) {
			t->fifo_producer = (unsigned)producer;
			t->fifo_seq = seq;
			t->fifo_after = t->next_seq[producer] - 1;
		}
		return;
	}
	t->next_seq[producer] = seq + 1;
}

/*
 * The hot loops.  `verify` is a compile-time constant at each call site
 * (see run_phase), so the non-verifying loops carry no checksum work.
 * Counters live in locals and are stored once at the end.
 */
#define CB_INLINE static inline __attribute__((always_inline))

/* What a loop uses, copied into locals that stay in registers. */
struct cb_counts {
	struct cb_run *run;
	void *obj;
	int (*push)(void *obj, void *item);
	int (*pop)(void *obj, void **item);
	uintptr_t item_base;
	uint64_t pushes, pops, seq, push_sum, pop_sum, attempts;
	struct cb_lat *lat;
};

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

/* Before an operation: the time, when this one is sampled; 0 otherwise. */
CB_INLINE uint64_t lat_begin(struct cb_lat *l)
{
	if (__builtin_expect(++l->tick >= CB_LAT_EVERY, 0)) {
		l->tick = 0;
		if (l->ns != NULL)
			return now_ns();
	}
	return 0;
}

CB_INLINE void lat_end(struct cb_lat *l, uint64_t t0)
{
	if (__builtin_expect(t0 != 0, 0)) {
		uint64_t d = now_ns() - t0;

		l->ns[l->next] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
		l->next = (l->next + 1) % CB_LAT_SLOTS;
		l->count++;
	}
}

/* Spin for about ns nanoseconds of local work (pairs-delay), calibrated
 * once by calibrate_delay(). */
static double cb_spins_per_ns = 1.0;

static inline void local_work(uint64_t ns)
{
	uint64_t i, n = (uint64_t)((double)ns * cb_spins_per_ns);

	for (i = 0; i < n; i++)
		__asm__ __volatile__("" ::: "memory");
}

static void calibrate_delay(void)
{
	uint64_t spins = 1u << 20, t0, t1;

	for (;;) {
		uint64_t i;

		t0 = now_ns();
		for (i = 0; i < spins; i++)
			__asm__ __volatile__("" ::: "memory");
		t1 = now_ns();
		if (t1 - t0 >= 20000000u || spins >= (UINT64_C(1) << 34))
			break;
		spins *= 4;
	}
	cb_spins_per_ns = (double)spins / (double)(t1 - t0 ? t1 - t0 : 1);
}

CB_INLINE int do_push(struct cb_counts *c, const bool verify)
{
	uintptr_t v = c->item_base | (uintptr_t)(c->seq & CB_SEQ_MASK);
	uint64_t t0 = lat_begin(c->lat);
	int rc = c->push(c->obj, (void *)v);

	lat_end(c->lat, t0);
	if (rc == 0) {
		c->pushes++;
		c->seq++;
		if (verify)
			c->push_sum += cb_mix64(v);
	}
	return rc;
}

CB_INLINE int do_pop(struct cb_thread *t, struct cb_counts *c, const bool verify)
{
	void *item;
	uint64_t t0 = lat_begin(c->lat);
	int rc = c->pop(c->obj, &item);

	lat_end(c->lat, t0);
	if (rc == 0) {
		c->pops++;
		if (verify) {
			c->pop_sum += cb_mix64((uintptr_t)item);
			check_popped(t, (uintptr_t)item);
		}
	}
	return rc;
}

CB_INLINE void phase_pairs(struct cb_thread *t, struct cb_counts *c, uint64_t quota,
			   const bool verify)
{
	int rc;

	while (!stop_raised(c->run) && c->attempts < quota) {
		rc = do_push(c, verify);
		if (rc != 0 && rc != -EAGAIN) {
			fail_op(t, "push", rc);
			break;
		}
		rc = do_pop(t, c, verify);
		if (rc != 0 && rc != -EAGAIN) {
			fail_op(t, "pop", rc);
			break;
		}
		c->attempts += 2;
	}
}

CB_INLINE void phase_pairs_delay(struct cb_thread *t, struct cb_counts *c, uint64_t quota,
				 const bool verify)
{
	uint64_t rng = t->rng;
	int rc;

	while (!stop_raised(c->run) && c->attempts < quota) {
		rc = do_push(c, verify);
		if (rc != 0 && rc != -EAGAIN) {
			fail_op(t, "push", rc);
			break;
		}
		local_work(50 + (xorshift64(&rng) >> 32) % 101);
		rc = do_pop(t, c, verify);
		if (rc != 0 && rc != -EAGAIN) {
			fail_op(t, "pop", rc);
			break;
		}
		local_work(50 + (xorshift64(&rng) >> 32) % 101);
		c->attempts += 2;
	}
	t->rng = rng;
}

CB_INLINE void phase_random(struct cb_thread *t, struct cb_counts *c, uint64_t quota,
			    const bool verify)
{
	uint64_t rng = t->rng;
	int rc;

	while (!stop_raised(c->run) && c->attempts < quota) {
		if (xorshift64(&rng) >> 63) {
			rc = do_push(c, verify);
			if (rc != 0 && rc != -EAGAIN) {
				fail_op(t, "push", rc);
				break;
			}
		} else {
			rc = do_pop(t, c, verify);
			if (rc != 0 && rc != -EAGAIN) {
				fail_op(t, "pop", rc);
				break;
			}
		}
		c->attempts++;
	}
	t->rng = rng;
}

static inline bool role_done(struct cb_role_count *count)
{
	/* acquire: the other side's last operations happen before our retry */
	return atomic_load_explicit(&count->left, memory_order_acquire) == 0;
}

/* A full push (bounded structure) is retried and not counted; with --ops
 * the quota counts successful pushes. */
CB_INLINE void phase_producer(struct cb_thread *t, struct cb_counts *c, uint64_t quota,
			      const bool verify)
{
	uint64_t start = c->pushes;
	int rc;

	while (!stop_raised(c->run) && c->pushes - start < quota) {
		rc = do_push(c, verify);
		if (rc == 0)
			continue;
		if (rc != -EAGAIN) {
			fail_op(t, "push", rc);
			break;
		}
		if (role_done(&c->run->consumers) && do_push(c, verify) == -EAGAIN)
			break; /* full, and nobody will pop any more */
	}
}

/* An empty pop is retried and not counted; with --ops the quota counts
 * successful pops. */
CB_INLINE void phase_consumer(struct cb_thread *t, struct cb_counts *c, uint64_t quota,
			      const bool verify)
{
	uint64_t start = c->pops;
	int rc;

	while (!stop_raised(c->run) && c->pops - start < quota) {
		rc = do_pop(t, c, verify);
		if (rc == 0)
			continue;
		if (rc != -EAGAIN) {
			fail_op(t, "pop", rc);
			break;
		}
		if (role_done(&c->run->producers) && do_pop(t, c, verify) == -EAGAIN)
			break; /* empty, and nobody will push any more */
	}
}

CB_INLINE void phase_role(struct cb_thread *t, struct cb_counts *c, uint64_t quota,
			  const bool verify)
{
	switch (t->role) {
	case CB_ROLE_PAIRS:
		phase_pairs(t, c, quota, verify);
		break;
	case CB_ROLE_PAIRS_DELAY:
		phase_pairs_delay(t, c, quota, verify);
		break;
	case CB_ROLE_PRODUCER:
		phase_producer(t, c, quota, verify);
		break;
	case CB_ROLE_CONSUMER:
		phase_consumer(t, c, quota, verify);
		break;
	case CB_ROLE_RANDOM:
		phase_random(t, c, quota, verify);
		break;
	case CB_ROLE_MAP: /* run_phase calls phase_map */
		break;
	}
}

/* --- the map workloads ------------------------------------------------------ */

/* A multiplier m coprime with n (1 <= n <= 2^32): i -> i * m mod n permutes
 * [0, n), and i * m does not overflow. */
static uint64_t coprime_multiplier(uint64_t n)
{
	/* two primes below 2^32: n is a multiple of at most one of them */
	uint64_t m = UINT64_C(4294967291) % n;

	if (m == 0 && n > 1)
		m = UINT64_C(4294967279) % n;
	return m;
}

/* zeta(n, theta) = sum of i^-theta for i = 1..n: exactly up to
 * CB_ZETA_EXACT terms (smallest first), then the Euler-Maclaurin
 * approximation of the tail (integral, end and first-derivative terms). */
static double zeta(uint64_t n, double theta)
{
	uint64_t exact = n < CB_ZETA_EXACT ? n : CB_ZETA_EXACT, i;
	double sum = 0;

	for (i = exact; i >= 1; i--)
		sum += pow((double)i, -theta);
	if (n > exact) {
		double a = (double)exact, b = (double)n;

		sum += (pow(b, 1 - theta) - pow(a, 1 - theta)) / (1 - theta) +
		       (pow(b, -theta) - pow(a, -theta)) / 2 -
		       theta * (pow(b, -theta - 1) - pow(a, -theta - 1)) / 12;
	}
	return sum;
}

static void setup_keys(const struct cb_options *o)
{
	struct cb_keygen *g = &cb_keys;
	double theta = o->theta;

	memset(g, 0, sizeof(*g));
	g->range = o->key_range;
	g->scatter = coprime_multiplier(o->key_range);
	g->zipf = o->dist == CB_DIST_ZIPF;
	if (!g->zipf)
		return;
	g->theta = theta;
	g->alpha = 1 / (1 - theta);
	g->zetan = zeta(g->range, theta);
	g->cut1 = 1 + pow(0.5, theta);
	/* n <= 2: every draw ends at rank 0 or 1, before eta is used */
	if (g->range > 2)
		g->eta = (1 - pow(2.0 / (double)g->range, 1 - theta)) /
			 (1 - zeta(2, theta) / g->zetan);
}

/* xorshift64*: the map workloads use all 64 bits of each draw. */
static inline uint64_t rng_next(uint64_t *state)
{
	return xorshift64(state) * UINT64_C(0x2545f4914f6cdd1d);
}

/* A key from 1 to cb_keys.range.  Uniform keys use the low 32 bits of x
 * (the caller uses the high ones); Zipf keys draw again. */
CB_INLINE uint64_t draw_key(uint64_t x, uint64_t *rng)
{
	const struct cb_keygen *g = &cb_keys;
	uint64_t rank;
	double u, uz;

	if (!g->zipf)
		return 1 + (((x & UINT64_C(0xffffffff)) * g->range) >> 32);
	u = (double)(rng_next(rng) >> 11) * 0x1.0p-53;
	uz = u * g->zetan;
	if (uz < 1) {
		rank = 0;
	} else if (uz < g->cut1) {
		rank = 1;
	} else {
		rank = (uint64_t)((double)g->range * pow(g->eta * u - g->eta + 1, g->alpha));
		if (rank >= g->range)
			rank = g->range - 1;
	}
	return 1 + rank * g->scatter % g->range;
}

CB_INLINE void note_bad_value(struct cb_map_counts *c, uint64_t key)
{
	if (c->bad_values++ == 0)
		c->bad_key = key;
}

/* The threads fill the map before they are timed: thread i takes the i-th
 * slice of the key range, in a scattered order (so that the nodes do not
 * lie in memory in key order), and inserts the keys that the run's
 * prefill rule selects. */
static void prefill_map(struct cb_thread *t)
{
	struct cb_run *run = t->run;
	uint64_t range = cb_keys.range, n = run->nthreads;
	uint64_t lo = range * t->id / n, len = range * (t->id + 1) / n - lo;
	uint64_t m = len ? coprime_multiplier(len) : 0, j;

	for (j = 0; j < len && !stop_raised(run); j++) {
		uint64_t key = 1 + lo + j * m % len;
		int rc;

		if (!run->prefill_all && cb_mix64(key ^ run->prefill_salt) >= run->prefill_below)
			continue;
		rc = run->map->put(run->obj, key, cb_map_value(key));
		if (rc == 0) {
			t->mc.inserts++;
			t->mc.key_sum += key;
			t->mc.key_mix ^= cb_mix64(key);
			t->prefilled++;
		} else if (rc == 1) {
			t->mc.replaces++; /* a fresh key was present: --verify tells */
		} else {
			fail_op(t, "put (prefill)", rc);
			return;
		}
	}
}

CB_INLINE void phase_map(struct cb_thread *t, uint64_t quota, const bool verify)
{
	struct cb_run *run = t->run;
	const struct cb_map_ops *map = run->map;
	void *obj = run->obj;
	struct cb_map_counts c = t->mc;
	uint64_t rng = t->rng, start = c.ops;
	int rc;

	while (!stop_raised(run) && c.ops - start < quota) {
		uint64_t x = rng_next(&rng);
		uint64_t op = x >> 32;
		uint64_t key = draw_key(x, &rng);
		uint64_t value, t0 = lat_begin(&t->lat);

		if (op < run->cut[CB_OP_GET]) {
			rc = map->get(obj, key, &value);
			if (rc == 0) {
				c.hits++;
				if (verify && value != cb_map_value(key))
					note_bad_value(&c, key);
			} else if (rc != -ENOENT) {
				fail_op(t, "get", rc);
				break;
			}
			c.gets++;
		} else if (op < run->cut[CB_OP_PUT]) {
			rc = map->put(obj, key, cb_map_value(key));
			if (rc == 0) {
				c.inserts++;
				if (verify) {
					c.key_sum += key;
					c.key_mix ^= cb_mix64(key);
				}
			} else if (rc == 1) {
				c.replaces++;
			} else {
				fail_op(t, "put", rc);
				break;
			}
		} else if (op < run->cut[CB_OP_REMOVE]) {
			rc = map->remove(obj, key);
			if (rc == 0) {
				c.removes++;
				if (verify) {
					c.key_sum -= key;
					c.key_mix ^= cb_mix64(key);
				}
			} else if (rc == -ENOENT) {
				c.misses++;
			} else {
				fail_op(t, "remove", rc);
				break;
			}
		} else {
			struct cb_scan scan;

			memset(&scan, 0, sizeof(scan));
			scan.from = key;
			scan.limit = run->range_len;
			rc = map->scan(obj, key, &scan);
			if (rc != 0) {
				fail_op(t, "scan", rc);
				break;
			}
			c.scans++;
			c.scanned += scan.count;
			if (verify && scan.bad)
				note_bad_value(&c, key);
		}
		lat_end(&t->lat, t0);
		c.ops++;
	}
	t->rng = rng;
	t->mc = c;
}

/* One phase (warmup or measured): until the stop flag, or the quota. */
static void run_phase(struct cb_thread *t, uint64_t quota)
{
	struct cb_counts c = {
		t->run, t->run->obj, t->run->push, t->run->pop, t->item_base,
		t->pushes, t->pops, t->seq, t->push_sum, t->pop_sum, 0, &t->lat,
	};

	if (t->role == CB_ROLE_MAP) {
		if (t->run->verify)
			phase_map(t, quota, true);
		else
			phase_map(t, quota, false);
		return;
	}
	if (t->run->verify)
		phase_role(t, &c, quota, true);
	else
		phase_role(t, &c, quota, false);
	t->pushes = c.pushes;
	t->pops = c.pops;
	t->seq = c.seq;
	t->push_sum = c.push_sum;
	t->pop_sum = c.pop_sum;
}

static void *bench_thread(void *arg)
{
	struct cb_thread *t = arg;
	struct cb_run *run = t->run;
	uint64_t before;

	/* register with libconcoll's SMR now, not inside the measured window */
	(void)concoll_thread_attach();
	apply_numa(run->o); /* what the thread allocates: map nodes, rings */
	if (t->role == CB_ROLE_MAP)
		prefill_map(t);

	if (run->warmup) {
		pthread_barrier_wait(&run->barrier);
		run_phase(t, UINT64_MAX);
		pthread_barrier_wait(&run->barrier);
	}
	pthread_barrier_wait(&run->barrier);
	t->lat.ns = t->lat_buf;
	t->lat.next = 0;
	t->lat.count = 0;
	clock_gettime(CLOCK_MONOTONIC, &t->start);
	before = t->pushes + t->pops + t->mc.ops;
	run_phase(t, run->timed ? UINT64_MAX : t->quota);
	clock_gettime(CLOCK_MONOTONIC, &t->end);
	t->measured = t->pushes + t->pops + t->mc.ops - before;
	t->lat.ns = NULL;
	/* release: pairs with role_done(); our operations are complete */
	if (t->role == CB_ROLE_PRODUCER)
		atomic_fetch_sub_explicit(&run->producers.left, 1, memory_order_release);
	else if (t->role == CB_ROLE_CONSUMER)
		atomic_fetch_sub_explicit(&run->consumers.left, 1, memory_order_release);
	return NULL;
}

/* --- one run ---------------------------------------------------------------- */

/* Splits total over n parts: part i gets total / n, plus one for i below
 * the remainder. */
static uint64_t share(uint64_t total, unsigned n, unsigned i)
{
	return total / n + (i < total % n ? 1 : 0);
}

static void setup_roles(struct cb_thread *threads, unsigned n, const struct cb_workload *w,
			uint64_t ops)
{
	unsigned producers = 0, consumers = 0, i;

	if (w->info->kind == CB_WL_PROD_CONS && n > 1) {
		producers = w->producers ? w->producers : n / 2;
		consumers = n - producers;
	}
	for (i = 0; i < n; i++) {
		struct cb_thread *t = &threads[i];

		if (w->info->families == CB_MAPS) {
			t->role = CB_ROLE_MAP;
			t->quota = share(ops, n, i);
		} else if (w->info->kind == CB_WL_RANDOM) {
			t->role = CB_ROLE_RANDOM;
			t->quota = share(ops, n, i);
		} else if (w->info->kind == CB_WL_PAIRS_DELAY) {
			t->role = CB_ROLE_PAIRS_DELAY;
			t->quota = share(ops, n, i);
		} else if (producers == 0) {
			t->role = CB_ROLE_PAIRS;
			t->quota = share(ops, n, i);
		} else if (i < producers) {
			t->role = CB_ROLE_PRODUCER;
			t->quota = share(ops / 2, producers, i);
		} else {
			t->role = CB_ROLE_CONSUMER;
			t->quota = share(ops / 2, consumers, i - producers);
		}
	}
}

struct cb_verify_totals {
	uint64_t pushed, push_sum;
	uint64_t popped, pop_sum;
	uint64_t drained, drain_sum;
	bool overflow; /* the drain returned more than was ever pushed */
};

static void report_verify_failure(const struct cb_structure *st, const char *wl, unsigned n,
				  unsigned run_no, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void report_verify_failure(const struct cb_structure *st, const char *wl, unsigned n,
				  unsigned run_no, const char *fmt, ...)
{
	va_list ap;

	clear_progress();
	fflush(stdout);
	fprintf(stderr, "ccbench: verify FAILED: structure %s, workload %s, threads %u, run %u: ",
		st->name, wl, n, run_no);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cb_any_verify_failed = true;
}

/* Pops everything left (single-threaded now) into the drain totals and the
 * order check of main_t; stops early when more comes out than went in. */
static void drain(struct cb_run *run, struct cb_thread *main_t, struct cb_verify_totals *v)
{
	uint64_t limit = v->pushed - (v->popped < v->pushed ? v->popped : v->pushed);
	void *item;
	int rc;

	while ((rc = run->pop(run->obj, &item)) == 0) {
		if (v->drained == limit) {
			v->overflow = true;
			break;
		}
		v->drained++;
		v->drain_sum += cb_mix64((uintptr_t)item);
		check_popped(main_t, (uintptr_t)item);
	}
	if (rc != 0 && rc != -EAGAIN && !v->overflow)
		die(EXIT_RUNTIME, "%s: pop failed while draining: %s", run->st->name, strerror(-rc));
}

static bool verify_run(struct cb_run *run, struct cb_thread *threads, struct cb_thread *main_t,
		       const char *wl, unsigned run_no)
{
	const struct cb_structure *st = run->st;
	struct cb_verify_totals v;
	uint64_t fifo_errors = 0, bad_items = 0;
	bool ok = true, wrapped = false;
	unsigned i, n = run->nthreads;

	memset(&v, 0, sizeof(v));
	v.pushed = main_t->pushes;
	v.push_sum = main_t->push_sum;
	for (i = 0; i < n; i++) {
		v.pushed += threads[i].pushes;
		v.push_sum += threads[i].push_sum;
		v.popped += threads[i].pops;
		v.pop_sum += threads[i].pop_sum;
		if (threads[i].seq > CB_SEQ_MASK + (uint64_t)1)
			wrapped = true;
	}
	drain(run, main_t, &v);

	if (v.overflow) {
		report_verify_failure(st, wl, n, run_no,
				      "draining returned more than the %" PRIu64 " items pushed "
				      "minus the %" PRIu64 " popped", v.pushed, v.popped);
		ok = false;
	} else if (v.pushed != v.popped + v.drained ||
		   v.push_sum != v.pop_sum + v.drain_sum) {
		report_verify_failure(st, wl, n, run_no,
				      "pushed %" PRIu64 " items (checksum %016" PRIx64 "), "
				      "popped %" PRIu64 " + drained %" PRIu64 " = %" PRIu64
				      " items (checksum %016" PRIx64 ")",
				      v.pushed, v.push_sum, v.popped, v.drained,
				      v.popped + v.drained, v.pop_sum + v.drain_sum);
		ok = false;
	}
	for (i = 0; i <= n; i++) {
		struct cb_thread *t = i < n ? &threads[i] : main_t;

		bad_items += t->bad_items;
		if (t->bad_items && !wrapped) {
			report_verify_failure(st, wl, n, run_no,
					      "%s popped %" PRIu64 " items that no thread pushed "
					      "(first %#" PRIxPTR ")", i < n ? "a thread" : "the drain",
					      t->bad_items, t->bad_item);
			ok = false;
		}
		fifo_errors += t->fifo_errors;
		if (t->fifo_errors && !wrapped) {
			char who[32], producer[32];

			if (i < n)
				snprintf(who, sizeof(who), "thread %u", i);
			else
				snprintf(who, sizeof(who), "the drain");
			if (t->fifo_producer < n)
				snprintf(producer, sizeof(producer), "thread %u", t->fifo_producer);
			else
				snprintf(producer, sizeof(producer), "the prefill");
			report_verify_failure(st, wl, n, run_no,
					      "FIFO order broken %" PRIu64 " times as seen by %s; "
					      "first: item %" PRIu64 " of %s popped after its item %"
					      PRIu64, t->fifo_errors, who, t->fifo_seq, producer,
					      t->fifo_after);
			ok = false;
		}
	}
	if (wrapped && (fifo_errors || bad_items))
		fprintf(stderr, "ccbench: note: sequence numbers wrapped; order not checked\n");
	return ok;
}

/* Maps: the keys the operations left (from the threads' counts, the
 * prefill included) must be those that a full scan finds. */
static bool verify_map_run(struct cb_run *run, struct cb_thread *threads, const char *wl,
			   unsigned run_no)
{
	const struct cb_structure *st = run->st;
	struct cb_scan scan;
	uint64_t count = 0, sum = 0, mix = 0, bad = 0, bad_key = 0;
	unsigned i, n = run->nthreads;
	bool ok = true;
	size_t size;
	int rc;

	for (i = 0; i < n; i++) {
		const struct cb_map_counts *c = &threads[i].mc;

		count += c->inserts - c->removes; /* modulo 2^64: the total is right */
		sum += c->key_sum;
		mix ^= c->key_mix;
		if (c->bad_values && bad == 0)
			bad_key = c->bad_key;
		bad += c->bad_values;
	}
	memset(&scan, 0, sizeof(scan));
	scan.limit = UINT64_MAX;
	scan.full = true;
	rc = run->map->scan(run->obj, 0, &scan);
	if (rc != 0)
		die(EXIT_RUNTIME, "%s: scan failed while verifying: %s", st->name, strerror(-rc));
	if (scan.count != count || scan.sum != sum || scan.mix != mix) {
		report_verify_failure(st, wl, n, run_no,
				      "a scan finds %" PRIu64 " keys (sum %016" PRIx64 ", xor %016"
				      PRIx64 "), the operations left %" PRIu64 " keys (sum %016"
				      PRIx64 ", xor %016" PRIx64 ")", scan.count, scan.sum,
				      scan.mix, count, sum, mix);
		ok = false;
	}
	if (scan.bad) {
		report_verify_failure(st, wl, n, run_no,
				      "the scan returned %" PRIu64 " entries out of order or with "
				      "a wrong value", scan.bad);
		ok = false;
	}
	size = run->map->size(run->obj);
	if (size != scan.count) {
		report_verify_failure(st, wl, n, run_no,
				      "the size is %zu, a scan finds %" PRIu64 " entries", size,
				      scan.count);
		ok = false;
	}
	if (bad) {
		report_verify_failure(st, wl, n, run_no,
				      "%" PRIu64 " gets or scans read a wrong value or went out "
				      "of order (first: key %" PRIu64 ")", bad, bad_key);
		ok = false;
	}
	return ok;
}

/* Maps: where each operation of the mix starts in the 32-bit draw, and
 * which keys the prefill inserts. */
static void setup_map_run(struct cb_run *run, const struct cb_options *o,
			  const struct cb_workload *w)
{
	double cum = 0, frac;
	int i;

	run->map = &run->st->map;
	run->range_len = o->range_len;
	for (i = 0; i < CB_OP_COUNT; i++) {
		cum += w->mix[i];
		run->cut[i] = cum >= 100 ? (uint64_t)1 << 32 :
			      (uint64_t)(cum / 100 * 4294967296.0 + 0.5);
	}
	run->cut[CB_OP_COUNT - 1] = (uint64_t)1 << 32;
	if (o->prefill_given)
		frac = (double)o->prefill / (double)o->key_range;
	else if (w->mix[CB_OP_PUT] + w->mix[CB_OP_REMOVE] > 0)
		frac = w->mix[CB_OP_PUT] / (w->mix[CB_OP_PUT] + w->mix[CB_OP_REMOVE]);
	else
		frac = 0.5;
	run->prefill_all = frac >= 1;
	run->prefill_below = frac >= 1 ? UINT64_MAX : (uint64_t)(frac * 18446744073709551616.0);
	run->prefill_salt = cb_mix64(o->seed ^ UINT64_C(0x6a09e667f3bcc909));
}

/* Pushes the prefill as the pseudo-producer main_t. */
static void prefill(struct cb_run *run, struct cb_thread *main_t, uint64_t count, size_t capacity)
{
	uint64_t i;

	for (i = 0; i < count; i++) {
		uintptr_t v = main_t->item_base | (uintptr_t)main_t->seq;
		int rc = run->push(run->obj, (void *)v);

		if (rc == -EAGAIN)
			die(EXIT_USAGE, "--prefill=%" PRIu64 " does not fit in %s "
			    "(full after %" PRIu64 " items; --capacity=%zu)",
			    count, run->st->name, i, capacity);
		if (rc != 0)
			die(EXIT_RUNTIME, "%s: push failed during prefill: %s", run->st->name,
			    strerror(-rc));
		main_t->seq++;
		main_t->pushes++;
		main_t->push_sum += cb_mix64(v);
	}
}

static void start_threads(struct cb_thread *threads, unsigned n, const struct cb_options *o)
{
	pthread_attr_t attr;
	unsigned i;
	int rc;

	for (i = 0; i < n; i++) {
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, CB_THREAD_STACK);
#ifdef HAVE_PTHREAD_SETAFFINITY_NP
		if (thread_cpu(o, i) >= 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(thread_cpu(o, i), &set);
			rc = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
			if (rc != 0)
				die(EXIT_RUNTIME, "cannot pin thread %u to CPU %d: %s", i,
				    thread_cpu(o, i), strerror(rc));
		}
#else
		(void)o;
#endif
		rc = pthread_create(&threads[i].handle, &attr, bench_thread, &threads[i]);
		pthread_attr_destroy(&attr);
		if (rc != 0)
			die(EXIT_RUNTIME, "cannot start thread %u of %u: %s", i + 1, n, strerror(rc));
	}
}

static struct cb_thread *alloc_threads(unsigned n)
{
	size_t size = (size_t)n * sizeof(struct cb_thread);
	struct cb_thread *threads = aligned_alloc(CB_CACHELINE, size);

	if (threads == NULL)
		die(EXIT_RUNTIME, "out of memory");
	memset(threads, 0, size);
	return threads;
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Throughput of the slowest and the fastest thread (fairness). */
static void thread_spread(const struct cb_thread *threads, unsigned n, struct cb_result *res)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		double secs = timespec_seconds(&threads[i].end) - timespec_seconds(&threads[i].start);
		double v = secs > 0 ? (double)threads[i].measured / secs : 0;

		if (i == 0 || v < res->thread_min)
			res->thread_min = v;
		if (i == 0 || v > res->thread_max)
			res->thread_max = v;
	}
}

/* Percentile p (0 to 1) of sorted v[0..n), nearest rank. */
static double percentile(const uint32_t *v, size_t n, double p)
{
	size_t k;

	if (n == 0)
		return 0;
	k = (size_t)ceil(p * (double)n);
	return v[k ? k - 1 : 0];
}

/* The percentiles of every thread's samples together. */
static struct cb_latency latency_of(const struct cb_thread *threads, unsigned n)
{
	struct cb_latency l;
	size_t total = 0, k = 0;
	uint32_t *all;
	unsigned i;

	memset(&l, 0, sizeof(l));
	for (i = 0; i < n; i++)
		total += threads[i].lat.count < CB_LAT_SLOTS ? threads[i].lat.count : CB_LAT_SLOTS;
	if (total == 0)
		return l;
	all = xcalloc(total, sizeof(*all));
	for (i = 0; i < n; i++) {
		size_t c = threads[i].lat.count < CB_LAT_SLOTS ? threads[i].lat.count : CB_LAT_SLOTS;

		memcpy(all + k, threads[i].lat_buf, c * sizeof(*all));
		k += c;
	}
	qsort(all, total, sizeof(*all), compare_u32);
	l.p50 = percentile(all, total, 0.50);
	l.p99 = percentile(all, total, 0.99);
	l.p999 = percentile(all, total, 0.999);
	l.samples = total;
	free(all);
	return l;
}

/* Runs st with n threads once.  Returns its throughput. */
static struct cb_result run_once(const struct cb_options *o, const struct cb_structure *st,
				 const struct cb_workload *w, const char *wl, unsigned n,
				 unsigned run_no)
{
	struct cb_params params = { o->capacity };
	struct cb_result res;
	struct cb_thread *threads = alloc_threads(n + 1);
	struct cb_thread *main_t = &threads[n]; /* the prefill and the drain */
	struct cb_run *run = aligned_alloc(CB_CACHELINE, sizeof(*run));
	double t0 = 0, t_end = 0;
	uint64_t ops = 0;
	unsigned i;

	if (run == NULL)
		die(EXIT_RUNTIME, "out of memory");
	memset(&res, 0, sizeof(res));
	memset(run, 0, sizeof(*run));
	run->st = st;
	run->push = st->pool.push;
	run->pop = st->pool.pop;
	run->nthreads = n;
	run->verify = o->verify;
	run->fifo = st->family == CB_FAMILY_QUEUE;
	if (st->family == CB_FAMILY_MAP)
		setup_map_run(run, o, w);
	run->warmup = o->warmup > 0;
	run->timed = o->ops == 0;
	run->o = o;
	atomic_init(&run->stop.raised, false);
	atomic_init(&run->producers.left, 0);
	atomic_init(&run->consumers.left, 0);

	reset_peak_rss();
	apply_numa(o); /* the structure, and the prefill of pools below */
	errno = 0;
	run->obj = st->create(&params);
	if (run->obj == NULL)
		die(EXIT_RUNTIME, "cannot create %s: %s", st->name,
		    strerror(errno ? errno : ENOMEM));

	setup_roles(threads, n, w, o->ops);
	for (i = 0; i <= n; i++) {
		struct cb_thread *t = &threads[i];

		/* relaxed: the threads start later; pthread_create orders it */
		if (i < n && t->role == CB_ROLE_PRODUCER)
			atomic_fetch_add_explicit(&run->producers.left, 1, memory_order_relaxed);
		if (i < n && t->role == CB_ROLE_CONSUMER)
			atomic_fetch_add_explicit(&run->consumers.left, 1, memory_order_relaxed);

		t->run = run;
		t->id = i;
		t->item_base = (uintptr_t)(i + 1) << CB_SEQ_BITS;
		t->rng = cb_mix64(o->seed + UINT64_C(0x9e3779b97f4a7c15) * (i + 1)) | 1;
		if (o->verify && run->map == NULL)
			t->next_seq = xcalloc(n + 1, sizeof(*t->next_seq));
		if (i < n)
			t->lat_buf = xcalloc(CB_LAT_SLOTS, sizeof(*t->lat_buf));
	}
	snprintf(res.algorithm, sizeof(res.algorithm), "%s", st->algorithm(run->obj));
	if (run->map == NULL) {
		prefill(run, main_t, o->prefill, o->capacity);
		res.prefilled = o->prefill;
	}
	reset_numa(o);

	if (pthread_barrier_init(&run->barrier, NULL, n + 1) != 0)
		die(EXIT_RUNTIME, "cannot create a barrier for %u threads", n + 1);
	start_threads(threads, n, o);

	if (run->warmup) {
		pthread_barrier_wait(&run->barrier);
		sleep_seconds(o->warmup);
		raise_stop(run);
		pthread_barrier_wait(&run->barrier);
		/* relaxed: the threads read it only after the next barrier */
		atomic_store_explicit(&run->stop.raised, false, memory_order_relaxed);
	}
	pthread_barrier_wait(&run->barrier);
	if (run->timed) {
		sleep_seconds(o->duration);
		raise_stop(run);
	}
	for (i = 0; i < n; i++)
		pthread_join(threads[i].handle, NULL);
	pthread_barrier_destroy(&run->barrier);

	/* the measured window: from the first thread's start to the last one's
	 * end (the main thread may run late after the barrier) */
	for (i = 0; i < n; i++) {
		struct cb_thread *t = &threads[i];
		double start = timespec_seconds(&t->start);
		double end = timespec_seconds(&t->end);

		if (t->error)
			die(EXIT_RUNTIME, "%s: %s failed in thread %u of %u: %s (%d)", st->name,
			    t->error_op, i, n, strerror(-t->error), t->error);
		ops += t->measured;
		res.prefilled += t->prefilled;
		if (i == 0 || start < t0)
			t0 = start;
		if (end > t_end)
			t_end = end;
	}
	res.elapsed = t_end > t0 ? t_end - t0 : 1e-9;
	res.ops_per_sec = (double)ops / res.elapsed;
	thread_spread(threads, n, &res);
	res.lat = latency_of(threads, n);
	res.peak_rss_kb = peak_rss_kb();

	if (o->verify && run->map != NULL)
		res.verify_failed = !verify_map_run(run, threads, wl, run_no);
	else if (o->verify)
		res.verify_failed = !verify_run(run, threads, main_t, wl, run_no);

	st->destroy(run->obj);
	for (i = 0; i <= n; i++) {
		free(threads[i].next_seq);
		free(threads[i].lat_buf);
	}
	free(threads);
	free(run);
	return res;
}

/* --- output ----------------------------------------------------------------- */

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_of(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), compare_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Whether structure st runs workload w. */
static bool runs_on(const struct cb_workload *w, const struct cb_structure *st)
{
	return (w->info->families & (1u << st->family)) != 0;
}

/* Whether the sweep runs a map. */
static bool sweep_has_maps(const struct cb_options *o)
{
	size_t s, wi;

	for (s = 0; s < o->nstructures; s++) {
		for (wi = 0; wi < o->nworkloads; wi++) {
			if (o->structures[s]->family == CB_FAMILY_MAP &&
			    runs_on(&o->workloads[wi], o->structures[s]))
				return true;
		}
	}
	return false;
}

static void format_dist(const struct cb_options *o, char *buf, size_t size)
{
	if (o->dist == CB_DIST_ZIPF)
		snprintf(buf, size, "zipf:%g", o->theta);
	else
		snprintf(buf, size, "uniform");
}

/* Table comments on the map workloads: keys, distribution, prefill, mixes. */
static void print_map_header(const struct cb_options *o)
{
	char dist[32];
	size_t wi;

	format_dist(o, dist, sizeof(dist));
	printf("# maps: keys 1 to %" PRIu64 ", %s%s; ", o->key_range, dist,
	       o->dist == CB_DIST_ZIPF ? " (hot keys scattered over the range)" : "");
	if (o->prefill_given)
		printf("prefill about %" PRIu64 " keys", o->prefill);
	else
		printf("prefill to the steady state");
	printf("; scans of %" PRIu64 " entries\n", o->range_len);
	for (wi = 0; wi < o->nworkloads; wi++) {
		const struct cb_workload *w = &o->workloads[wi];

		if (!(w->info->families & CB_MAPS))
			continue;
		printf("# %s: get %g%%, put %g%%, remove %g%%, scan %g%%\n", w->label,
		       w->mix[CB_OP_GET], w->mix[CB_OP_PUT], w->mix[CB_OP_REMOVE],
		       w->mix[CB_OP_SCAN]);
	}
}

/* "# algorithms: scq=scq ..." as the structures report them. */
static void print_algorithms(const struct cb_options *o)
{
	struct cb_params params = { o->capacity };
	size_t i;

	printf("# algorithms:");
	for (i = 0; i < o->nstructures; i++) {
		const struct cb_structure *st = o->structures[i];
		void *obj = st->create(&params);

		printf(" %s=%s", st->name, obj ? st->algorithm(obj) : "?");
		if (obj)
			st->destroy(obj);
	}
	printf("\n");
}

/* A JSON string (names, descriptions: printable ASCII in practice). */
static void json_str(const char *v)
{
	putchar('"');
	for (; *v; v++) {
		unsigned char ch = (unsigned char)*v;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* A finite number for JSON (NaN and infinities are not JSON). */
static void json_num(double v)
{
	printf("%.6g", isfinite(v) ? v : 0.0);
}

/* text (a separator and a key), then the number v. */
static void json_after(const char *text, double v)
{
	fputs(text, stdout);
	json_num(v);
}

static bool cb_json_first_row = true;

static void print_json_header(const struct cb_options *o)
{
	char cpus[256], numa[32];
	size_t i;

	format_cpu_list(cpus, sizeof(cpus));
	printf("{\"ccbench\": {\"version\": ");
	json_str(concoll_version());
	printf(", \"cpu\": ");
	json_str(concoll_cpu_describe());
	printf(", \"cpus_online\": %ld, \"cpus_allowed\": %u, \"cpu_list\": ", cb_online_cpus,
	       cb_ncpus);
	json_str(cpus);
	printf(", \"pin\": \"%s\", \"numa\": ", pin_name(o));
	json_str(numa_name(o, numa, sizeof(numa)));
	json_after(", \"duration\": ", o->duration);
	printf(", \"ops\": %" PRIu64 ", \"warmup\": ", o->ops);
	json_num(o->warmup);
	printf(", \"repeat\": %u, \"capacity\": %zu, \"prefill\": %" PRIu64
	       ", \"seed\": %" PRIu64 ", \"latency_sample_every\": %u, \"structures\": [",
	       o->repeat, o->capacity, o->prefill, o->seed, CB_LAT_EVERY);
	for (i = 0; i < o->nstructures; i++) {
		printf("%s", i ? ", " : "");
		json_str(o->structures[i]->name);
	}
	printf("]},\n \"runs\": [");
	fflush(stdout);
}

static void print_json_row(const struct cb_options *o, const struct cb_row *r)
{
	printf("%s\n  {\"structure\": ", cb_json_first_row ? "" : ",");
	cb_json_first_row = false;
	json_str(r->st->name);
	printf(", \"family\": \"%s\", \"progress\": \"%s\", \"peer\": %s, \"algorithm\": ",
	       cb_family_name(r->st->family), cb_progress_name(r->st->progress),
	       (r->st->flags & CB_PEER) ? "true" : "false");
	json_str(r->algorithm);
	printf(", \"workload\": ");
	json_str(r->workload);
	printf(", \"threads\": %u, \"repeat\": %u, \"ops_per_sec\": {\"median\": ", r->threads,
	       r->repeat);
	json_num(r->median);
	json_after(", \"min\": ", r->min);
	json_after(", \"max\": ", r->max);
	json_after("}, \"cv\": ", r->cv);
	json_after(", \"ns_per_op\": ", r->ns_per_op);
	json_after(", \"duration\": ", r->elapsed);
	json_after(", \"thread_ops_per_sec\": {\"min\": ", r->thread_min);
	json_after(", \"max\": ", r->thread_max);
	json_after("}, \"latency_ns\": {\"p50\": ", r->lat.p50);
	json_after(", \"p99\": ", r->lat.p99);
	json_after(", \"p999\": ", r->lat.p999);
	printf(", \"samples\": %" PRIu64 "}, \"peak_rss_kb\": %" PRIu64 ", \"smr\": {\"retired\": %"
	       PRIu64 ", \"freed\": %" PRIu64 ", \"pending\": %" PRIu64 "}, \"verified\": \"%s\", "
	       "\"prefill\": %" PRIu64, r->lat.samples, r->peak_rss_kb, r->smr_retired, r->smr_freed,
	       r->smr_pending, r->verified, r->prefilled);
	if (o->stats)
		printf(", \"stats\": {\"smr_epoch_advances\": %" PRIu64 ", \"smr_records\": %" PRIu64
		       ", \"contention\": null}", r->smr_epochs, r->smr_records);
	if (r->st->family == CB_FAMILY_MAP) {
		char dist[32];

		format_dist(o, dist, sizeof(dist));
		json_after(", \"map\": {\"get_pct\": ", r->w->mix[CB_OP_GET]);
		json_after(", \"put_pct\": ", r->w->mix[CB_OP_PUT]);
		json_after(", \"remove_pct\": ", r->w->mix[CB_OP_REMOVE]);
		json_after(", \"scan_pct\": ", r->w->mix[CB_OP_SCAN]);
		printf(", \"key_range\": %" PRIu64 ", \"dist\": ", o->key_range);
		json_str(dist);
		printf(", \"range_len\": %" PRIu64 "}", o->range_len);
	}
	printf("}");
	fflush(stdout);
}

static void print_footer(const struct cb_options *o)
{
	if (o->format == CB_FORMAT_JSON) {
		printf("\n ]}\n");
		fflush(stdout);
	}
}

static void print_header(const struct cb_options *o)
{
	char cpus[256], numa[32];

	if (o->format == CB_FORMAT_JSON) {
		print_json_header(o);
		return;
	}
	if (o->format == CB_FORMAT_CSV) {
		printf("structure,family,workload,threads,ops_per_sec_median,ops_per_sec_min,"
		       "ops_per_sec_max,cv,repeat,duration,verified,smr_retired,smr_freed,"
		       "smr_pending,ns_per_op,algorithm,get_pct,put_pct,remove_pct,scan_pct,"
		       "key_range,dist,prefill,thread_ops_min,thread_ops_max,lat_p50_ns,"
		       "lat_p99_ns,lat_p999_ns,lat_samples,peak_rss_kb,progress,peer\n");
		fflush(stdout);
		return;
	}
	format_cpu_list(cpus, sizeof(cpus));
	printf("# ccbench (libconcoll) %s; %s\n", concoll_version(), concoll_cpu_describe());
	printf("# cpus: %ld online, %u allowed (%s); pin=%s; numa=%s\n", cb_online_cpus, cb_ncpus,
	       cpus, pin_name(o), numa_name(o, numa, sizeof(numa)));
	if (o->ops)
		printf("# ops: %" PRIu64 " per run", o->ops);
	else
		printf("# duration: %g s per run", o->duration);
	printf("; warmup %g s; repeat %u; prefill %" PRIu64 "; capacity %zu\n", o->warmup,
	       o->repeat, o->prefill, o->capacity);
	print_algorithms(o);
	if (sweep_has_maps(o))
		print_map_header(o);
	printf("%-16s %-16s %7s %10s %10s %10s %9s %6s %9s\n", "structure", "workload", "threads",
	       "Mops/s", "min", "max", "ns/op", "verify", "p99(ns)");
	fflush(stdout);
}

static void print_row(const struct cb_options *o, const struct cb_row *r)
{
	if (o->format == CB_FORMAT_CSV) {
		printf("%s,%s,%s,%u,%.1f,%.1f,%.1f,%.4f,%u,%.6f,%s,%" PRIu64 ",%" PRIu64 ",%"
		       PRIu64 ",%.1f,%s,", r->st->name, cb_family_name(r->st->family), r->workload,
		       r->threads, r->median, r->min, r->max, r->cv, r->repeat, r->elapsed,
		       r->verified, r->smr_retired, r->smr_freed, r->smr_pending, r->ns_per_op,
		       r->algorithm);
		if (r->st->family == CB_FAMILY_MAP) {
			char dist[32];

			format_dist(o, dist, sizeof(dist));
			printf("%g,%g,%g,%g,%" PRIu64 ",%s,", r->w->mix[CB_OP_GET],
			       r->w->mix[CB_OP_PUT], r->w->mix[CB_OP_REMOVE], r->w->mix[CB_OP_SCAN],
			       o->key_range, dist);
		} else {
			printf(",,,,,,");
		}
		printf("%" PRIu64 ",%.1f,%.1f,%.0f,%.0f,%.0f,%" PRIu64 ",%" PRIu64 ",%s,%s\n",
		       r->prefilled, r->thread_min, r->thread_max, r->lat.p50, r->lat.p99,
		       r->lat.p999, r->lat.samples, r->peak_rss_kb, cb_progress_name(r->st->progress),
		       (r->st->flags & CB_PEER) ? "yes" : "no");
	} else if (o->format == CB_FORMAT_JSON) {
		print_json_row(o, r);
	} else {
		const char *verify = strcmp(r->verified, "yes") == 0 ? "ok" :
				     strcmp(r->verified, "failed") == 0 ? "FAILED" : "-";

		printf("%-16s %-16s %7u %10.3f %10.3f %10.3f %9.1f %6s %9.0f\n", r->st->name,
		       r->workload, r->threads, r->median / 1e6, r->min / 1e6, r->max / 1e6,
		       r->ns_per_op, verify, r->lat.p99);
	}
	fflush(stdout);
}

/* --stats (table: comment lines; csv: on stderr; json: in the record). */
static void print_stats(const struct cb_options *o, const struct cb_row *r)
{
	FILE *f = o->format == CB_FORMAT_CSV ? stderr : stdout;

	if (!o->stats || o->format == CB_FORMAT_JSON)
		return;
	fprintf(f, "# stats %s %s threads=%u: smr retired %" PRIu64 ", freed %" PRIu64
		", pending %" PRIu64 ", epoch advances %" PRIu64 ", thread records %" PRIu64
		"; contention counters: none kept by this structure\n", r->st->name, r->workload,
		r->threads, r->smr_retired, r->smr_freed, r->smr_pending, r->smr_epochs,
		r->smr_records);
	fflush(f);
}

/* --- --plot ------------------------------------------------------------------ */

struct cb_plot_point {
	char series[96];
	unsigned threads;
	double mops;
};

static struct cb_plot_point *cb_plot;
static size_t cb_nplot, cb_plot_cap;

/* Whether program is an executable in $PATH. */
static bool in_path(const char *program)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (path == NULL || *path == '\0')
		path = "/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		if (len > 0 && len + strlen(program) + 2 < sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path, program);
			if (access(buf, X_OK) == 0)
				return true;
		}
		path += len;
		if (*path == ':')
			path++;
	}
	return false;
}

/* --plot=FILE.svg|FILE.png: checked before the sweep starts. */
static void parse_plot(struct cb_options *o, const char *arg)
{
	size_t len = strlen(arg);

	if (len < 5 || (strcmp(arg + len - 4, ".svg") != 0 && strcmp(arg + len - 4, ".png") != 0))
		die(EXIT_USAGE, "invalid --plot value '%s' (a file name ending in .svg or .png)", arg);
	if (strpbrk(arg, "'\"\\\n") != NULL)
		die(EXIT_USAGE, "--plot=%s: the file name may not contain quotes, backslashes or "
		    "newlines", arg);
	if (!in_path("gnuplot"))
		die(EXIT_USAGE, "--plot needs gnuplot, which is not installed (Debian: apt-get "
		    "install gnuplot-nox)");
	o->plot = arg;
}

static void plot_add(const struct cb_options *o, const struct cb_row *r)
{
	struct cb_plot_point *pt;

	if (o->plot == NULL)
		return;
	if (cb_nplot == cb_plot_cap) {
		cb_plot_cap = cb_plot_cap ? 2 * cb_plot_cap : 64;
		cb_plot = realloc(cb_plot, cb_plot_cap * sizeof(*cb_plot));
		if (cb_plot == NULL)
			die(EXIT_RUNTIME, "out of memory");
	}
	pt = &cb_plot[cb_nplot++];
	if (o->nworkloads > 1)
		snprintf(pt->series, sizeof(pt->series), "%s %s", r->st->name, r->workload);
	else
		snprintf(pt->series, sizeof(pt->series), "%s", r->st->name);
	pt->threads = r->threads;
	pt->mops = r->median / 1e6;
}

/* Throughput against threads, one line per structure (and workload). */
static void plot_write(const struct cb_options *o)
{
	const char *tmpdir = getenv("TMPDIR");
	char data[4096];
	size_t i, j, nseries = 0;
	size_t *first;
	FILE *f, *gp;
	int fd, status;

	if (o->plot == NULL || cb_nplot == 0)
		return;
	snprintf(data, sizeof(data), "%s/ccbench-plot-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(data);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		die(EXIT_RUNTIME, "--plot: cannot create a temporary file in %s: %s",
		    tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
	first = xcalloc(cb_nplot, sizeof(*first));
	for (i = 0; i < cb_nplot; i++) {
		for (j = 0; j < nseries; j++) {
			if (strcmp(cb_plot[first[j]].series, cb_plot[i].series) == 0)
				break;
		}
		if (j < nseries)
			continue;
		first[nseries++] = i;
		fprintf(f, "# %s\n", cb_plot[i].series);
		for (j = i; j < cb_nplot; j++) {
			if (strcmp(cb_plot[j].series, cb_plot[i].series) == 0)
				fprintf(f, "%u %.6f\n", cb_plot[j].threads, cb_plot[j].mops);
		}
		fprintf(f, "\n\n");
	}
	if (fclose(f) != 0)
		die(EXIT_RUNTIME, "--plot: cannot write %s: %s", data, strerror(errno));
	gp = popen("gnuplot", "w");
	if (gp == NULL)
		die(EXIT_RUNTIME, "--plot: cannot run gnuplot: %s", strerror(errno));
	if (strcmp(o->plot + strlen(o->plot) - 4, ".svg") == 0)
		fprintf(gp, "set terminal svg size 960,600 dynamic background rgb 'white'\n");
	else
		fprintf(gp, "set terminal pngcairo size 960,600\n");
	fprintf(gp, "set output '%s'\n", o->plot);
	fprintf(gp, "set title 'ccbench (libconcoll %s)%s%s, %u CPUs allowed, pin=%s' noenhanced\n",
		concoll_version(), o->nworkloads == 1 ? ": " : "",
		o->nworkloads == 1 ? o->workloads[0].label : "", cb_ncpus, pin_name(o));
	fprintf(gp, "set xlabel 'threads'\nset ylabel 'million operations per second'\n");
	fprintf(gp, "set logscale x 2\nset grid\nset key outside right noenhanced\n");
	fprintf(gp, "set yrange [0:*]\n");
	fprintf(gp, "plot");
	for (j = 0; j < nseries; j++)
		fprintf(gp, "%s '%s' index %zu using 1:2 with linespoints title '%s'", j ? "," : "",
			data, j, cb_plot[first[j]].series);
	fprintf(gp, "\n");
	status = pclose(gp);
	unlink(data);
	free(first);
	if (status != 0)
		die(EXIT_RUNTIME, "--plot: gnuplot failed (status %d) writing %s", status, o->plot);
	fprintf(stderr, "ccbench: plot written to %s\n", o->plot);
}

/* --- the sweep -------------------------------------------------------------- */

static void smr_stats(struct concoll_smr_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	if (concoll_smr_stats(s) != 0)
		memset(s, 0, sizeof(*s));
}

static void run_config(const struct cb_options *o, const struct cb_structure *st,
		       const struct cb_workload *w, unsigned n, size_t index, size_t total)
{
	double *values = xcalloc(o->repeat, sizeof(*values));
	double *elapsed = xcalloc(o->repeat, sizeof(*elapsed));
	double *aux = xcalloc((size_t)o->repeat * 5, sizeof(*aux)); /* per repeat: see below */
	struct cb_row row;
	char wl[48];
	double sum = 0, sq = 0, mean;
	bool failed = false;
	unsigned r;

	if (w->info->kind == CB_WL_PROD_CONS && n > 1) {
		unsigned p = w->producers ? w->producers : n / 2;

		snprintf(wl, sizeof(wl), "prod-cons:%u:%u", p, n - p);
	} else if (w->info->families == CB_MAPS) {
		snprintf(wl, sizeof(wl), "%s", w->label);
	} else {
		snprintf(wl, sizeof(wl), "%s", w->info->kind == CB_WL_PROD_CONS ? "pairs" :
			 w->info->name);
	}
	memset(&row, 0, sizeof(row));
	for (r = 0; r < o->repeat; r++) {
		struct concoll_smr_stats before, after;
		struct cb_result res;

		show_progress(index, total, st->name, wl, n, r + 1, o->repeat);
		smr_stats(&before);
		res = run_once(o, st, w, wl, n, r + 1);
		smr_stats(&after);
		/* everything this run retired is freed before the next starts */
		concoll_smr_barrier();
		values[r] = res.ops_per_sec;
		elapsed[r] = res.elapsed;
		failed |= res.verify_failed;
		row.prefilled = res.prefilled;
		memcpy(row.algorithm, res.algorithm, sizeof(row.algorithm));
		row.smr_retired += after.retired - before.retired;
		row.smr_freed += after.freed - before.freed;
		row.smr_pending = after.pending;
		row.smr_epochs += after.epoch - before.epoch;
		row.smr_records = after.records;
		aux[r] = res.thread_min;
		aux[o->repeat + r] = res.thread_max;
		aux[2 * o->repeat + r] = res.lat.p50;
		aux[3 * o->repeat + r] = res.lat.p99;
		aux[4 * o->repeat + r] = res.lat.p999;
		row.lat.samples += res.lat.samples;
		if (res.peak_rss_kb > row.peak_rss_kb)
			row.peak_rss_kb = res.peak_rss_kb;
	}
	row.thread_min = median_of(aux, o->repeat);
	row.thread_max = median_of(aux + o->repeat, o->repeat);
	row.lat.p50 = median_of(aux + 2 * o->repeat, o->repeat);
	row.lat.p99 = median_of(aux + 3 * o->repeat, o->repeat);
	row.lat.p999 = median_of(aux + 4 * o->repeat, o->repeat);
	clear_progress();
	for (r = 0; r < o->repeat; r++) {
		sum += values[r];
		sq += values[r] * values[r];
	}
	mean = sum / o->repeat;
	row.st = st;
	row.w = w;
	row.workload = wl;
	row.threads = n;
	row.repeat = o->repeat;
	if (o->repeat > 1 && mean > 0) {
		double var = (sq - o->repeat * mean * mean) / (o->repeat - 1);

		row.cv = var > 0 ? sqrt(var) / mean : 0;
	}
	row.median = median_of(values, o->repeat);
	row.min = values[0];
	row.max = values[o->repeat - 1];
	row.elapsed = median_of(elapsed, o->repeat);
	row.ns_per_op = row.median > 0 ? n * 1e9 / row.median : 0;
	row.verified = !o->verify ? "no" : failed ? "failed" : "yes";
	print_row(o, &row);
	print_stats(o, &row);
	plot_add(o, &row);
	if (o->verify && !failed)
		fprintf(stderr, "verify: ok: %s %s threads=%u (%u run%s)\n", st->name, wl, n,
			o->repeat, o->repeat > 1 ? "s" : "");
	free(values);
	free(elapsed);
	free(aux);
}

/* prod-cons:P:C runs with P + C threads only. */
static size_t thread_counts(const struct cb_options *o, const struct cb_workload *w,
			    const unsigned **counts, unsigned *fixed)
{
	if (w->info->kind == CB_WL_PROD_CONS && w->producers) {
		*fixed = w->producers + w->consumers;
		*counts = fixed;
		return 1;
	}
	*counts = o->threads;
	return o->nthreads;
}

int main(int argc, char **argv)
{
	struct cb_options o;
	size_t s, wi, total = 0, index = 0;
	bool noted_pairs = false;

	detect_cpus();
	parse_options(&o, argc, argv);
	if (sweep_has_maps(&o))
		setup_keys(&o);
	for (wi = 0; wi < o.nworkloads; wi++) {
		if (o.workloads[wi].info->kind == CB_WL_PAIRS_DELAY)
			calibrate_delay();
	}

	for (s = 0; s < o.nstructures; s++) {
		for (wi = 0; wi < o.nworkloads; wi++) {
			const unsigned *counts;
			unsigned fixed;

			if (o.workloads[wi].info->families & (1u << o.structures[s]->family))
				total += thread_counts(&o, &o.workloads[wi], &counts, &fixed);
		}
	}
	print_header(&o);
	for (s = 0; s < o.nstructures; s++) {
		const struct cb_structure *st = o.structures[s];

		for (wi = 0; wi < o.nworkloads; wi++) {
			const struct cb_workload *w = &o.workloads[wi];
			const unsigned *counts;
			unsigned fixed;
			size_t i, nc;

			if (!(w->info->families & (1u << st->family)))
				continue;
			nc = thread_counts(&o, w, &counts, &fixed);
			for (i = 0; i < nc; i++) {
				if (w->info->kind == CB_WL_PROD_CONS && counts[i] == 1 && !noted_pairs) {
					fprintf(stderr, "ccbench: note: prod-cons with 1 thread "
						"runs as pairs\n");
					noted_pairs = true;
				}
				run_config(&o, st, w, counts[i], index++, total);
			}
		}
	}
	print_footer(&o);
	plot_write(&o);
	free(o.structures);
	free(o.unavailable);
	free(o.threads);
	free(o.pin_cpus);
	free(cb_cpus);
	free(cb_plot);
	return cb_any_verify_failed ? EXIT_VERIFY_FAILED : 0;
}
