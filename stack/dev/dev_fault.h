/*
 * dev_fault.h - a device wrapper that makes the network hostile: it loses,
 * reorders, duplicates, corrupts, delays and rate-limits packets, seeded
 * and reproducible.
 *
 *   TUNTCP_FAULTS="loss=0.05,reorder=0.02,dup=0.01,corrupt=0.005,delay=20,jitter=5,rate=100,seed=7"
 *
 * Probabilities are per packet (0..1); delay and jitter in milliseconds;
 * rate in Mbit/s.  Each is optional.  A key prefixed "in." or "out." applies
 * to one direction only ("out." = what the stack sends).
 */
#ifndef TUNTCP_DEV_FAULT_H
#define TUNTCP_DEV_FAULT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "device.h"

struct fault_cfg {
	double loss, reorder, dup, corrupt;	/* probabilities */
	uint32_t delay_ms, jitter_ms;
	double rate_mbps;			/* 0: unlimited */
	uint64_t seed;
};

/* Parse a TUNTCP_FAULTS string into the two directions.  Returns 0, or -1
 * with a sentence in `err`. */
int fault_parse(const char *spec, struct fault_cfg *in, struct fault_cfg *out,
		char *err, size_t errlen);

/* Wrap `lower`.  `clock` gives the time in ms (the runtime's clock, or a
 * test's virtual one); `trace` (may be NULL) gets a line per fault. */
struct device *fault_wrap(struct device *lower, const struct fault_cfg *in,
			  const struct fault_cfg *out,
			  uint64_t (*clock)(void *ctx), void *clock_ctx,
			  FILE *trace);

#endif
