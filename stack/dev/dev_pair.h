/*
 * dev_pair.h - two devices joined back to back in memory.
 *
 * What one side sends, the other side receives.  Tests use a pair to watch
 * exactly what the stack sends (read it from the other end) and to feed it
 * crafted packets (send them from the other end), or to join two stacks.
 */
#ifndef TUNTCP_DEV_PAIR_H
#define TUNTCP_DEV_PAIR_H

#include "device.h"

/* Make a pair; returns one end and stores the other in *other.  Each end
 * is destroyed on its own; the shared queues go with the last one. */
struct device *pair_new(struct device **other);

/* Number of packets waiting to be received at this end. */
size_t pair_pending(struct device *end);

#endif
