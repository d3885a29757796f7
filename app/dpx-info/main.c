/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpx-info: bring up the EAL with the given options and show what it set up:
 * lcores and their CPUs and NUMA nodes, the cycle counter, the runtime
 * directory, the devices (vdevs, the PCI devices the bus found with what it
 * did with each, the DMA devices and what they can do). A quick check that a
 * machine and a command line are right.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <dpx_bus_pci.h>
#include <dpx_dmadev.h>
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

static void
report_dma(int16_t id)
{
	struct dpx_dma_info info;
	int fd;

	if (dpx_dma_info_get(id, &info) != 0)
		return;
	printf("dma %d: %s (driver %s, NUMA node %d): vchans up to %u, ring %u..%u, capabilities",
	       id, info.dev_name, info.driver_name, info.numa_node, info.max_vchans, info.min_desc,
	       info.max_desc);
	for (unsigned int bit = 0; bit < 64; bit++)
		if ((info.dev_capa >> bit) & 1 && dpx_dma_capability_name(UINT64_C(1) << bit))
			printf(" %s", dpx_dma_capability_name(UINT64_C(1) << bit));
	if (dpx_dma_container_get(id, &fd) == 0)
		printf(" (VFIO container %d)", fd);
	printf("\n");
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
	DPX_LCORE_FOREACH (i) {
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
	int16_t dma;
	printf("DMA devices: %u\n", dpx_dma_count_avail());
	DPX_DMA_FOREACH_DEV(dma)
	report_dma(dma);
	dpx_eal_cleanup();
	return 0;
}
