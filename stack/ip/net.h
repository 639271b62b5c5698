/*
 * net.h - one instance of the stack: its address, its device, its counters.
 *
 * Read this first: this is the sans-IO core's front door.  The runtime (or a
 * test) hands every received packet to net_input() together with `now`, the
 * time in milliseconds from any fixed origin; the core answers by calling
 * the device's send().  The core never reads a clock and never makes a
 * syscall of its own, so a test can drive it with crafted packets and a
 * virtual clock, and gdb can step it packet by packet.
 *
 * Path of a received packet:
 *   device -> net_input() [ipv4.c] -> icmp_input() [icmp.c]
 *                                  -> tcp_input()  [tcp_input.c]
 * Path of a sent packet:
 *   icmp/tcp -> ip_output() [ipv4.c] -> device send()
 */
#ifndef TUNTCP_NET_H
#define TUNTCP_NET_H

#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "stats.h"

struct tcp_layer;

struct net {
	struct device *dev;	/* where packets go out */
	uint32_t addr;		/* our IPv4 address, host order */
	uint16_t ip_id;		/* Identification of the next datagram */
	uint64_t now;		/* ms; the time of the latest input or tick */
	struct stats stats;

	/* Where the core's one-line messages go (state changes, drops):
	 * set by the runtime when TUNTCP_TRACE=1, NULL for silence. */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;

	struct tcp_layer *tcp;	/* TCP's connections and settings */

	/* What the stack says about the packet in hand, for a capture that
	 * keeps comments (dev_pcap.c): `note` on the packet just processed
	 * ("dropped: ip-bad-checksum", the connection's state after it),
	 * `note_out` on the packet about to be sent. */
	char note[256];
	char note_out[256];
};

/* Set up `net` to use `dev` and answer for `addr` (host order). */
void net_init(struct net *net, struct device *dev, uint32_t addr);
void net_free(struct net *net);

/* Process one received packet of `len` bytes at time `now` (ms). */
void net_input(struct net *net, const uint8_t *pkt, size_t len, uint64_t now);

/* Run the timers that are due at `now`. */
void net_tick(struct net *net, uint64_t now);

/* The earliest time at which net_tick() has work, or UINT64_MAX. */
uint64_t net_next_deadline(const struct net *net);

/* Send `len` bytes of `proto` payload to `dst` in one IPv4 datagram.
 * Returns 0, or -errno (-EMSGSIZE when it does not fit the MTU). */
int ip_output(struct net *net, uint8_t proto, uint32_t dst,
	      const uint8_t *payload, size_t len);

/* Count a dropped packet and say why (RFC 1122 1.2.2: discard silently,
 * but a host should be able to log it). */
void net_drop(struct net *net, enum drop_reason reason, const char *detail);

/* Emit one formatted line through net->log, if a log is set. */
void net_logf(struct net *net, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
