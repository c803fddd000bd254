/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Peer baseline: an ordered map made of a red-black tree, the RB_* macros
 * of libbsd's <bsd/sys/tree.h> (the BSD <sys/tree.h>), protected by one
 * pthread reader-writer lock with the default attributes.  Lookups and
 * scans take the lock shared, updates exclusive.  This is the ordered map
 * a C program reaches for when it has no concurrent one.
 *
 * Nodes are allocated before the write lock is taken and freed after it is
 * dropped, so that malloc and free do not lengthen the critical sections.
 *
 * Without <bsd/sys/tree.h> at build time the map is not available: the
 * functions fail with ENOTSUP and ccbench leaves the structure out.  (The
 * tsearch(3) trees of the C library have no successor search, which the
 * range scans need.)
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "peers.h"

#if defined(HAVE_BSD_SYS_TREE_H)
#define PEER_HAVE_TREE_H 1
#elif defined(__has_include)
#if __has_include(<bsd/sys/tree.h>)
#define PEER_HAVE_TREE_H 1
#endif
#endif

#ifdef PEER_HAVE_TREE_H

#include <bsd/sys/tree.h>

struct map_node {
	RB_ENTRY(map_node) link;
	uint64_t key;
	uint64_t value;
};

static int map_node_cmp(const struct map_node *a, const struct map_node *b)
{
	return (a->key > b->key) - (a->key < b->key);
}

RB_HEAD(map_tree, map_node);

/* RB_GENERATE_STATIC marks the functions __unused, which libbsd's
 * <bsd/sys/cdefs.h> leaves undefined (Linux headers name struct members
 * so): define it for this expansion only. */
#ifndef __unused
#define __unused __attribute__((unused))
#define PEER_UNDEF_UNUSED 1
#endif
RB_GENERATE_STATIC(map_tree, map_node, link, map_node_cmp)
#ifdef PEER_UNDEF_UNUSED
#undef __unused
#undef PEER_UNDEF_UNUSED
#endif

struct peer_mutex_map {
	pthread_rwlock_t lock;
	struct map_tree root;
	size_t count;
};

bool peer_mutex_map_available(void)
{
	return true;
}

struct peer_mutex_map *peer_mutex_map_create(void)
{
	struct peer_mutex_map *m = calloc(1, sizeof(*m));
	int rc;

	if (m == NULL)
		return NULL;
	RB_INIT(&m->root);
	rc = pthread_rwlock_init(&m->lock, NULL);
	if (rc != 0) {
		free(m);
		errno = rc;
		return NULL;
	}
	return m;
}

/* Frees every node in post-order, following the parent links up, without
 * rebalancing: each child link is cleared before descending into it. */
static void free_nodes(struct map_node *n)
{
	while (n != NULL) {
		struct map_node *next = RB_LEFT(n, link);

		if (next != NULL) {
			RB_LEFT(n, link) = NULL;
		} else if ((next = RB_RIGHT(n, link)) != NULL) {
			RB_RIGHT(n, link) = NULL;
		} else {
			next = RB_PARENT(n, link);
			free(n);
		}
		n = next;
	}
}

void peer_mutex_map_destroy(struct peer_mutex_map *m)
{
	if (m == NULL)
		return;
	free_nodes(RB_ROOT(&m->root));
	pthread_rwlock_destroy(&m->lock);
	free(m);
}

int peer_mutex_map_get(struct peer_mutex_map *m, uint64_t key, uint64_t *value)
{
	struct map_node probe, *n;
	int rc = -ENOENT;

	probe.key = key;
	pthread_rwlock_rdlock(&m->lock);
	n = RB_FIND(map_tree, &m->root, &probe);
	if (n != NULL) {
		*value = n->value;
		rc = 0;
	}
	pthread_rwlock_unlock(&m->lock);
	return rc;
}

int peer_mutex_map_put(struct peer_mutex_map *m, uint64_t key, uint64_t value)
{
	struct map_node *node = malloc(sizeof(*node));
	struct map_node *present;

	if (node == NULL)
		return -ENOMEM;
	node->key = key;
	node->value = value;
	pthread_rwlock_wrlock(&m->lock);
	present = RB_INSERT(map_tree, &m->root, node);
	if (present != NULL)
		present->value = value;
	else
		m->count++;
	pthread_rwlock_unlock(&m->lock);
	if (present == NULL)
		return 0;
	free(node);
	return 1;
}

int peer_mutex_map_remove(struct peer_mutex_map *m, uint64_t key)
{
	struct map_node probe, *n;

	probe.key = key;
	pthread_rwlock_wrlock(&m->lock);
	n = RB_FIND(map_tree, &m->root, &probe);
	if (n != NULL) {
		RB_REMOVE(map_tree, &m->root, n);
		m->count--;
	}
	pthread_rwlock_unlock(&m->lock);
	if (n == NULL)
		return -ENOENT;
	free(n);
	return 0;
}

int peer_mutex_map_scan(struct peer_mutex_map *m, uint64_t from, peer_map_visit_fn fn,
			void *ctx)
{
	struct map_node probe, *n;

	probe.key = from;
	pthread_rwlock_rdlock(&m->lock);
	/* RB_NFIND: the least node >= probe, where the scan starts */
	for (n = RB_NFIND(map_tree, &m->root, &probe); n != NULL;
	     n = RB_NEXT(map_tree, &m->root, n)) {
		if (fn(n->key, n->value, ctx))
			break;
	}
	pthread_rwlock_unlock(&m->lock);
	return 0;
}

size_t peer_mutex_map_size(struct peer_mutex_map *m)
{
	size_t n;

	pthread_rwlock_rdlock(&m->lock);
	n = m->count;
	pthread_rwlock_unlock(&m->lock);
	return n;
}

#else /* !PEER_HAVE_TREE_H */

bool peer_mutex_map_available(void)
{
	return false;
}

struct peer_mutex_map *peer_mutex_map_create(void)
{
	errno = ENOTSUP;
	return NULL;
}

void peer_mutex_map_destroy(struct peer_mutex_map *m)
{
	(void)m;
}

int peer_mutex_map_get(struct peer_mutex_map *m, uint64_t key, uint64_t *value)
{
	(void)m;
	(void)key;
	(void)value;
	return -ENOTSUP;
}

int peer_mutex_map_put(struct peer_mutex_map *m, uint64_t key, uint64_t value)
{
	(void)m;
	(void)key;
	(void)value;
	return -ENOTSUP;
}

int peer_mutex_map_remove(struct peer_mutex_map *m, uint64_t key)
{
	(void)m;
	(void)key;
	return -ENOTSUP;
}

int peer_mutex_map_scan(struct peer_mutex_map *m, uint64_t from, peer_map_visit_fn fn,
			void *ctx)
{
	(void)m;
	(void)from;
	(void)fn;
	(void)ctx;
	return -ENOTSUP;
}

size_t peer_mutex_map_size(struct peer_mutex_map *m)
{
	(void)m;
	return 0;
}

#endif /* PEER_HAVE_TREE_H */
