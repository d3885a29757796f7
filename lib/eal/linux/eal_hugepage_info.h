/* SPDX-License-Identifier: BSD-3-Clause */
/* Hugepage discovery from /proc and sysfs, and physical address lookup. */
#ifndef EAL_HUGEPAGE_INFO_H
#define EAL_HUGEPAGE_INFO_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* Default hugepage size from /proc/meminfo, 0 when the kernel has none. */
size_t eal_huge_default_size(void);

/*
 * Find the hugetlbfs mount: the one at dir (when dir is non-empty: its page
 * size is returned in *page_sz) or the first one of *page_sz (dir filled in).
 * Returns 0, -ENOENT (none), -EINVAL (dir is not a hugetlbfs mount).
 */
int eal_huge_find_mount(char dir[PATH_MAX], size_t *page_sz);

/* Free (or total when total is set) hugepages of a size, on one node (node >= 0) or all (-1). */
long eal_huge_pages(size_t page_sz, int node, int total);

/* Unlink files "<prefix>_map_<n>_<n>" left in dir by a process that died. Returns how many. */
int eal_huge_remove_stale(const char *dir, const char *prefix);

/* Page frame number of a mapped, touched address via an open /proc/self/pagemap fd; 0 unknown. */
uint64_t eal_pagemap_pfn(int fd, const void *va);

#endif /* EAL_HUGEPAGE_INFO_H */
