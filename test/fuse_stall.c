/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "fuse_stall.h"

#define FILE_NODE 2
/* the kernel wants room for a whole WRITE of max_write bytes, and 8 KiB at least */
#define RX_BUF (64 * 1024)

static void
reply(struct fuse_stall *fs, const struct fuse_in_header *in, int error, const void *out,
      size_t len)
{
	struct fuse_out_header h = {sizeof(h) + (error ? 0 : len), -error, in->unique};
	struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)(uintptr_t)out, error ? 0 : len}};

	/* a failed write (the request was interrupted meanwhile) changes nothing */
	(void)!writev(fs->dev, iov, 2);
}

static void
serve_init(struct fuse_stall *fs, const struct fuse_in_header *in, const void *arg)
{
	const struct fuse_init_in *i = arg;
	struct fuse_init_out o = {0};

	o.major = FUSE_KERNEL_VERSION;
	o.minor = i->minor < FUSE_KERNEL_MINOR_VERSION ? i->minor : FUSE_KERNEL_MINOR_VERSION;
	o.max_readahead = i->max_readahead;
	o.max_background = 16;
	o.congestion_threshold = 12;
	o.max_write = 4096;
	o.time_gran = 1;
	reply(fs, in, 0, &o, sizeof(o));
}

static void
serve_lookup(struct fuse_stall *fs, const struct fuse_in_header *in, const char *name)
{
	struct fuse_entry_out e = {0};

	if (in->nodeid != FUSE_ROOT_ID || strcmp(name, "mem") != 0) {
		reply(fs, in, ENOENT, NULL, 0);
		return;
	}
	e.nodeid = FILE_NODE;
	e.generation = 1;
	e.entry_valid = 3600;
	/* attributes never cached: every fstat of the file becomes a GETATTR */
	e.attr_valid = 0;
	e.attr.ino = FILE_NODE;
	e.attr.size = fs->file_size;
	e.attr.blocks = fs->file_size / 512;
	e.attr.mode = S_IFREG | 0600;
	e.attr.nlink = 1;
	e.attr.blksize = 4096;
	reply(fs, in, 0, &e, sizeof(e));
}

static void
serve(struct fuse_stall *fs, const struct fuse_in_header *in, const void *arg)
{
	struct fuse_open_out open_out = {.fh = 1};

	pthread_mutex_lock(&fs->lock);
	if (in->opcode < 64)
		fs->seen[in->opcode]++;
	if (in->nodeid == FILE_NODE && in->opcode != FUSE_OPEN && in->opcode != FUSE_FLUSH &&
	    in->opcode != FUSE_RELEASE && in->opcode != FUSE_FORGET && fs->asked++ == 0)
		fs->first_asked = in->opcode;
	pthread_cond_broadcast(&fs->cond);
	pthread_mutex_unlock(&fs->lock);
	switch (in->opcode) {
	case FUSE_INIT:
		serve_init(fs, in, arg);
		break;
	case FUSE_LOOKUP:
		serve_lookup(fs, in, arg);
		break;
	case FUSE_OPEN:
		reply(fs, in, 0, &open_out, sizeof(open_out));
		break;
	case FUSE_RELEASE:
		reply(fs, in, 0, NULL, 0);
		break;
	case FUSE_FLUSH:  /* never answered: the close waits */
	case FUSE_FORGET: /* never answered by the protocol */
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		break;
	default:
		reply(fs, in, EIO, NULL, 0);
		break;
	}
}

static void *
server(void *arg)
{
	struct fuse_stall *fs = arg;
	struct pollfd p[2] = {{fs->dev, POLLIN, 0}, {fs->stop, POLLIN, 0}};
	char *buf = malloc(RX_BUF);
	ssize_t n;

	while (buf != NULL && poll(p, 2, -1) >= 0 && !(p[1].revents & POLLIN)) {
		if (!(p[0].revents & POLLIN))
			continue;
		n = read(fs->dev, buf, RX_BUF);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == ENOENT))
			continue;
		if (n < (ssize_t)sizeof(struct fuse_in_header))
			break;
		serve(fs, (const struct fuse_in_header *)buf, buf + sizeof(struct fuse_in_header));
	}
	free(buf);
	return NULL;
}

