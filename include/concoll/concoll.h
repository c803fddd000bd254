/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libconcoll: lock-free concurrent collections.  The umbrella header; see
 * libconcoll(7) for an overview and the per-family headers for the
 * synchronization tables.
 */
#ifndef CONCOLL_H
#define CONCOLL_H

#include <concoll/version.h>
#include <concoll/common.h>
#include <concoll/cpu.h>
#include <concoll/smr.h>
#include <concoll/queue.h>
#include <concoll/stack.h>
#include <concoll/map.h>
#include <concoll/set.h>

#endif /* CONCOLL_H */
