/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpx-info: bring up the EAL with the given options and show what it set up:
 * lcores and their CPUs and NUMA nodes, the cycle counter, the runtime
 * directory, the devices (vdevs, and the PCI devices the bus found with what
 * it did with each). A quick check that a machine and a command line are right.
 */
#include <stdio.h>
#include <stdlib.h>

#include <dpx_bus_pci.h>
#include <dpx_eal.h>

static int
report_lcore(void *arg)
{
	(void)arg;
	unsigned int id = dpx_lcore_id();
	printf("  lcore %u: cpu %d, NUMA node %d%s\n", id, dpx_lcore_to_cpu_id(id),
	       dpx_lcore_to_socket_id(id), id == dpx_get_main_lcore() ? " (main)" : "");
	return 0;
}

int
main(int argc, char **argv)
{
	int rc = dpx_eal_init(argc, argv);
	unsigned int i;

	if (rc == -ECANCELED)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "dpx-info: EAL initialisation failed: %s\n", dpx_strerror(rc));
		return 1;
	}
	printf("dpx %s\n", DPX_VERSION);
	printf("lcores: %u\n", dpx_lcore_count());
	/* one at a time, so the lines come out in order */
	DPX_LCORE_FOREACH(i) {
		if (i == dpx_get_main_lcore()) {
			report_lcore(NULL);
		} else {
			dpx_eal_remote_launch(report_lcore, NULL, i);
			dpx_eal_wait_lcore(i);
		}
	}
	printf("cycle counter: %.3f MHz\n", dpx_get_tsc_hz() / 1e6);
	printf("IOVA mode: %s\n", dpx_eal_iova_mode() == DPX_IOVA_PA ? "PA" : "VA");
	printf("runtime directory: %s\n",
	       dpx_eal_runtime_dir()[0] ? dpx_eal_runtime_dir() : "(none, --in-memory)");
	for (i = 0; i < dpx_eal_vdev_count(); i++)
		printf("vdev: %s\n", dpx_eal_vdev_arg(i));
	if (dpx_eal_no_pci()) {
		printf("PCI devices: not scanned (--no-pci)\n");
	} else {
		printf("PCI devices: %u\n", dpx_pci_device_count());
		if (dpx_pci_device_count() > 0)
			dpx_pci_dump(stdout);
	}
	dpx_eal_cleanup();
	return 0;
}
