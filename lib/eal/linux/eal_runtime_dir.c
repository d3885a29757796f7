/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime directory per --file-prefix, with a lock file that refuses a second
 * process using the same prefix. --in-memory processes have none: they share
 * nothing, so they need no lock.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eal_private.h"

static char runtime_base[PATH_MAX];
static char runtime_dir[PATH_MAX];
static char lock_path[PATH_MAX];
static int lock_fd = -1;

const char *
dpx_eal_runtime_dir(void)
{
	return runtime_dir;
}

static void
choose_base(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (getuid() == 0)
		snprintf(runtime_base, sizeof(runtime_base), "/var/run/dpx");
	else if (xdg != NULL && xdg[0] == '/')
		snprintf(runtime_base, sizeof(runtime_base), "%s/dpx", xdg);
	else
		snprintf(runtime_base, sizeof(runtime_base), "/tmp/dpx-%u", (unsigned int)getuid());
}

static int
make_dir(const char *path)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		int err = errno;
		EAL_LOG(ERR, "cannot create runtime directory %s: %s", path, strerror(err));
		return -err;
	}
	return 0;
}

/* Tell who holds the lock, from the pid it wrote. */
static void
report_holder(const char *prefix)
{
	char buf[32] = "";
	int fd = open(lock_path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(fd);
	}
	EAL_LOG(ERR, "file prefix '%s' is in use by another dpx process (pid %s, lock %s); "
		     "use a different --file-prefix",
		prefix, buf[0] ? buf : "unknown", lock_path);
}

/* Lock the file at lock_path; retry when a previous holder unlinked it under us. */
static int
take_lock(const char *prefix)
{
	for (int attempt = 0; attempt < 8; attempt++) {
		struct stat fd_st, path_st;
		int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			int err = errno;
			EAL_LOG(ERR, "cannot open lock file %s: %s", lock_path, strerror(err));
			return -err;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			int err = errno;
			close(fd);
			if (err == EWOULDBLOCK) {
				report_holder(prefix);
				return -EBUSY;
			}
			EAL_LOG(ERR, "cannot lock %s: %s", lock_path, strerror(err));
			return -err;
		}
		if (fstat(fd, &fd_st) == 0 && stat(lock_path, &path_st) == 0 &&
		    fd_st.st_ino == path_st.st_ino && fd_st.st_dev == path_st.st_dev) {
			lock_fd = fd;
			return 0;
		}
		close(fd); /* the file we locked was removed by its previous owner */
	}
	EAL_LOG(ERR, "lock file %s was replaced under us 8 times in a row; retry", lock_path);
	return -EAGAIN;
}

/*
 * What a process that died with this prefix left in the directory (a
 * telemetry socket, say): ours now that the lock proved it gone. Left there,
 * it would outlive this process too (the directory cannot be removed with
 * files in it), and a library that makes the same file would find it taken.
 */
static void
remove_leftovers(void)
{
	DIR *d = opendir(runtime_dir);
	struct dirent *e;
	unsigned int removed = 0;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, "config") == 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			removed++;
		else
			EAL_LOG(WARNING, "cannot remove %s/%s, left by a process gone: %s",
				runtime_dir, e->d_name, strerror(errno));
	}
	closedir(d);
	if (removed > 0)
		EAL_LOG(INFO, "removed %u file(s) a process gone left in %s", removed, runtime_dir);
}

int
eal_runtime_dir_create(const struct eal_options *opts)
{
	char pid[32];
	int rc;

	runtime_dir[0] = '\0';
	if (opts->in_memory)
		return 0;
	choose_base();
	if ((size_t)snprintf(runtime_dir, sizeof(runtime_dir), "%s/%s", runtime_base,
			     opts->file_prefix) >= sizeof(runtime_dir) ||
	    (size_t)snprintf(lock_path, sizeof(lock_path), "%s/config", runtime_dir) >=
		    sizeof(lock_path)) {
		runtime_dir[0] = '\0';
		return -ENAMETOOLONG;
	}
	rc = make_dir(runtime_base);
	if (rc == 0)
		rc = make_dir(runtime_dir);
	if (rc == 0)
		rc = take_lock(opts->file_prefix);
	if (rc != 0) {
		runtime_dir[0] = '\0';
		return rc;
	}
	remove_leftovers();
	int len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(lock_fd, 0) != 0 || pwrite(lock_fd, pid, len, 0) != len)
		EAL_LOG(WARNING, "cannot write pid to %s", lock_path);
	return 0;
}

void
eal_runtime_dir_remove(void)
{
	if (lock_fd < 0)
		return;
	/* unlink while still holding the lock, so a newcomer never locks a stale file */
	unlink(lock_path);
	close(lock_fd);
	lock_fd = -1;
	rmdir(runtime_dir); /* fails harmlessly if a library left files there */
	rmdir(runtime_base);
	runtime_dir[0] = '\0';
}
