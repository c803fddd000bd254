/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Peer baseline: a FIFO queue made of a ring buffer that doubles when full,
 * protected by one default pthread mutex.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peers.h"

#define MUTEX_QUEUE_MIN_CAPACITY 16u

struct peer_mutex_queue {
	pthread_mutex_t lock;
	void **ring;     /* capacity slots, capacity a power of two */
	size_t capacity;
	size_t head;     /* index of the oldest item */
	size_t count;    /* items in the ring */
};

static size_t round_up_pow2(size_t n)
{
	size_t p = MUTEX_QUEUE_MIN_CAPACITY;

	while (p < n && p <= SIZE_MAX / 2)
		p *= 2;
	return p;
}

struct peer_mutex_queue *peer_mutex_queue_create(size_t initial_capacity)
{
	struct peer_mutex_queue *q = calloc(1, sizeof(*q));
	int rc;

	if (q == NULL)
		return NULL;
	q->capacity = round_up_pow2(initial_capacity);
	q->ring = malloc(q->capacity * sizeof(*q->ring));
	if (q->ring == NULL) {
		free(q);
		errno = ENOMEM;
		return NULL;
	}
	rc = pthread_mutex_init(&q->lock, NULL);
	if (rc != 0) {
		free(q->ring);
		free(q);
		errno = rc;
		return NULL;
	}
	return q;
}

void peer_mutex_queue_destroy(struct peer_mutex_queue *q)
{
	if (q == NULL)
		return;
	pthread_mutex_destroy(&q->lock);
	free(q->ring);
	free(q);
}

/* Called with the lock held when the ring is full: double it, moving the
 * items so that the oldest is at index 0. */
static int grow(struct peer_mutex_queue *q)
{
	size_t cap = q->capacity;
	size_t first = cap - q->head; /* items from head to the end of the ring */
	void **ring;

	if (cap > SIZE_MAX / 2 / sizeof(*ring))
		return -ENOMEM;
	ring = malloc(2 * cap * sizeof(*ring));
	if (ring == NULL)
		return -ENOMEM;
	memcpy(ring, q->ring + q->head, first * sizeof(*ring));
	memcpy(ring + first, q->ring, q->head * sizeof(*ring));
	free(q->ring);
	q->ring = ring;
	q->capacity = 2 * cap;
	q->head = 0;
	return 0;
}

int peer_mutex_queue_push(struct peer_mutex_queue *q, void *item)
{
	int rc = 0;

	if (item == NULL)
		return -EINVAL;
	pthread_mutex_lock(&q->lock);
	if (q->count == q->capacity)
		rc = grow(q);
	if (rc == 0) {
		q->ring[(q->head + q->count) & (q->capacity - 1)] = item;
		q->count++;
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

int peer_mutex_queue_pop(struct peer_mutex_queue *q, void **item)
{
	int rc = -EAGAIN;

	if (item == NULL)
		return -EINVAL;
	pthread_mutex_lock(&q->lock);
	if (q->count != 0) {
		*item = q->ring[q->head];
		q->head = (q->head + 1) & (q->capacity - 1);
		q->count--;
		rc = 0;
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

size_t peer_mutex_queue_size(struct peer_mutex_queue *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->count;
	pthread_mutex_unlock(&q->lock);
	return n;
}
