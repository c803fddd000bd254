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
};

enum cb_pin {
	CB_PIN_NONE,
	CB_PIN_COMPACT,
};

/* --- workloads ------------------------------------------------------------- */

enum cb_workload_kind {
	CB_WL_PAIRS,
	CB_WL_PROD_CONS,
	CB_WL_RANDOM,
};

struct cb_workload_info {
	const char *name;
	enum cb_workload_kind kind;
	unsigned families; /* bit (1 << enum cb_family) for each family it runs on */
	const char *summary;
};

#define CB_POOLS ((1u << CB_FAMILY_QUEUE) | (1u << CB_FAMILY_STACK))

static const struct cb_workload_info cb_workloads[] = {
	{ "pairs", CB_WL_PAIRS, CB_POOLS, "every thread: push, then pop, repeatedly" },
	{ "prod-cons", CB_WL_PROD_CONS, CB_POOLS,
	  "P threads only push, C threads only pop (prod-cons:P:C; default half and half)" },
	{ "random", CB_WL_RANDOM, CB_POOLS, "every thread: push or pop, 50/50 at random" },
};

#define CB_WORKLOAD_COUNT (sizeof(cb_workloads) / sizeof(cb_workloads[0]))

/* A workload as selected on the command line. */
struct cb_workload {
	const struct cb_workload_info *info;
	unsigned producers; /* prod-cons:P:C; 0 = half and half of the threads */
	unsigned consumers;
};

/* --- options --------------------------------------------------------------- */

struct cb_options {
	const struct cb_structure **structures;
	size_t nstructures;
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
	uint64_t seed;
};

/* CPUs this process may run on (sched_getaffinity), for --pin=compact. */
static int *cb_cpus;
static unsigned cb_ncpus;
static long cb_online_cpus;

/* --- runs ------------------------------------------------------------------ */

enum cb_role {
	CB_ROLE_PAIRS,
	CB_ROLE_PRODUCER,
	CB_ROLE_CONSUMER,
	CB_ROLE_RANDOM,
};

struct cb_run;

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
	uint64_t push_sum;    /* sum of mix64(item) pushed (--verify) */
	uint64_t pop_sum;     /* sum of mix64(item) popped (--verify) */
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
	unsigned nthreads;
	bool verify;
	bool fifo;   /* check per-producer order (queues) */
	bool warmup;
	bool timed;  /* stop at the flag, not at the quota */
	pthread_barrier_t barrier;
	struct cb_stop_flag stop;
	struct cb_role_count producers;
	struct cb_role_count consumers;
};

/* The outcome of one run. */
struct cb_result {
	double ops_per_sec;
	double elapsed;
	bool verify_failed;
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
	uint64_t smr_retired;
	uint64_t smr_freed;
	uint64_t smr_pending;
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

/* A 64-bit finalizer (splitmix64): the checksum adds mix64 of every item,
 * so that a lost item and a duplicated one do not cancel out. */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
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

static void add_structure(struct cb_options *o, const struct cb_structure *st)
{
	size_t i;

	for (i = 0; i < o->nstructures; i++) {
		if (o->structures[i] == st)
			return;
	}
	o->structures[o->nstructures++] = st;
}

/* "queues", "stacks": every structure of that family. */
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
				add_structure(o, &cb_structures[i]);
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
			add_structure(o, &cb_structures[i]);
		return;
	}
	if (add_family(o, token))
		return;
	st = cb_structure_find(token);
	if (st == NULL)
		die(EXIT_USAGE, "unknown structure '%s' (see --list)", token);
	add_structure(o, st);
}

