/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_errno.h>

__thread int dpx_errno_value;

const char *
dpx_strerror(int errnum)
{
	static __thread char buf[128];

	if (errnum < 0)
		errnum = -errnum;
	/* strerror_r (GNU) returns a pointer that may or may not be buf */
	return strerror_r(errnum, buf, sizeof(buf));
}
