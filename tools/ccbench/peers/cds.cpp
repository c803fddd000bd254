// SPDX-License-Identifier: BSD-3-Clause
/*
 * Peers from libcds (https://github.com/khizmax/libcds), a C++ library,
 * behind extern "C" functions (libpeers.h):
 *
 *   cds::container::MSQueue<cds::gc::DHP, void *>        Michael-Scott queue
 *   cds::container::TreiberStack<cds::gc::DHP, void *>   Treiber stack
 *   cds::container::SkipListMap<cds::gc::DHP, uint64_t, uint64_t>
 *
 * All three are lock-free; their nodes are reclaimed by libcds's Dynamic
 * Hazard Pointers (cds::gc::DHP), chosen over cds::gc::HP because its
 * thread count and per-thread guard count are unbounded: ccbench runs up
 * to 1024 threads, starts new ones for every run, and the skip list needs
 * some 70 guards per thread, all of which HP would have to size up front.
 *
 * libcds needs cds::Initialize() and the DHP singleton once per process
 * (done once, with std::call_once, by the first create; neither is ever
 * torn down), and every thread that touches a container attached to
 * cds::threading::Manager.  ccbench starts its own threads, so a thread
 * attaches on its first call here (a thread-local flag) and detaches when
 * it exits (the destructor of a thread_local object), which hands its DHP
 * record and its retired nodes back.
 *
 * No exception crosses into C: allocation failures become -ENOMEM (or
 * NULL with errno from create).
 *
 * The skip list map:
 *  - put inserts with emplace(key, value), which builds the node with its
 *    value before linking it (insert(key, value) and update() link a node
 *    holding a default value and assign it afterwards, so a concurrent get
 *    could read 0), and replaces through find(), whose functor may change
 *    the value in place; values are read and written with __atomic
 *    builtins since a replace races with gets and scans;
 *  - SkipListMap has no lower-bound search, so a scan walks the list with
 *    its iterator from the first entry and skips the keys below `from`:
 *    a range scan costs O(entries below from) more than in a map with a
 *    seek.  libcds marks the iterator as a debugging aid for concurrent
 *    use: it is safe (it holds a guard on the current node), but it stops
 *    early, as if at the end, when the node it stands on is removed, so a
 *    concurrent scan may visit fewer entries than asked.  The verification
 *    scan runs alone and sees every entry;
 *  - the map keeps no item count (the default empty_item_counter, so that
 *    updates do not share a counter): size walks the list, which is exact
 *    when nothing else runs, the only time ccbench asks.
 */
#include "config.h"

#include <cerrno>
#include <cstdint>
#include <functional>
#include <mutex>
#include <new>
#include <utility>

/* The libcds headers trip -Wextra's -Wdeprecated-copy (an implicit copy
 * constructor next to a user-declared assignment) and -Wshadow: silenced
 * for them alone, so that --enable-werror builds also work where they are
 * not installed as system headers (which hide their warnings anyway). */
#pragma GCC diagnostic push
#if defined(__clang__)
#pragma GCC diagnostic ignored "-Wunknown-warning-option"
#else
#pragma GCC diagnostic ignored "-Wpragmas"
#endif
#pragma GCC diagnostic ignored "-Wdeprecated-copy"
#pragma GCC diagnostic ignored "-Wshadow"
#include <cds/init.h>
#include <cds/gc/dhp.h>
#include <cds/container/msqueue.h>
#include <cds/container/treiber_stack.h>
#include <cds/container/skip_list_map_dhp.h>
#pragma GCC diagnostic pop

#include "libpeers.h"

namespace {

// --- library and thread set-up ---------------------------------------------------

std::once_flag cds_once;
bool cds_ready;

void cds_init()
{
	try {
		cds::Initialize();
		new cds::gc::DHP(); // the DHP singleton; never destroyed
		cds_ready = true;
	} catch (...) {
		cds_ready = false;
	}
}

// Called by the create functions; false when libcds could not be set up.
bool cds_setup()
{
	try {
		std::call_once(cds_once, cds_init);
	} catch (...) {
		return false;
	}
	return cds_ready;
}

// Detaches the thread from libcds when the thread exits.
struct thread_detach {
	~thread_detach()
	{
		if (cds::threading::Manager::isThreadAttached())
			cds::threading::Manager::detachThread();
	}
};

thread_local bool thread_attached;

void attach_slow()
{
	cds::threading::Manager::attachThread();
	static thread_local thread_detach detach; // constructed here, destroyed at exit
	(void)detach;
	thread_attached = true;
}

// Attaches the calling thread once; may throw (allocation).
inline void attach()
{
	if (!thread_attached)
		attach_slow();
}

typedef cds::container::MSQueue<cds::gc::DHP, void *> msqueue_type;
typedef cds::container::TreiberStack<cds::gc::DHP, void *> treiber_type;

struct skiplist_traits : public cds::container::skip_list::traits {
	typedef std::less<uint64_t> less;
};
typedef cds::container::SkipListMap<cds::gc::DHP, uint64_t, uint64_t, skiplist_traits>
	skiplist_type;
typedef skiplist_type::value_type skiplist_entry; // std::pair<const uint64_t, uint64_t>

} // namespace

struct peer_cds_msqueue {
	msqueue_type queue;
};

