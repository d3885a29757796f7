/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which file systems a front-end's memory fds may live on, decided from the
 * text of /proc (pure: tested against model fdinfo and mountinfo texts).
 */
#ifndef VHOST_FD_H
#define VHOST_FD_H

#include <stdbool.h>
#include <stddef.h>

/* Why a file system is refused, or VHOST_FS_LOCAL. */
enum vhost_fs_class {
	VHOST_FS_LOCAL,	  /* memory or a local block device: nothing outside the kernel */
	VHOST_FS_SERVED,  /* served by a user process (FUSE and kin) */
	VHOST_FS_NETWORK, /* served over the network or a cluster */
	VHOST_FS_STACKED, /* stacked on other file systems, which may be any of the above */
	VHOST_FS_UNKNOWN, /* not on the list of local ones */
};

/** Class of a file system type as /proc/self/mountinfo names it ("fuse.sshfs", "ext4"). */
enum vhost_fs_class vhost_fs_classify(const char *fstype);

/** The mnt_id line of a /proc/self/fdinfo/N text.
 * @return 0 (*mnt_id set), -EINVAL (no such line, or not a number). */
int vhost_fdinfo_mnt_id(const char *fdinfo, int *mnt_id);

/**
 * The file system type of mount mnt_id in a /proc/self/mountinfo text (a
 * line is "id parent maj:min root point options [optional...] - type source
 * super-options"; paths escape blanks, so " - " only ends the optional ones).
 * @return 0 (type set, NUL-terminated), -ENOENT (no such mount),
 *	   -EINVAL (its line is malformed), -ENAMETOOLONG (type longer than cap - 1).
 */
int vhost_mountinfo_fstype(const char *mountinfo, int mnt_id, char *type, size_t cap);

/**
 * May a guest memory (or dirty log) fd be used? shmem: the fd answered
 * F_GET_SEALS (a memfd, tmpfs or hugetlbfs file: the kernel's own memory,
 * whatever its path says). Otherwise its mount, from fdinfo and mountinfo,
 * must be of a local file system.
 * @return 0; -EPERM (refused: *why says the class, type the file system, or
 *	   "" when its mount is not in this namespace); -EINVAL (unparsable text).
 */
int vhost_mem_fd_judge(bool shmem, const char *fdinfo, const char *mountinfo, char *type,
		       size_t cap, const char **why);

#endif
