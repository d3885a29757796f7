/* SPDX-License-Identifier: BSD-3-Clause */
/* PCI addresses, the -a/-b policy and id matching: pure logic, no system call. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pci_private.h"

/* Up to max_digits hex digits at *p, value <= max; advances *p. */
static int
parse_hex_field(const char **p, unsigned int max_digits, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	unsigned int n = 0;

	while (isxdigit((unsigned char)(*p)[n]) && n < max_digits) {
		char c = (char)tolower((unsigned char)(*p)[n]);
		v = v * 16 + (unsigned long)(isdigit((unsigned char)c) ? c - '0' : c - 'a' + 10);
		n++;
	}
	if (n == 0 || isxdigit((unsigned char)(*p)[n]) || v > max)
		return -EINVAL;
	*p += n;
	*out = v;
	return 0;
}

int
dpx_pci_addr_parse(const char *s, struct dpx_pci_addr *addr)
{
	unsigned long f[4];
	unsigned int colons = 0;
	const char *p = s;

	if (s == NULL || addr == NULL)
		return -EINVAL;
	for (const char *c = s; *c != '\0'; c++)
		colons += *c == ':';
	if (colons < 1 || colons > 2)
		return -EINVAL;
	f[0] = 0;
	/* a domain wider than 16 bits exists (VMD's 10000:...), so up to 8 digits */
	if (colons == 2 && (parse_hex_field(&p, 8, 0xffffffffUL, &f[0]) != 0 || *p++ != ':'))
		return -EINVAL;
	if (parse_hex_field(&p, 2, 0xff, &f[1]) != 0 || *p++ != ':' ||
	    parse_hex_field(&p, 2, 0x1f, &f[2]) != 0 || *p++ != '.' ||
	    parse_hex_field(&p, 1, 7, &f[3]) != 0 || *p != '\0')
		return -EINVAL;
	addr->domain = (uint32_t)f[0];
	addr->bus = (uint8_t)f[1];
	addr->devid = (uint8_t)f[2];
	addr->function = (uint8_t)f[3];
	return 0;
}

int
dpx_pci_addr_format(const struct dpx_pci_addr *addr, char *buf, size_t len)
{
	int n;

	if (addr == NULL || buf == NULL || len == 0)
		return -EINVAL;
	n = snprintf(buf, len, "%04x:%02x:%02x.%x", addr->domain, addr->bus, addr->devid,
		     addr->function);
	return (size_t)n >= len ? -ENOSPC : n;
}

int
dpx_pci_addr_cmp(const struct dpx_pci_addr *a, const struct dpx_pci_addr *b)
{
	uint64_t ka =
		(uint64_t)a->domain << 16 | (uint64_t)a->bus << 8 | a->devid << 3 | a->function;
	uint64_t kb =
		(uint64_t)b->domain << 16 | (uint64_t)b->bus << 8 | b->devid << 3 | b->function;

	return ka < kb ? -1 : ka > kb;
}

const char *
dpx_pci_state_name(enum dpx_pci_state state)
{
	switch (state) {
	case DPX_PCI_STATE_PROBED:
		return "probed";
	case DPX_PCI_STATE_NO_DRIVER:
		return "no driver";
	case DPX_PCI_STATE_BLOCKED:
		return "blocked";
	case DPX_PCI_STATE_NOT_ALLOWED:
		return "not allowed";
	case DPX_PCI_STATE_NOT_VFIO:
		return "not on vfio-pci";
	case DPX_PCI_STATE_FAILED:
		return "failed";
	}
	return "?";
}

/* "BDF[,args]" -> arg; args allowed only when with_args. */
static int
devarg_parse(const char *s, bool with_args, struct pci_devarg *arg)
{
	const char *comma = strchr(s, ',');
	size_t len = comma != NULL ? (size_t)(comma - s) : strlen(s);
	char bdf[DPX_PCI_NAME_MAX];

	if (len == 0 || len >= sizeof(bdf) || (comma != NULL && !with_args))
		return -EINVAL;
	memcpy(bdf, s, len);
	bdf[len] = '\0';
	if (dpx_pci_addr_parse(bdf, &arg->addr) != 0)
		return -EINVAL;
	arg->args = comma != NULL ? comma + 1 : "";
	return 0;
}

static const struct pci_devarg *
devarg_find(const struct pci_devarg *list, unsigned int count, const struct dpx_pci_addr *addr)
{
	for (unsigned int i = 0; i < count; i++)
		if (dpx_pci_addr_cmp(&list[i].addr, addr) == 0)
			return &list[i];
	return NULL;
}

/* One list of -a or -b arguments into out[]. */
static int
devargs_parse(const char *opt, const char *const *in, unsigned int count, bool with_args,
	      struct pci_devarg *out, char *err, size_t errlen)
{
	if (count > PCI_MAX_DEVARGS) {
		snprintf(err, errlen, "%s: %u devices, at most %u", opt, count, PCI_MAX_DEVARGS);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < count; i++) {
		if (devarg_parse(in[i], with_args, &out[i]) != 0) {
			snprintf(err, errlen,
				 "%s %.80s: not a PCI address (DDDD:BB:DD.F or BB:DD.F%s)", opt,
				 in[i], with_args ? ", then ,key=value..." : "");
			return -EINVAL;
		}
		/* two -a for one device would leave one set of devargs unused */
		if (with_args && devarg_find(out, i, &out[i].addr) != NULL) {
			snprintf(err, errlen, "%s %.80s: the device is given twice", opt, in[i]);
			return -EINVAL;
		}
	}
	return 0;
}

int
pci_policy_parse(struct pci_policy *policy, const char *const *allow, unsigned int allow_count,
		 const char *const *block, unsigned int block_count, char *err, size_t errlen)
{
	int rc;

	memset(policy, 0, sizeof(*policy));
	err[0] = '\0';
	rc = devargs_parse("-a", allow, allow_count, true, policy->allow, err, errlen);
	if (rc == 0)
		rc = devargs_parse("-b", block, block_count, false, policy->block, err, errlen);
	if (rc != 0)
		return rc;
	policy->allow_count = allow_count;
	policy->block_count = block_count;
	return 0;
}

enum dpx_pci_state
pci_policy_check(const struct pci_policy *policy, const struct dpx_pci_addr *addr,
		 const struct pci_devarg **arg)
{
	*arg = NULL;
	if (devarg_find(policy->block, policy->block_count, addr) != NULL)
		return DPX_PCI_STATE_BLOCKED;
	if (policy->allow_count == 0)
		return DPX_PCI_STATE_PROBED;
	*arg = devarg_find(policy->allow, policy->allow_count, addr);
	return *arg != NULL ? DPX_PCI_STATE_PROBED : DPX_PCI_STATE_NOT_ALLOWED;
}

static bool
id_field_match(uint16_t want, uint16_t have)
{
	return want == DPX_PCI_ANY_ID || want == have;
}

bool
pci_id_match(const struct dpx_pci_id *table, const struct dpx_pci_device_info *info)
{
	for (const struct dpx_pci_id *id = table; id != NULL && id->vendor_id != 0; id++) {
		/* a zero subsystem field in a table means "any", as in DPX_PCI_DEVICE */
		if (id_field_match(id->vendor_id, info->vendor_id) &&
		    id_field_match(id->device_id, info->device_id) &&
		    (id->subsystem_vendor_id == 0 ||
		     id_field_match(id->subsystem_vendor_id, info->subsystem_vendor_id)) &&
		    (id->subsystem_device_id == 0 ||
		     id_field_match(id->subsystem_device_id, info->subsystem_device_id)))
			return true;
	}
	return false;
}
