/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A front-end's fds, judged without asking their file system, and closed
 * without waiting for it.
 *
 * A file of a FUSE mount the front-end itself serves answers fstat (GETATTR),
 * page faults (READ) and close (FLUSH, sent on every close whatever the open
 * mode, and waited for uninterruptibly: the request is "forced") only when the
 * front-end replies: on the vhost thread, which serves every device, or on a
 * polling lcore. So a memory fd is classified from /proc before anything
 * touches it, and every fd of a peer that dpx does not keep is closed here:
 * at once when it is memory, an anonymous inode or a pipe (their close asks
 * no one), else on a detached closer thread, where a stalled close delays
 * only the closes queued behind it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "vhost_fd.h"
#include "vhost_private.h"

/* ---- pure: the text of /proc ---- */

static bool
type_is(const char *fstype, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcmp(fstype, *names) == 0)
			return true;
	return false;
}

/* "fuse" or "fuse.<subtype>" (the subtype is whatever the server chose) */
static bool
type_family(const char *fstype, const char *family)
{
	size_t n = strlen(family);

	return strncmp(fstype, family, n) == 0 && (fstype[n] == '\0' || fstype[n] == '.');
}

enum vhost_fs_class
vhost_fs_classify(const char *fstype)
{
	/* memory, and file systems on a local block device */
	static const char *const local[] = {
		"tmpfs", "hugetlbfs", "ramfs", "ext2",	   "ext3",   "ext4",	 "xfs",
		"btrfs", "f2fs",      "jfs",   "reiserfs", "nilfs2", "bcachefs", "zfs",
		"vfat",	 "msdos",     "exfat", "ntfs3",	   NULL,
	};
	/* a user process answers their requests */
	static const char *const served[] = {"virtiofs", "coda", "orangefs", "pvfs2", NULL};
	/* a server on the network (or a host process: 9p), or a cluster's lock manager */
	static const char *const network[] = {
		"nfs",	  "nfs4", "cifs",  "smb3", "smbfs",  "9p",	  "ceph", "afs",
		"lustre", "gfs2", "ocfs2", "gpfs", "beegfs", "glusterfs", NULL,
	};
	/* pass requests on to file systems below, which may be FUSE */
	static const char *const stacked[] = {"overlay", "ecryptfs", "aufs", "shiftfs", NULL};

	if (type_is(fstype, local))
		return VHOST_FS_LOCAL;
	if (type_family(fstype, "fuse") || type_family(fstype, "fuseblk") ||
	    type_family(fstype, "cuse") || type_is(fstype, served))
		return VHOST_FS_SERVED;
	if (type_is(fstype, network))
		return VHOST_FS_NETWORK;
	if (type_is(fstype, stacked))
		return VHOST_FS_STACKED;
	return VHOST_FS_UNKNOWN;
}

/* The number after "key" at a line's start (key includes the colon). */
static int
line_int(const char *text, const char *key, int *v)
{
	size_t n = strlen(key);
	const char *p = text;
	char *end;
	long l;

	for (; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p != NULL ? p + 1 : NULL) {
		if (strncmp(p, key, n) != 0)
			continue;
		errno = 0;
		l = strtol(p + n, &end, 10);
		if (end == p + n || errno != 0 || l < 0 || l > INT_MAX ||
		    (*end != '\n' && *end != '\0'))
			return -EINVAL;
		*v = (int)l;
		return 0;
	}
	return -EINVAL;
}

int
vhost_fdinfo_mnt_id(const char *fdinfo, int *mnt_id)
{
	return line_int(fdinfo, "mnt_id:", mnt_id);
}

/* The type field of one mountinfo line [line, eol). */
static int
mountinfo_line_type(const char *line, const char *eol, char *type, size_t cap)
{
	/* the first " - " ends the optional fields (paths escape their blanks) */
	const char *sep = strstr(line, " - "), *end;
	size_t n;

	if (sep == NULL || sep + 3 >= eol)
		return -EINVAL;
	sep += 3;
	for (end = sep; end < eol && *end != ' '; end++)
		;
	n = (size_t)(end - sep);
	if (n == 0)
		return -EINVAL;
	if (n >= cap)
		return -ENAMETOOLONG;
	memcpy(type, sep, n);
	type[n] = '\0';
	return 0;
}

