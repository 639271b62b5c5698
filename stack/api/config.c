/*
 * config.c - read the TUNTCP_* environment variables.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4_frag.h"
#include "ipv4_wire.h"

/* A whole decimal number in [lo, hi], or -1 with a message. */
static int number(const char *name, const char *v, unsigned long long lo,
		  unsigned long long hi, unsigned long long *out, char *err,
		  size_t errlen)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-' || *out < lo || *out > hi) {
		snprintf(err, errlen, "%s=%s: expected a whole number from %llu to %llu",
			 name, v, lo, hi);
		return -1;
	}
	return 0;
}

int config_from_env(struct config *cfg, char *err, size_t errlen)
{
	unsigned long long n;
	const char *v;

	memset(cfg, 0, sizeof *cfg);

	v = getenv("TUNTCP_DEV");
	if (!v || !*v)
		v = "tun0";
	if (strlen(v) >= sizeof cfg->dev) {
		snprintf(err, errlen, "TUNTCP_DEV=%s: a device name has at most 15 characters", v);
		return -1;
	}
	strcpy(cfg->dev, v);

	v = getenv("TUNTCP_ADDR");
	if (!v || !*v)
		v = "10.0.0.2";
	if (ipv4_aton(v, &cfg->addr) < 0 || cfg->addr == 0 ||
	    (cfg->addr >> 28) >= 0xE) {
		snprintf(err, errlen, "TUNTCP_ADDR=%s: expected a unicast IPv4 address such as 10.0.0.2", v);
		return -1;
	}

	v = getenv("TUNTCP_PCAP");
	cfg->pcap = (v && *v) ? v : NULL;

	v = getenv("TUNTCP_TRACE");
	cfg->trace = v && *v && strcmp(v, "0") != 0;

	v = getenv("TUNTCP_ISN");
	if (v && *v) {
		if (number("TUNTCP_ISN", v, 0, 0xFFFFFFFFull, &n, err, errlen) < 0)
			return -1;
		cfg->isn_fixed = 1;
		cfg->isn = (uint32_t)n;
	}
	cfg->msl_ms = 2000;
	v = getenv("TUNTCP_MSL");
	if (v && *v) {
		if (number("TUNTCP_MSL", v, 1, 600000, &n, err, errlen) < 0)
			return -1;
		cfg->msl_ms = (uint32_t)n;
	}
	v = getenv("TUNTCP_FAULTS");
	cfg->faults = (v && *v) ? v : NULL;

	cfg->delack_ms = 40;
	v = getenv("TUNTCP_DELACK");
	if (v && *v) {
		if (number("TUNTCP_DELACK", v, 0, 500, &n, err, errlen) < 0)
			return -1;
		cfg->delack_ms = (uint32_t)n;
	}
	cfg->sndbuf = cfg->rcvbuf = 256 * 1024;
	v = getenv("TUNTCP_SNDBUF");
	if (v && *v) {
		if (number("TUNTCP_SNDBUF", v, 1024, 64 << 20, &n, err, errlen) < 0)
			return -1;
		cfg->sndbuf = (uint32_t)n;
	}
	v = getenv("TUNTCP_RCVBUF");
	if (v && *v) {
		if (number("TUNTCP_RCVBUF", v, 1024, 64 << 20, &n, err, errlen) < 0)
			return -1;
		cfg->rcvbuf = (uint32_t)n;
	}
	cfg->icmp_rate = 1000;
	cfg->icmp_burst = 50;
	v = getenv("TUNTCP_ICMP_RATE");
	if (v && *v) {
		char rate[24], *slash;

		snprintf(rate, sizeof rate, "%s", v);
		slash = strchr(rate, '/');
		if (slash)
			*slash = '\0';
		if (number("TUNTCP_ICMP_RATE", rate, 0, 1000000, &n, err, errlen) < 0)
			return -1;
		cfg->icmp_rate = (uint32_t)n;
		if (slash) {
			if (number("TUNTCP_ICMP_RATE burst", slash + 1, 1, 1000000, &n,
				   err, errlen) < 0)
				return -1;
			cfg->icmp_burst = (uint32_t)n;
		}
	}
	cfg->rto_min_ms = 1000;
	v = getenv("TUNTCP_RTO_MIN");
	if (v && *v) {
		if (number("TUNTCP_RTO_MIN", v, 1, 60000, &n, err, errlen) < 0)
			return -1;
		cfg->rto_min_ms = (uint32_t)n;
	}
	/* Reassembly's limits (ip/ipv4_frag.c).  The memory has room for
	 * at least one datagram of 64 KiB with its bookkeeping. */
	cfg->frag_timeout_ms = REASS_TIMEOUT_MS;
	v = getenv("TUNTCP_FRAG_TIMEOUT");
	if (v && *v) {
		if (number("TUNTCP_FRAG_TIMEOUT", v, 1, 600000, &n, err, errlen) < 0)
			return -1;
		cfg->frag_timeout_ms = (uint32_t)n;
	}
	cfg->frag_mem = REASS_MEM_MAX;
	v = getenv("TUNTCP_FRAG_MEM");
	if (v && *v) {
		if (number("TUNTCP_FRAG_MEM", v, 128 << 10, 1u << 30, &n, err, errlen) < 0)
			return -1;
		cfg->frag_mem = (uint32_t)n;
	}
	return 0;
}
