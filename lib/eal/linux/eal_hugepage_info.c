/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where hugepages come from: sizes (/proc/meminfo, /sys/kernel/mm/hugepages),
 * hugetlbfs mounts (/proc/mounts), free pages per NUMA node
 * (/sys/devices/system/node/nodeN/hugepages), physical addresses
 * (/proc/self/pagemap: bit 63 present, bits 0-54 the page frame number, which
 * reads as 0 without CAP_SYS_ADMIN).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eal_hugepage_info.h"

size_t
eal_huge_default_size(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	unsigned long kb = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Hugepagesize: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return (size_t)kb << 10;
}

/* "pagesize=2M" in a mount's options; the default size when absent. */
static size_t
mount_page_size(const char *opts)
{
	const char *p = strstr(opts, "pagesize=");
	char *end;
	unsigned long long v;

	if (p == NULL)
		return eal_huge_default_size();
	v = strtoull(p + 9, &end, 10);
	switch (*end) {
	case 'G': case 'g': return (size_t)(v << 30);
	case 'M': case 'm': return (size_t)(v << 20);
	case 'K': case 'k': return (size_t)(v << 10);
	default: return (size_t)v;
	}
}

int
eal_huge_find_mount(char dir[PATH_MAX], size_t *page_sz)
{
	FILE *f = fopen("/proc/mounts", "re");
	char line[PATH_MAX + 256], want[PATH_MAX] = "";
	int rc = dir[0] != '\0' ? -EINVAL : -ENOENT;

	if (f == NULL)
		return -errno;
	if (dir[0] != '\0' && realpath(dir, want) == NULL)
		snprintf(want, sizeof(want), "%s", dir);
	while (fgets(line, sizeof(line), f) != NULL) {
		char dev[256], mnt[PATH_MAX], type[64], opts[512];
		if (sscanf(line, "%255s %4095s %63s %511s", dev, mnt, type, opts) != 4 ||
		    strcmp(type, "hugetlbfs") != 0)
			continue;
		size_t sz = mount_page_size(opts);
		if (want[0] != '\0' ? strcmp(mnt, want) == 0 : sz == *page_sz) {
			if (want[0] != '\0')
				*page_sz = sz;
			snprintf(dir, PATH_MAX, "%s", mnt);
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

long
eal_huge_pages(size_t page_sz, int node, int total)
{
	char path[256];
	const char *what = total ? "nr_hugepages" : "free_hugepages";
	long v = -1;
	FILE *f;

	if (node < 0)
		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%zukB/%s",
			 page_sz >> 10, what);
	else
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/hugepages/hugepages-%zukB/%s", node,
			 page_sz >> 10, what);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

int
eal_huge_remove_stale(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t plen = strlen(prefix);
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		int socket, used = 0;
		unsigned int idx;
		char path[PATH_MAX];
		if (strncmp(e->d_name, prefix, plen) != 0 || strncmp(e->d_name + plen, "_map_", 5))
			continue;
		if (sscanf(e->d_name + plen + 5, "%d_%u%n", &socket, &idx, &used) != 2 ||
		    e->d_name[plen + 5 + used] != '\0')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) == 0)
			n++;
	}
	closedir(d);
	return n;
}

uint64_t
eal_pagemap_pfn(int fd, const void *va)
{
	uint64_t entry;
	off_t off = (off_t)((uintptr_t)va / (uintptr_t)sysconf(_SC_PAGESIZE)) * 8;

	if (fd < 0 || pread(fd, &entry, sizeof(entry), off) != sizeof(entry))
		return 0;
	if (!(entry >> 63))
		return 0;
	return entry & ((1ULL << 55) - 1);
}