int
vhost_mountinfo_fstype(const char *mountinfo, int mnt_id, char *type, size_t cap)
{
	const char *line = mountinfo, *eol;
	char *end;
	long id;

	for (; *line != '\0'; line = *eol != '\0' ? eol + 1 : eol) {
		eol = strchr(line, '\n');
		if (eol == NULL)
			eol = line + strlen(line);
		id = strtol(line, &end, 10);
		if (end == line || *end != ' ' || id != mnt_id)
			continue;
		return mountinfo_line_type(line, eol, type, cap);
	}
	return -ENOENT;
}

static const char *
class_why(enum vhost_fs_class c)
{
	switch (c) {
	case VHOST_FS_LOCAL:
		return NULL;
	case VHOST_FS_SERVED:
		return "on a file system a user process serves (FUSE and kin)";
	case VHOST_FS_NETWORK:
		return "on a network or cluster file system";
	case VHOST_FS_STACKED:
		return "on a stacked file system (its lower ones may be FUSE)";
	default:
		return "on a file system not known to be local";
	}
}

int
vhost_mem_fd_judge(bool shmem, const char *fdinfo, const char *mountinfo, char *type, size_t cap,
		   const char **why)
{
	int mnt_id, rc;

	if (shmem) {
		/* memfds live on the kernel's internal mounts, absent from mountinfo */
		snprintf(type, cap, "shmem");
		return 0;
	}
	type[0] = '\0';
	if (vhost_fdinfo_mnt_id(fdinfo, &mnt_id) < 0) {
		*why = "fdinfo has no mnt_id line";
		return -EINVAL;
	}
	rc = vhost_mountinfo_fstype(mountinfo, mnt_id, type, cap);
	if (rc == -ENOENT) {
		/* another namespace's mount: its path and type are the front-end's to choose */
		*why = "on a mount outside this process's mount namespace";
		return -EPERM;
	}
	if (rc < 0) {
		type[0] = '\0';
		*why = "its mountinfo line is malformed";
		return -EINVAL;
	}
	*why = class_why(vhost_fs_classify(type));
	return *why == NULL ? 0 : -EPERM;
}

/* ---- syscalls: reading /proc, never the fd's own file system ---- */

/* Read an open /proc file whole from its start (NUL-terminated, malloc'd)
 * or NULL, errno set. */
static char *
fd_read_all(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nb;
	ssize_t n;

	if (buf == NULL || lseek(fd, 0, SEEK_SET) < 0)
		goto fail;
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len > 1)
			continue;
		nb = realloc(buf, cap * 2);
		if (nb == NULL)
			goto fail;
		buf = nb;
		cap *= 2;
	}
	if (n < 0)
		goto fail;
	buf[len] = '\0';
	return buf;
fail:
	n = errno;
	free(buf);
	errno = (int)n;
	return NULL;
}

static char *
proc_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;
	char *text;

	if (fd < 0)
		return NULL;
	text = fd_read_all(fd);
	e = errno;
	close(fd);
	errno = e;
	return text;
}

/*
 * The mount table, read again only after it changed. Its text costs the
 * kernel time in proportion to the mounts (5 ms at 5000), and it is needed
 * for every region and close of a disk file: 509 ADD_MEM_REG would keep the
 * vhost thread, which serves every device, for seconds. poll() on an open
 * /proc/self/mountinfo reports POLLPRI once after the table changed since
 * the previous poll (the kernel compares its event count), so text read
 * after a poll is the table until a poll reports a change: the mount of an
 * fd received since, which existed before it was sent, is in it. Its id
 * cannot name another mount meanwhile: a mount id is reused only after its
 * mount left the table (an event), and ids are global, so the text of a
 * namespace the process has left meanwhile never names another mount (the
 * fd's is absent at worst: refused). Open while the vhost thread runs
 * (vhost_mountinfo_watch, vhost_mountinfo_unwatch); without it, read each time.
 */
static pthread_mutex_t mi_lock = PTHREAD_MUTEX_INITIALIZER;
static int mi_fd = -1;
static char *mi_text; /* read after the last poll of mi_fd, or NULL */
static unsigned long mi_reads;

int
vhost_mountinfo_watch(void)
{
	int rc = 0;

	pthread_mutex_lock(&mi_lock);
	if (mi_fd < 0)
		mi_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (mi_fd < 0)
		rc = -errno;
	pthread_mutex_unlock(&mi_lock);
	return rc;
}

