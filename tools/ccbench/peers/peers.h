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
 */
#ifndef CCBENCH_PEERS_H
#define CCBENCH_PEERS_H

#include <stddef.h>

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

#endif /* CCBENCH_PEERS_H */
