/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Size-versioned structures (internal).  A caller sets the first field,
 * `size`, to sizeof the structure it was compiled with.  The library accepts
 * any size from the first published version's up:
 *  - input: a smaller (older) structure leaves the missing fields at their
 *    zero defaults; a larger (newer) one is accepted when the fields this
 *    library does not know are zero, and refused (EINVAL) otherwise;
 *  - output: the library fills the fields both sides know.
 */
#ifndef CC_PLATFORM_OPTIONS_H
#define CC_PLATFORM_OPTIONS_H

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* ours: our_size bytes, zero-filled by the caller, whose size field is set
 * from theirs.  min_size: the size of version 1 of the structure. */
static inline int cc_options_in(void *ours, size_t our_size, const void *theirs, size_t min_size)
{
	size_t their_size, i;

	if (theirs == NULL)
		return 0;
	memcpy(&their_size, theirs, sizeof their_size);
	if (their_size < min_size)
		return -EINVAL;
	for (i = our_size; i < their_size; i++) {
		if (((const unsigned char *)theirs)[i] != 0)
			return -EINVAL;
	}
	memcpy(ours, theirs, their_size < our_size ? their_size : our_size);
	return 0;
}

/* Copy the fields after `size` that both versions have. */
static inline int cc_options_out(void *theirs, const void *ours, size_t our_size, size_t min_size)
{
	size_t their_size;

	if (theirs == NULL)
		return -EINVAL;
	memcpy(&their_size, theirs, sizeof their_size);
	if (their_size < min_size)
		return -EINVAL;
	if (their_size > our_size)
		their_size = our_size;
	memcpy((char *)theirs + sizeof(size_t), (const char *)ours + sizeof(size_t),
	       their_size - sizeof(size_t));
	return 0;
}

#endif /* CC_PLATFORM_OPTIONS_H */