static void parse_workload_token(const char *token, void *ctx)
{
	struct cb_options *o = ctx;
	struct cb_workload w = { NULL, 0, 0 };
	const char *colon = strchr(token, ':');
	size_t len = colon ? (size_t)(colon - token) : strlen(token);
	size_t i;

	for (i = 0; i < CB_WORKLOAD_COUNT; i++) {
		if (strlen(cb_workloads[i].name) == len && strncmp(cb_workloads[i].name, token, len) == 0)
			w.info = &cb_workloads[i];
	}
	if (w.info == NULL)
		die(EXIT_USAGE, "unknown workload '%s' (use pairs, prod-cons[:P:C] or random)", token);
	if (colon) {
		const char *second = strchr(colon + 1, ':');
		uint64_t p, c;
		char buf[32];
		size_t n;

		if (w.info->kind != CB_WL_PROD_CONS || second == NULL)
			goto bad_split;
		n = (size_t)(second - colon - 1);
		if (n == 0 || n >= sizeof(buf))
			goto bad_split;
		memcpy(buf, colon + 1, n);
		buf[n] = '\0';
		if (!parse_u64(buf, 1, CB_MAX_THREADS, &p) ||
		    !parse_u64(second + 1, 1, CB_MAX_THREADS, &c) || p + c > CB_MAX_THREADS)
			goto bad_split;
		w.producers = (unsigned)p;
		w.consumers = (unsigned)c;
	}
	if (o->nworkloads == CB_MAX_WORKLOADS)
		die(EXIT_USAGE, "too many workloads in --workload (at most %u)", CB_MAX_WORKLOADS);
	o->workloads[o->nworkloads++] = w;
	return;
bad_split:
	die(EXIT_USAGE, "invalid workload '%s' (prod-cons:P:C takes P >= 1 producers and "
	    "C >= 1 consumers, P + C <= %u)", token, CB_MAX_THREADS);
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
"Usage: ccbench [OPTION]...\n"
"Measure the throughput of libconcoll's concurrent structures and of peers.\n"
"\n"
"Options (a LIST is comma-separated):\n"
"  --structure=LIST     structures to run (default: all queues and stacks);\n"
"                       also 'all', 'queues', 'stacks'; see --list\n"
"  --threads=LIST       thread counts and ranges, e.g. 1,2,4 or 1-8 (1 to %u;\n"
"                       default: powers of two up to twice the online CPUs)\n"
"  --duration=SECONDS   measured time of each run (default %.1f)\n"
"  --ops=N              run N operations in total instead of a duration\n"
"  --workload=LIST      pairs, prod-cons[:P:C], random (default pairs)\n"
"  --repeat=N           runs per configuration; report median, min, max (default 1)\n"
"  --warmup=SECONDS     untimed work before each measured run (default 0)\n"
"  --format=FORMAT      table (default) or csv\n"
"  --verify             after each run, drain and check that every item pushed was\n"
"                       popped once, and per-producer FIFO order for queues\n"
"  --capacity=N         capacity of bounded structures (default %u)\n"
"  --prefill=N          items pushed before each run (default 0)\n"
"  --pin=MODE           compact: pin thread i to the i-th allowed CPU, round-robin\n"
"                       (default); none: leave threads to the scheduler\n"
"  --seed=N             seed of the random workload (default %u)\n"
"  --list               list the structures and exit\n"
"  -h, --help           show this help and exit\n"
"  -V, --version        show the version and exit\n"
"\n"
"Workloads:\n",
		CB_MAX_THREADS, CB_DEFAULT_DURATION, CB_DEFAULT_CAPACITY, CB_DEFAULT_SEED);
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
		void *obj = st->create(&params);
		const char *alg = obj ? st->algorithm(obj) : NULL;

		printf("%-16s %-7s %-10s %-16s %s\n", st->name, cb_family_name(st->family),
		       cb_progress_name(st->progress), alg ? alg : "?", st->summary);
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

