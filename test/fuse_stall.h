/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A FUSE file system served by the test process itself, speaking the protocol
 * on /dev/fuse: one file, "mem", that can be looked up and opened; FLUSH is
 * never answered (what a hostile front-end serving its own mount can do),
 * anything else on the file is recorded and refused with EIO so that a
 * back-end that asks the file system shows it without hanging the test.
 */
#ifndef FUSE_STALL_H
#define FUSE_STALL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct fuse_stall {
	int dev;  /* /dev/fuse */
	int stop; /* eventfd: the server thread returns */
	char dir[64];
	bool mounted;
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t file_size;
	unsigned int seen[64]; /* requests by opcode (those below 64) */
	unsigned int asked;    /* requests on the file other than OPEN, FLUSH, RELEASE */
	uint32_t first_asked;  /* the opcode of the first of them */
};

/* Mount it (a temporary directory) and start its server.
 * @return 0, or -errno (no /dev/fuse, no right to mount: the caller skips). */
int fuse_stall_mount(struct fuse_stall *fs, uint64_t file_size);
/* Open its file ("mem", file_size bytes). @return an fd or -errno.
 * Closing it waits for FLUSH: close it only after fuse_stall_unmount. */
int fuse_stall_open(struct fuse_stall *fs, int flags);
/* Wait (a 10 s guard, not a timing assertion) until n requests of opcode came. */
bool fuse_stall_wait(struct fuse_stall *fs, uint32_t opcode, unsigned int n);
unsigned int fuse_stall_seen(struct fuse_stall *fs, uint32_t opcode);
/* Stop the server and close /dev/fuse, which aborts the connection: every
 * request waiting for an answer (the FLUSHes) fails at once; then unmount.
 * Other /dev/fuse fds of the process (copies a back-end kept) become
 * /dev/null first. @return how many of them there were. */
unsigned int fuse_stall_unmount(struct fuse_stall *fs);

#endif
