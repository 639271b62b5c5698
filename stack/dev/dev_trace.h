/*
 * dev_trace.h - a device wrapper that prints one line per packet.
 */
#ifndef TUNTCP_DEV_TRACE_H
#define TUNTCP_DEV_TRACE_H

#include <stdio.h>

#include "device.h"

/* Wrap `lower`: each packet received or sent is printed to `out` as
 *   12:00:01.123456 in  10.0.0.1 > 10.0.0.2: ICMP echo request, ...  */
struct device *trace_wrap(struct device *lower, FILE *out);

/* Print a timestamped line to the trace output (used for the core's
 * messages, so they interleave with the packets in time order). */
void trace_line(FILE *out, const char *dir, const char *text);

#endif
