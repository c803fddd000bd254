/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Peer baseline: a LIFO stack made of an array that doubles when full,
 * protected by one default pthread mutex.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "peers.h"

#define MUTEX_STACK_MIN_CAPACITY 16u

struct peer_mutex_stack {
	pthread_mutex_t lock;
	void **items;    /* items[0] is the bottom */
	size_t capacity;
	size_t count;
};

struct peer_mutex_stack *peer_mutex_stack_create(size_t initial_capacity)
{
	struct peer_mutex_stack *s = calloc(1, sizeof(*s));
	int rc;

	if (s == NULL)
		return NULL;
	s->capacity = initial_capacity < MUTEX_STACK_MIN_CAPACITY ?
		      MUTEX_STACK_MIN_CAPACITY : initial_capacity;
	if (s->capacity > SIZE_MAX / sizeof(*s->items))
		s->items = NULL;
	else
		s->items = malloc(s->capacity * sizeof(*s->items));
	if (s->items == NULL) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	rc = pthread_mutex_init(&s->lock, NULL);
	if (rc != 0) {
		free(s->items);
		free(s);
		errno = rc;
		return NULL;
	}
	return s;
}

void peer_mutex_stack_destroy(struct peer_mutex_stack *s)
{
	if (s == NULL)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s->items);
	free(s);
}

/* Called with the lock held when the array is full. */
static int grow(struct peer_mutex_stack *s)
{
	void **items;

	if (s->capacity > SIZE_MAX / 2 / sizeof(*items))
		return -ENOMEM;
	items = realloc(s->items, 2 * s->capacity * sizeof(*items));
	if (items == NULL)
		return -ENOMEM;
	s->items = items;
	s->capacity *= 2;
	return 0;
}

int peer_mutex_stack_push(struct peer_mutex_stack *s, void *item)
{
	int rc = 0;

	if (item == NULL)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	if (s->count == s->capacity)
		rc = grow(s);
	if (rc == 0)
		s->items[s->count++] = item;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int peer_mutex_stack_pop(struct peer_mutex_stack *s, void **item)
{
	int rc = -EAGAIN;

	if (item == NULL)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	if (s->count != 0) {
		*item = s->items[--s->count];
		rc = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

size_t peer_mutex_stack_size(struct peer_mutex_stack *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->count;
	pthread_mutex_unlock(&s->lock);
	return n;
}