void
vhost_mountinfo_unwatch(void)
{
	pthread_mutex_lock(&mi_lock);
	if (mi_fd >= 0)
		close(mi_fd);
	mi_fd = -1;
	free(mi_text);
	mi_text = NULL;
	pthread_mutex_unlock(&mi_lock);
}

/* A counter that its lock's holders update. */
static unsigned long
counter_get(pthread_mutex_t *lock, const unsigned long *v)
{
	unsigned long n;

	pthread_mutex_lock(lock);
	n = *v;
	pthread_mutex_unlock(lock);
	return n;
}

unsigned long
vhost_mountinfo_reads(void)
{
	return counter_get(&mi_lock, &mi_reads);
}

/* Called with mi_lock held. The text, to be freed with mountinfo_put, or NULL (errno set). */
static const char *
mountinfo_get(void)
{
	struct pollfd p = {mi_fd, POLLPRI, 0};

	mi_reads++;
	if (mi_fd < 0)
		return proc_read("/proc/self/mountinfo");
	/* first the poll, then the read: a change after the poll shows at the next one */
	/* only POLLPRI (with POLLERR) is asked: nothing reported is no change */
	if (mi_text != NULL && poll(&p, 1, 0) >= 0 && !(p.revents & (POLLPRI | POLLERR))) {
		mi_reads--;
		return mi_text;
	}
	free(mi_text);
	mi_text = fd_read_all(mi_fd);
	return mi_text;
}

static void
mountinfo_put(const char *text)
{
	if (text != mi_text)
		free((char *)(uintptr_t)text);
}

/* F_GET_SEALS answers from the file's operations table alone: only shmem
 * and hugetlbfs files have seals, anything else fails with EINVAL. */
static bool
fd_is_shmem(int fd)
{
	return fcntl(fd, F_GET_SEALS) >= 0;
}

/* The fd's /proc/self/fd name; its bytes are the front-end's to choose (a
 * path on its own mount), so what is not printable ASCII becomes '?' and
 * cannot forge a log line. */
static void
fd_link(int fd, char *name, size_t cap)
{
	char link[64];
	ssize_t n, i;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, name, cap - 1);
	if (n < 0)
		n = 0;
	for (i = 0; i < n; i++)
		if (name[i] < 0x20 || name[i] > 0x7e)
			name[i] = '?';
	name[n] = '\0';
}

/* The refusal of the last check on this thread, with its values. */
static __thread char check_why[256];

/* vhost_mem_fd_judge on the fd's own /proc texts (type as it fills it). */
static int
fd_judge(int fd, bool shmem, char *type, size_t cap, const char **reason)
{
	char path[64], *fdinfo = NULL;
	const char *mountinfo = NULL;
	int rc = 0;

	pthread_mutex_lock(&mi_lock);
	if (!shmem) {
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
		fdinfo = proc_read(path);
		mountinfo = fdinfo != NULL ? mountinfo_get() : NULL;
		if (mountinfo == NULL) {
			rc = -errno;
			*reason = "/proc unreadable: its file system cannot be told without asking "
				  "it";
		}
	}
	if (rc == 0)
		rc = vhost_mem_fd_judge(shmem, fdinfo, mountinfo, type, cap, reason);
	free(fdinfo);
	mountinfo_put(mountinfo);
	pthread_mutex_unlock(&mi_lock);
	return rc;
}

int
vhost_mem_fd_check(int fd, const char **why)
{
	char name[128], type[64] = "";
	const char *reason = "";
	bool shmem = fd_is_shmem(fd);
	int rc;

	fd_link(fd, name, sizeof(name));
	/* Not a file of any mount: an anonymous inode (epoll, inotify), socket,
	 * pipe or namespace, named by the kernel without a leading '/' (a memfd's
	 * "/memfd:..." has one). Refused before its fdinfo is read: an epoll or
	 * inotify fd's has a line per watch, a million of them for the kernel
	 * to print on each message that carries the fd. */
	if (!shmem && name[0] != '/' && name[0] != '\0') {
		rc = -EPERM;
		reason = "not a file (an anonymous inode, socket, pipe or namespace)";
	} else {
		rc = fd_judge(fd, shmem, type, sizeof(type), &reason);
	}
	if (rc == 0)
		return 0;
	snprintf(check_why, sizeof(check_why), "fd %d (%s), file system type \"%s\": refused, %s",
		 fd, name, type, reason);
	*why = check_why;
	return rc;
}

/* ---- closing a peer's fds ---- */

