/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A leak to order, for the soak's self-check (soak_catches_leaks): preloaded
 * into dpx-fwd with DPX_SOAK_LEAK=fd|map|thread|heap, it leaks at each mmap
 * of a file dpx-fwd makes (one per vhost-user session: the guest's memory),
 * at the rates a soak must catch: an fd every 10 sessions, a page of
 * anonymous memory every session (next to the previous one, so the kernel
 * merges them into one mapping), a thread every 100 sessions, 48 bytes of
 * malloc every session. Only in dpx-fwd: the test that starts it is left alone.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void *
sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void
leak(const char *kind, unsigned long n, int fd)
{
	static char *last_page;

	if (strcmp(kind, "fd") == 0 && n % 10 == 0) {
		if (dup(fd) < 0)
			abort();
	} else if (strcmp(kind, "map") == 0) {
		/* right below the last one: mmap places new mappings top-down, so ask */
		void *want = last_page != NULL ? last_page - 4096 : NULL;
		void *p = mmap(want, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);
		if (p == MAP_FAILED)
			abort();
		last_page = p;
	} else if (strcmp(kind, "thread") == 0 && n % 100 == 0) {
		pthread_t t;

		if (pthread_create(&t, NULL, sleeper, NULL) != 0)
			abort();
		pthread_detach(t);
	} else if (strcmp(kind, "heap") == 0) {
		char *p = malloc(48);

		if (p == NULL)
			abort();
		memset(p, 1, 48);
	}
}

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*real)(void *, size_t, int, int, int, off_t);
	static unsigned long files;
	const char *kind = getenv("DPX_SOAK_LEAK");
	int err;

	if (real == NULL)
		real = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
	void *p = real(addr, len, prot, flags, fd, off);
	err = errno;
	if (p != MAP_FAILED && fd >= 0 && (flags & MAP_SHARED) && kind != NULL &&
	    strcmp(program_invocation_short_name, "dpx-fwd") == 0)
		leak(kind, ++files, fd);
	errno = err;
	return p;
}
