/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "concoll/common.h"

CONCOLL_API const char *concoll_version(void)
{
	return PACKAGE_VERSION;
}