int
fuse_stall_mount(struct fuse_stall *fs, uint64_t file_size)
{
	char opts[128];
	int rc;

	memset(fs, 0, sizeof(*fs));
	fs->file_size = file_size;
	pthread_mutex_init(&fs->lock, NULL);
	pthread_cond_init(&fs->cond, NULL);
	fs->stop = eventfd(0, EFD_CLOEXEC);
	fs->dev = open("/dev/fuse", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	snprintf(fs->dir, sizeof(fs->dir), "/tmp/dpx-fuse-XXXXXX");
	if (fs->stop < 0 || fs->dev < 0 || mkdtemp(fs->dir) == NULL) {
		rc = -errno;
		goto fail;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=%u,group_id=%u", fs->dev,
		 (unsigned int)getuid(), (unsigned int)getgid());
	if (mount("dpx-test", fs->dir, "fuse", MS_NOSUID | MS_NODEV, opts) < 0) {
		rc = -errno;
		rmdir(fs->dir);
		goto fail;
	}
	fs->mounted = true;
	rc = -pthread_create(&fs->th, NULL, server, fs);
	if (rc == 0)
		return 0;
	umount2(fs->dir, MNT_DETACH);
	rmdir(fs->dir);
fail:
	if (fs->dev >= 0)
		close(fs->dev);
	if (fs->stop >= 0)
		close(fs->stop);
	fs->mounted = false;
	return rc;
}

int
fuse_stall_open(struct fuse_stall *fs, int flags)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "%s/mem", fs->dir);
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

bool
fuse_stall_wait(struct fuse_stall *fs, uint32_t opcode, unsigned int n)
{
	struct timespec until;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&fs->lock);
	while (fs->seen[opcode] < n &&
	       pthread_cond_timedwait(&fs->cond, &fs->lock, &until) != ETIMEDOUT)
		;
	ok = fs->seen[opcode] >= n;
	pthread_mutex_unlock(&fs->lock);
	return ok;
}

unsigned int
fuse_stall_seen(struct fuse_stall *fs, uint32_t opcode)
{
	unsigned int n;

	pthread_mutex_lock(&fs->lock);
	n = fs->seen[opcode];
	pthread_mutex_unlock(&fs->lock);
	return n;
}

/*
 * A back-end that kept a copy of the channel (a test that fails) would keep
 * the connection, and the closes waiting on it, alive for ever: the process
 * could not even exit. Every other /dev/fuse fd of the process becomes
 * /dev/null (its owner's close is then harmless), so that closing fs->dev
 * aborts the connection whatever failed. @return how many there were.
 */
static unsigned int
channel_copies_disarm(const struct fuse_stall *fs)
{
	char link[300], name[32];
	unsigned int n = 0;
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int fd, null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ssize_t len;

	while (d != NULL && null >= 0 && (e = readdir(d)) != NULL) {
		fd = atoi(e->d_name);
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		len = readlink(link, name, sizeof(name) - 1);
		if (e->d_name[0] == '.' || fd == fs->dev || len < 0)
			continue;
		name[len] = '\0';
		if (strcmp(name, "/dev/fuse") == 0 && dup3(null, fd, O_CLOEXEC) == fd)
			n++;
	}
	if (d != NULL)
		closedir(d);
	if (null >= 0)
		close(null);
	return n;
}

unsigned int
fuse_stall_unmount(struct fuse_stall *fs)
{
	uint64_t one = 1;
	unsigned int copies;

	if (!fs->mounted)
		return 0;
	(void)!write(fs->stop, &one, sizeof(one));
	pthread_join(fs->th, NULL);
	copies = channel_copies_disarm(fs);
	close(fs->dev); /* the last /dev/fuse fd: the connection is aborted */
	close(fs->stop);
	umount2(fs->dir, MNT_DETACH);
	rmdir(fs->dir);
	pthread_mutex_destroy(&fs->lock);
	pthread_cond_destroy(&fs->cond);
	fs->mounted = false;
	return copies;
}