static void parse_options(struct cb_options *o, int argc, char **argv)
{
	bool list = false, have_duration = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->structures = xcalloc(cb_structure_count, sizeof(*o->structures));
	o->threads = xcalloc(CB_MAX_THREADS, sizeof(*o->threads));
	o->duration = CB_DEFAULT_DURATION;
	o->repeat = 1;
	o->capacity = CB_DEFAULT_CAPACITY;
	o->pin = CB_PIN_COMPACT;
	o->seed = CB_DEFAULT_SEED;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hV", cb_long_options, NULL)) != -1) {
		switch (c) {
		case OPT_STRUCTURE:
			o->nstructures = 0;
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
			else
				die(EXIT_USAGE, "unknown format '%s' (use table or csv)", optarg);
			break;
		case OPT_VERIFY:
			o->verify = true;
			break;
		case OPT_CAPACITY:
			o->capacity = (size_t)parse_number("--capacity", optarg, 1, CB_MAX_CAPACITY);
			break;
		case OPT_PREFILL:
			o->prefill = parse_number("--prefill", optarg, 0, CB_SEQ_MASK);
			break;
		case OPT_PIN:
			if (strcmp(optarg, "none") == 0)
				o->pin = CB_PIN_NONE;
			else if (strcmp(optarg, "compact") == 0)
				o->pin = CB_PIN_COMPACT;
			else
				die(EXIT_USAGE, "unknown pin mode '%s' (use none or compact)", optarg);
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
	if (list) {
		list_structures(o->capacity);
		exit(0);
	}
	if (o->nstructures == 0) {
		size_t i;

		for (i = 0; i < cb_structure_count; i++) {
			if (cb_structures[i].family == CB_FAMILY_QUEUE ||
			    cb_structures[i].family == CB_FAMILY_STACK)
				add_structure(o, &cb_structures[i]);
		}
	}
	if (o->nthreads == 0)
		default_threads(o);
	if (o->nworkloads == 0)
		o->workloads[o->nworkloads++] = (struct cb_workload){ &cb_workloads[0], 0, 0 };
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
};

CB_INLINE int do_push(struct cb_counts *c, const bool verify)
{
	uintptr_t v = c->item_base | (uintptr_t)(c->seq & CB_SEQ_MASK);
	int rc = c->push(c->obj, (void *)v);

	if (rc == 0) {
		c->pushes++;
		c->seq++;
		if (verify)
			c->push_sum += mix64(v);
	}
	return rc;
}

CB_INLINE int do_pop(struct cb_thread *t, struct cb_counts *c, const bool verify)
{
	void *item;
	int rc = c->pop(c->obj, &item);

	if (rc == 0) {
		c->pops++;
		if (verify) {
			c->pop_sum += mix64((uintptr_t)item);
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
	case CB_ROLE_PRODUCER:
		phase_producer(t, c, quota, verify);
		break;
	case CB_ROLE_CONSUMER:
		phase_consumer(t, c, quota, verify);
		break;
	case CB_ROLE_RANDOM:
		phase_random(t, c, quota, verify);
		break;
	}
}

/* One phase (warmup or measured): until the stop flag, or the quota. */
static void run_phase(struct cb_thread *t, uint64_t quota)
{
	struct cb_counts c = {
		t->run, t->run->obj, t->run->push, t->run->pop, t->item_base,
		t->pushes, t->pops, t->seq, t->push_sum, t->pop_sum, 0,
	};

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

	if (run->warmup) {
		pthread_barrier_wait(&run->barrier);
		run_phase(t, UINT64_MAX);
		pthread_barrier_wait(&run->barrier);
	}
	pthread_barrier_wait(&run->barrier);
	clock_gettime(CLOCK_MONOTONIC, &t->start);
	before = t->pushes + t->pops;
	run_phase(t, run->timed ? UINT64_MAX : t->quota);
	clock_gettime(CLOCK_MONOTONIC, &t->end);
	t->measured = t->pushes + t->pops - before;
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

		if (w->info->kind == CB_WL_RANDOM) {
			t->role = CB_ROLE_RANDOM;
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
		v->drain_sum += mix64((uintptr_t)item);
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
		main_t->push_sum += mix64(v);
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
		if (o->pin == CB_PIN_COMPACT && cb_ncpus > 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(cb_cpus[i % cb_ncpus], &set);
			rc = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
			if (rc != 0)
				die(EXIT_RUNTIME, "cannot pin thread %u to CPU %d: %s", i,
				    cb_cpus[i % cb_ncpus], strerror(rc));
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

/* Runs st with n threads once.  Returns its throughput. */
static struct cb_result run_once(const struct cb_options *o, const struct cb_structure *st,
				 const struct cb_workload *w, const char *wl, unsigned n,
				 unsigned run_no)
{
	struct cb_params params = { o->capacity };
	struct cb_result res = { 0, 0, false };
	struct cb_thread *threads = alloc_threads(n + 1);
	struct cb_thread *main_t = &threads[n]; /* the prefill and the drain */
	struct cb_run *run = aligned_alloc(CB_CACHELINE, sizeof(*run));
	double t0 = 0, t_end = 0;
	uint64_t ops = 0;
	unsigned i;

	if (run == NULL)
		die(EXIT_RUNTIME, "out of memory");
	memset(run, 0, sizeof(*run));
	run->st = st;
	run->push = st->pool.push;
	run->pop = st->pool.pop;
	run->nthreads = n;
	run->verify = o->verify;
	run->fifo = st->family == CB_FAMILY_QUEUE;
	run->warmup = o->warmup > 0;
	run->timed = o->ops == 0;
	atomic_init(&run->stop.raised, false);
	atomic_init(&run->producers.left, 0);
	atomic_init(&run->consumers.left, 0);

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
		t->rng = mix64(o->seed + UINT64_C(0x9e3779b97f4a7c15) * (i + 1)) | 1;
		if (o->verify)
			t->next_seq = xcalloc(n + 1, sizeof(*t->next_seq));
	}
	prefill(run, main_t, o->prefill, o->capacity);

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
		if (i == 0 || start < t0)
			t0 = start;
		if (end > t_end)
			t_end = end;
	}
	res.elapsed = t_end > t0 ? t_end - t0 : 1e-9;
	res.ops_per_sec = (double)ops / res.elapsed;

	if (o->verify)
		res.verify_failed = !verify_run(run, threads, main_t, wl, run_no);

	st->destroy(run->obj);
	for (i = 0; i <= n; i++)
		free(threads[i].next_seq);
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

static void print_header(const struct cb_options *o)
{
	char cpus[256];

	if (o->format == CB_FORMAT_CSV) {
		printf("structure,family,workload,threads,ops_per_sec_median,ops_per_sec_min,"
		       "ops_per_sec_max,cv,repeat,duration,verified,smr_retired,smr_freed,"
		       "smr_pending\n");
		fflush(stdout);
		return;
	}
	format_cpu_list(cpus, sizeof(cpus));
	printf("# ccbench (libconcoll) %s; %s\n", concoll_version(), concoll_cpu_describe());
	printf("# cpus: %ld online, %u allowed (%s); pin=%s\n", cb_online_cpus, cb_ncpus, cpus,
	       o->pin == CB_PIN_COMPACT ? "compact" : "none");
	if (o->ops)
		printf("# ops: %" PRIu64 " per run", o->ops);
	else
		printf("# duration: %g s per run", o->duration);
	printf("; warmup %g s; repeat %u; prefill %" PRIu64 "; capacity %zu\n", o->warmup,
	       o->repeat, o->prefill, o->capacity);
	printf("%-16s %-16s %7s %10s %10s %10s %6s\n", "structure", "workload", "threads",
	       "Mops/s", "min", "max", "verify");
	fflush(stdout);
}

static void print_row(const struct cb_options *o, const struct cb_row *r)
{
	if (o->format == CB_FORMAT_CSV) {
		printf("%s,%s,%s,%u,%.1f,%.1f,%.1f,%.4f,%u,%.6f,%s,%" PRIu64 ",%" PRIu64 ",%"
		       PRIu64 "\n", r->st->name, cb_family_name(r->st->family), r->workload,
		       r->threads, r->median, r->min, r->max, r->cv, r->repeat, r->elapsed,
		       r->verified, r->smr_retired, r->smr_freed, r->smr_pending);
	} else {
		const char *verify = strcmp(r->verified, "yes") == 0 ? "ok" :
				     strcmp(r->verified, "failed") == 0 ? "FAILED" : "-";

		printf("%-16s %-16s %7u %10.3f %10.3f %10.3f %6s\n", r->st->name, r->workload,
		       r->threads, r->median / 1e6, r->min / 1e6, r->max / 1e6, verify);
	}
	fflush(stdout);
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
	struct cb_row row;
	char wl[48];
	double sum = 0, sq = 0, mean;
	bool failed = false;
	unsigned r;

	if (w->info->kind == CB_WL_PROD_CONS && n > 1) {
		unsigned p = w->producers ? w->producers : n / 2;

		snprintf(wl, sizeof(wl), "prod-cons:%u:%u", p, n - p);
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
		row.smr_retired += after.retired - before.retired;
		row.smr_freed += after.freed - before.freed;
		row.smr_pending = after.pending;
	}
	clear_progress();
	for (r = 0; r < o->repeat; r++) {
		sum += values[r];
		sq += values[r] * values[r];
	}
	mean = sum / o->repeat;
	row.st = st;
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
	row.verified = !o->verify ? "no" : failed ? "failed" : "yes";
	print_row(o, &row);
	if (o->verify && !failed)
		fprintf(stderr, "verify: ok: %s %s threads=%u (%u run%s)\n", st->name, wl, n,
			o->repeat, o->repeat > 1 ? "s" : "");
	free(values);
	free(elapsed);
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
	free(o.structures);
	free(o.threads);
	free(cb_cpus);
	return cb_any_verify_failed ? EXIT_VERIFY_FAILED : 0;
}
