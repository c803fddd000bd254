/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ccbench peers: the baselines libconcoll is compared with.
 *
 * The mutex peers are what a program written without a concurrent
 * collections library typically uses: one pthread mutex around a plain
 * sequential container that grows by doubling.  They are unbounded (push
 * fails only with -ENOMEM) and blocking.
 *
 * Conventions as in libconcoll: items are non-NULL pointers that the
 * containers never dereference; calls return 0 or a negative errno
 * (-EAGAIN when empty, -ENOMEM, -EINVAL for a NULL item); create returns
 * NULL with errno set.
 *
 * The map peer is the ordered map a C program has at hand: a sequential
 * balanced tree (the red-black tree macros of <bsd/sys/tree.h>, libbsd)
 * behind one pthread reader-writer lock.  Blocking.
 */
#ifndef CCBENCH_PEERS_H
#define CCBENCH_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Growable ring buffer (FIFO) under one mutex. */
struct peer_mutex_queue;

struct peer_mutex_queue *peer_mutex_queue_create(size_t initial_capacity);
void peer_mutex_queue_destroy(struct peer_mutex_queue *q);
int peer_mutex_queue_push(struct peer_mutex_queue *q, void *item);
int peer_mutex_queue_pop(struct peer_mutex_queue *q, void **item);
size_t peer_mutex_queue_size(struct peer_mutex_queue *q);

/* Growable array (LIFO) under one mutex. */
struct peer_mutex_stack;

struct peer_mutex_stack *peer_mutex_stack_create(size_t initial_capacity);
void peer_mutex_stack_destroy(struct peer_mutex_stack *s);
int peer_mutex_stack_push(struct peer_mutex_stack *s, void *item);
int peer_mutex_stack_pop(struct peer_mutex_stack *s, void **item);
size_t peer_mutex_stack_size(struct peer_mutex_stack *s);

/* Red-black tree under one reader-writer lock; keys and values are
 * integers.  Without <bsd/sys/tree.h> at build time the map is not
 * available: create fails with ENOTSUP. */
struct peer_mutex_map;

/* Called for each entry of a scan; returns true to stop. */
typedef bool (*peer_map_visit_fn)(uint64_t key, uint64_t value, void *ctx);

bool peer_mutex_map_available(void);
struct peer_mutex_map *peer_mutex_map_create(void);
void peer_mutex_map_destroy(struct peer_mutex_map *m);
/* 0 and the value, or -ENOENT. */
int peer_mutex_map_get(struct peer_mutex_map *m, uint64_t key, uint64_t *value);
/* 0 inserted, 1 replaced, or -ENOMEM. */
int peer_mutex_map_put(struct peer_mutex_map *m, uint64_t key, uint64_t value);
/* 0 removed, or -ENOENT. */
int peer_mutex_map_remove(struct peer_mutex_map *m, uint64_t key);
/* Visits the entries with keys >= from in ascending order, under the read
 * lock, until fn returns true.  Returns 0. */
int peer_mutex_map_scan(struct peer_mutex_map *m, uint64_t from, peer_map_visit_fn fn,
			void *ctx);
size_t peer_mutex_map_size(struct peer_mutex_map *m);

#endif /* CCBENCH_PEERS_H */