#define CLOSER_MAX 1024

static pthread_mutex_t closer_lock = PTHREAD_MUTEX_INITIALIZER;
static int closer_q[CLOSER_MAX];
static unsigned int closer_head, closer_n; /* queued, from closer_head on */
static unsigned int closer_busy;	   /* taken off the queue, close() not returned */
static bool closer_running;
static unsigned long closer_left_open; /* never closed: queue full or no thread */

static void *
closer_main(void *arg)
{
	sigset_t all;
	int fd;

	(void)arg;
	/* the application's signals are for its own threads */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&closer_lock);
	while (closer_n > 0) {
		fd = closer_q[closer_head];
		closer_head = (closer_head + 1) % CLOSER_MAX;
		closer_n--;
		closer_busy++;
		pthread_mutex_unlock(&closer_lock);
		close(fd); /* may wait for the peer that serves its file system */
		pthread_mutex_lock(&closer_lock);
		closer_busy--;
	}
	closer_running = false;
	pthread_mutex_unlock(&closer_lock);
	return NULL;
}

/* Called with closer_lock held. @return 0 or -errno (fd not taken). */
static int
closer_queue(int fd)
{
	pthread_attr_t attr;
	pthread_t th;
	int rc;

	if (closer_n == CLOSER_MAX)
		return -ENOSPC;
	if (!closer_running) {
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		rc = -pthread_create(&th, &attr, closer_main, NULL);
		pthread_attr_destroy(&attr);
		if (rc < 0)
			return rc;
		pthread_setname_np(th, "dpx-vhost-close");
		closer_running = true;
	}
	closer_q[(closer_head + closer_n) % CLOSER_MAX] = fd;
	closer_n++;
	return 0;
}

/*
 * Its close asks no one: memory, an anonymous inode (eventfd, ...), a pipe,
 * an AF_UNIX socket, a regular file or directory of a local file system, or
 * a FUSE or CUSE channel (/dev/fuse, /dev/cuse: closing the last one aborts
 * the connection). These are closed at once, never queued behind a stalled
 * close: the queue would keep them open, and a channel kept open keeps its
 * connection alive, so a close waiting on that connection (its server gone)
 * would never return and the process could never exit. A TCP socket is
 * queued: its peer may set SO_LINGER.
 */
static bool
fd_close_is_local(int fd)
{
	char name[32], type[64];
	const char *reason;
	struct stat st;
	int domain;
	socklen_t len = sizeof(domain);

	if (fd_is_shmem(fd))
		return true;
	fd_link(fd, name, sizeof(name));
	if (strncmp(name, "anon_inode:", 11) == 0 || strncmp(name, "pipe:", 5) == 0)
		return true;
	if (strncmp(name, "socket:", 7) == 0)
		return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 &&
		       domain == AF_UNIX;
	/* only once its file system is known: fstat of a FUSE file asks the server */
	if (fd_judge(fd, false, type, sizeof(type), &reason) < 0 && strcmp(type, "devtmpfs") != 0)
		return false;
	if (fstat(fd, &st) < 0)
		return false;
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return true;
	return S_ISCHR(st.st_mode) &&
	       (st.st_rdev == makedev(10, 229) || st.st_rdev == makedev(10, 203));
}

void
vhost_peer_fd_close(int fd)
{
	unsigned long n;
	int rc;

	if (fd < 0)
		return;
	if (fd_close_is_local(fd)) {
		close(fd);
		return;
	}
	pthread_mutex_lock(&closer_lock);
	rc = closer_queue(fd);
	n = rc < 0 ? ++closer_left_open : 0;
	pthread_mutex_unlock(&closer_lock);
	/* the front-end chooses how many: a line at the 1st, 2nd, 4th, ... so
	 * that a million of them cannot flood the log, yet their count is told */
	if (rc < 0 && (n & (n - 1)) == 0)
		VHOST_LOG(ERR,
			  "fd %d of a front-end left open: cannot hand it to the closer (%s); "
			  "%lu left open so far",
			  fd, strerror(-rc), n);
}

unsigned long
vhost_peer_fd_left_open(void)
{
	return counter_get(&closer_lock, &closer_left_open);
}

unsigned int
vhost_peer_fd_closes_pending(void)
{
	unsigned int n;

	pthread_mutex_lock(&closer_lock);
	n = closer_n + closer_busy;
	pthread_mutex_unlock(&closer_lock);
	return n;
}