struct peer_cds_treiber {
	treiber_type stack;
};

struct peer_cds_skiplist {
	skiplist_type map;
};

namespace {

// create and destroy for the three wrappers.
template <typename T> T *create_object()
{
	if (!cds_setup()) {
		errno = ENOTSUP;
		return nullptr;
	}
	try {
		attach(); // the constructors allocate guards and dummy nodes
		return new T();
	} catch (...) {
		errno = ENOMEM;
		return nullptr;
	}
}

template <typename T> void destroy_object(T *obj)
{
	if (obj == nullptr)
		return;
	try {
		attach(); // the destructors retire the nodes left
		delete obj;
		cds::gc::DHP::scan(); // free what no other thread guards any more
	} catch (...) {
		// nothing to report from destroy
	}
}

} // namespace

extern "C" {

// --- MSQueue ------------------------------------------------------------------------

struct peer_cds_msqueue *peer_cds_msqueue_create(void)
{
	return create_object<peer_cds_msqueue>();
}

void peer_cds_msqueue_destroy(struct peer_cds_msqueue *q)
{
	destroy_object(q);
}

int peer_cds_msqueue_push(struct peer_cds_msqueue *q, void *item)
{
	if (item == nullptr)
		return -EINVAL;
	try {
		attach();
		return q->queue.enqueue(item) ? 0 : -ENOMEM;
	} catch (...) {
		return -ENOMEM;
	}
}

int peer_cds_msqueue_pop(struct peer_cds_msqueue *q, void **item)
{
	void *v = nullptr;

	if (item == nullptr)
		return -EINVAL;
	try {
		attach();
		if (!q->queue.dequeue(v))
			return -EAGAIN;
	} catch (...) {
		return -ENOMEM;
	}
	*item = v;
	return 0;
}

// --- TreiberStack ----------------------------------------------------------------------

struct peer_cds_treiber *peer_cds_treiber_create(void)
{
	return create_object<peer_cds_treiber>();
}

void peer_cds_treiber_destroy(struct peer_cds_treiber *s)
{
	destroy_object(s);
}

int peer_cds_treiber_push(struct peer_cds_treiber *s, void *item)
{
	if (item == nullptr)
		return -EINVAL;
	try {
		attach();
		return s->stack.push(item) ? 0 : -ENOMEM;
	} catch (...) {
		return -ENOMEM;
	}
}

int peer_cds_treiber_pop(struct peer_cds_treiber *s, void **item)
{
	void *v = nullptr;

	if (item == nullptr)
		return -EINVAL;
	try {
		attach();
		if (!s->stack.pop(v))
			return -EAGAIN;
	} catch (...) {
		return -ENOMEM;
	}
	*item = v;
	return 0;
}

// --- SkipListMap ------------------------------------------------------------------------

struct peer_cds_skiplist *peer_cds_skiplist_create(void)
{
	return create_object<peer_cds_skiplist>();
}

void peer_cds_skiplist_destroy(struct peer_cds_skiplist *m)
{
	destroy_object(m);
}

int peer_cds_skiplist_get(struct peer_cds_skiplist *m, uint64_t key, uint64_t *value)
{
	uint64_t v = 0;

	try {
		attach();
		if (!m->map.find(key, [&v](skiplist_entry &e) {
			    v = __atomic_load_n(&e.second, __ATOMIC_ACQUIRE);
		    }))
			return -ENOENT;
	} catch (...) {
		return -ENOMEM;
	}
	*value = v;
	return 0;
}

int peer_cds_skiplist_put(struct peer_cds_skiplist *m, uint64_t key, uint64_t value)
{
	auto replace = [value](skiplist_entry &e) {
		__atomic_store_n(&e.second, value, __ATOMIC_RELEASE);
	};

	try {
		attach();
		// present: replace in place; absent: insert a node built with its
		// value; a concurrent insert or remove in between: try again
		for (;;) {
			if (m->map.find(key, replace))
				return 1;
			if (m->map.emplace(key, value))
				return 0;
		}
	} catch (...) {
		return -ENOMEM;
	}
}

int peer_cds_skiplist_remove(struct peer_cds_skiplist *m, uint64_t key)
{
	try {
		attach();
		return m->map.erase(key) ? 0 : -ENOENT;
	} catch (...) {
		return -ENOMEM;
	}
}

int peer_cds_skiplist_scan(struct peer_cds_skiplist *m, uint64_t from, peer_cds_visit_fn fn,
			   void *ctx)
{
	try {
		attach();
		// no lower-bound search in SkipListMap: walk from the first entry
		for (auto it = m->map.begin(), end = m->map.end(); it != end; ++it) {
			uint64_t key = it->first;

			if (key < from)
				continue;
			if (fn(key, __atomic_load_n(&it->second, __ATOMIC_ACQUIRE), ctx))
				break;
		}
	} catch (...) {
		return -ENOMEM;
	}
	return 0;
}

size_t peer_cds_skiplist_size(struct peer_cds_skiplist *m)
{
	size_t n = 0;

	try {
		attach();
		for (auto it = m->map.begin(), end = m->map.end(); it != end; ++it)
			n++;
	} catch (...) {
		return n;
	}
	return n;
}

} // extern "C"
