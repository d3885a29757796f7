/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What DESIGN.md promises an outside application: install dpx (meson install
 * into a scratch destdir), build a program against it with nothing but
 * `pkg-config --cflags --libs libdpx`, every installed public header
 * included, and run it: EAL, a port, a burst, its own telemetry command
 * answered over the socket. A public header that needs one that is not
 * installed, a pkg-config file that names the wrong folder, or a symbol
 * the library does not export fails here.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dpx_test.h"

/* A sanitizer build's libdpx needs its runtime first: the program is built with it too. */
#ifdef __SANITIZE_ADDRESS__
#define PROG_CFLAGS "-fsanitize=address,undefined"
#else
#define PROG_CFLAGS ""
#endif

/* The outside program: written by the case, built by cc, run from the destdir. */
static const char prog[] =
	"#include <stdio.h>\n"
	"#include <string.h>\n"
	"#include <sys/socket.h>\n"
	"#include <sys/un.h>\n"
	"#include <unistd.h>\n"
	"#include \"all_headers.h\"\n"
	"static int hello(const char *c, const char *p, struct dpx_tel_data *d)\n"
	"{ (void)c, (void)p; return dpx_tel_data_string(d, \"outside\"); }\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"	char *a[] = {argv[0], \"--no-huge\", \"-l\", \"0\", \"--file-prefix\", argv[1],\n"
	"		     \"--vdev\", \"net_null0\", NULL};\n"
	"	struct sockaddr_un sa = {.sun_family = AF_UNIX};\n"
	"	struct dpx_mbuf *m[32];\n"
	"	char reply[256] = \"\";\n"
	"	(void)argc;\n"
	"	if (dpx_eal_init(8, a) < 0 ||\n"
	"	    dpx_telemetry_register_cmd(\"/outside\", hello, \"h\") != 0)\n"
	"		return 2;\n"
	"	struct dpx_mempool *mp = dpx_pktmbuf_pool_create(\"mp\", 512, 0, 0,\n"
	"		DPX_MBUF_DEFAULT_BUF_SIZE, -1);\n"
	"	if (mp == NULL || dpx_eth_dev_configure(0, 1, 1, NULL) != 0 ||\n"
	"	    dpx_eth_rx_queue_setup(0, 0, 0, -1, NULL, mp) != 0 ||\n"
	"	    dpx_eth_tx_queue_setup(0, 0, 0, -1, NULL) != 0 || dpx_eth_dev_start(0) != 0)\n"
	"		return 3;\n"
	"	uint16_t n = dpx_eth_rx_burst(0, 0, m, 32);\n"
	"	uint16_t sent = dpx_eth_tx_burst(0, 0, m, n);\n"
	"	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);\n"
	"	snprintf(sa.sun_path, sizeof(sa.sun_path), \"%s\", dpx_telemetry_socket_path());\n"
	"	ssize_t len = -1;\n"
	"	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&\n"
	"	    recv(fd, reply, sizeof(reply) - 1, 0) > 0 &&\n"
	"	    send(fd, \"/outside\", 8, 0) == 8)\n"
	"		len = recv(fd, reply, sizeof(reply) - 1, 0);\n"
	"	if (len <= 0)\n"
	"		return 4;\n"
	"	reply[len] = '\\0';\n"
	"	close(fd);\n"
	"	printf(\"outside program: %u packets in, %u out; telemetry: %s\\n\", n, sent,\n"
	"	       reply);\n"
	"	dpx_eth_dev_stop(0);\n"
	"	dpx_eth_dev_close(0);\n"
	"	dpx_mempool_free(mp);\n"
	"	return dpx_eal_cleanup() != 0 || n != 32 || sent != 32 ||\n"
	"	       strcmp(reply, \"{\\\"/outside\\\":\\\"outside\\\"}\") != 0;\n"
	"}\n";

static int
test_install_outside_program(void)
{
	char dir[] = "/tmp/dpx-install-XXXXXX", path[256], cmd[4096];
	FILE *f;
	int rc;

	DPX_TEST_ASSERT(mkdtemp(dir) != NULL, "");
	snprintf(path, sizeof(path), "%s/prog.c", dir);
	f = fopen(path, "w");
	DPX_TEST_ASSERT(f != NULL, "");
	fputs(prog, f);
	fclose(f);
	/* every installed public header, from the installed folder that libdpx.pc names
	 * (pkg-config puts the sysroot in front of its variables too) */
	snprintf(cmd, sizeof(cmd),
		 "set -e; d='%s'; cd \"$d\"\n"
		 "meson install -C '%s' --no-rebuild --quiet --destdir \"$d/root\" >install.log\n"
		 "pc=$(dirname \"$(find \"$d/root\" -name libdpx.pc)\")\n"
		 "export PKG_CONFIG_PATH=\"$pc\" PKG_CONFIG_SYSROOT_DIR=\"$d/root\"\n"
		 "inc=$(pkg-config --variable=includedir libdpx)/dpx\n"
		 "n=0; for h in \"$inc\"/*.h; do echo \"#include <${h##*/}>\"; n=$((n+1)); done "
		 ">all_headers.h\n"
		 "echo \"$n installed public headers\"\n"
		 "cc -std=gnu11 -Wall -Wextra -Werror " PROG_CFLAGS " -o prog prog.c "
		 "$(pkg-config --cflags --libs libdpx)\n"
		 "LD_LIBRARY_PATH=\"$(pkg-config --variable=libdir libdpx)\" "
		 "./prog dpx-install-%d\n",
		 dir, DPX_BUILD_ROOT, (int)getpid());
	fflush(stdout);
	rc = system(cmd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", dir);
	DPX_TEST_ASSERT(WIFEXITED(rc) && WEXITSTATUS(rc) == 0,
			"install, build against libdpx.pc, run: status %d", rc);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(install_outside_program, fast, test_install_outside_program);
