/*
 * net.h - one instance of the stack: its address, its device, its counters,
 * and the protocols registered above IPv4.
 *
 * Read this first: this is the sans-IO core's front door.  The runtime (or a
 * test) hands every received packet to net_input() together with `now`, the
 * time in milliseconds from any fixed origin; the core answers by calling
 * the device's send().  The core never reads a clock and never makes a
 * syscall of its own, so a test can drive it with crafted packets and a
 * virtual clock, and gdb can step it packet by packet.
 *
 * The layers below a protocol never name it.  A protocol registers itself
 * (struct net_proto, net_add_proto(): the role of BSD's protosw and Linux's
 * inet_protos): IPv4 hands it the datagrams whose Protocol field is its
 * number, and net.c runs its timers and frees it.  Calls downward stay
 * direct: a protocol sends with ip_output().
 *
 * Path of a received packet:
 *   device -> net_input() [ip/ipv4.c] -> protocol 1: icmp_input() [ip/icmp.c]
 *                                     -> protocol 6: tcp_input()  [tcp/]
 *                                     -> protocol 17: udp_input() [udp/]
 *   (a fragment waits in ip_reass_input() [ip/ipv4_frag.c] until its
 *   datagram is whole, then goes up the same way)
 * Path of a sent packet:
 *   icmp/tcp/udp -> ip_output() [ip/ipv4.c] -> device send() [dev/]
 *   (too big for the MTU: ip_fragment_output() [ip/ipv4_frag.c])
 */
#ifndef TUNTCP_NET_H
#define TUNTCP_NET_H

#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "ipv4_frag.h"
#include "stats.h"

struct ipv4_hdr;
struct net;
struct tcp_layer;
struct udp_layer;

/* An ICMP error about a datagram we sent (RFC 792; RFC 1122 3.2.2), checked
 * by ICMP (ip/icmp.c) and handed to the protocol whose datagram it quotes. */
struct icmp_error {
	uint8_t type;		/* ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED, ... */
	uint8_t code;		/* e.g. 3: port unreachable */
	uint16_t mtu;		/* type 3 code 4: the next-hop MTU (RFC 1191); else 0 */
	uint32_t from;		/* who sent the ICMP message */
	/* The header of our datagram, as quoted (its addresses, protocol,
	 * id); quoted->payload holds the first bytes of its payload, at
	 * least 8: enough for the ports, and TCP's sequence number. */
	const struct ipv4_hdr *quoted;
};

/* RFC 1812 4.3.2.8: the ICMP errors a host sends are rate-limited, here
 * with a token bucket (ip/icmp_error.c), as Linux's icmp_ratelimit. */
struct icmp_ratelimit {
	uint32_t per_second;	/* tokens added each second; 0: no limit */
	uint32_t burst;		/* the most tokens saved up */
	uint64_t tokens;	/* in thousandths of a token */
	uint64_t updated;	/* ms: when `tokens` was last brought up to date */
};

/* A protocol above IPv4, as it registers itself with a stack instance
 * (tcp_layer_init(), icmp_layer_init()).  Only `input` is required. */
struct net_proto {
	const char *name;	/* "TCP": for the log and for gdb */
	uint8_t number;		/* the IPv4 Protocol field it takes */
	/* A datagram for us arrived with this protocol number, its header
	 * checked by IPv4; ip->payload is the protocol's message. */
	void (*input)(struct net *net, const struct ipv4_hdr *ip);
	/* Run the protocol's timers that are due at `now`. */
	void (*tick)(struct net *net, uint64_t now);
	/* The earliest time at which tick() has work, or UINT64_MAX. */
	uint64_t (*next_deadline)(const struct net *net);
	/* Free the protocol's state (net_free(), last registered first). */
	void (*free)(struct net *net);
	/* Optional: an ICMP error came back about a datagram of ours of this
	 * protocol (port unreachable, fragmentation needed, ...). */
	void (*error)(struct net *net, const struct icmp_error *err);
};

#define NET_MAX_PROTOS 4	/* ICMP, TCP and UDP, and room for one more */

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

	/* The protocols above IPv4, in the order they registered; in gdb,
	 * `p *net->protos[1]` shows one: its name, number and functions. */
	const struct net_proto *protos[NET_MAX_PROTOS];
	int nprotos;

	/* Each protocol's own state, set when it registers.  Only the
	 * protocol looks inside: here the type is incomplete. */
	struct tcp_layer *tcp;	/* TCP's connections and settings */
	struct udp_layer *udp;	/* UDP's sockets and settings */
	struct icmp_ratelimit icmp_limit;	/* ICMP errors we may send */

	/* IPv4's own: the datagrams being reassembled from fragments, and
	 * the limits on them (ipv4_frag.h). */
	struct ip_reass reass;

	/* What the stack says about the packet in hand, for a capture that
	 * keeps comments (dev_pcap.c): `note` on the packet just processed
	 * ("dropped: ip-bad-checksum", the connection's state after it),
	 * `note_out` on the packet about to be sent. */
	char note[256];
	char note_out[256];
	uint8_t notes;		/* a device keeps comments: the protocols
				 * write the costly ones only then */
};

/* Set up `net` to use `dev` and answer for `addr` (host order).  No
 * protocol is registered yet: a stack program then calls icmp_layer_init(),
 * tcp_layer_init() and udp_layer_init(), in that order.  Reassembly gets
 * its default limits (net->reass, ipv4_frag.h), which the caller may change. */
void net_init(struct net *net, struct device *dev, uint32_t addr);
/* Free every registered protocol's state, last registered first, and the
 * fragments waiting for reassembly. */
void net_free(struct net *net);

/* Register `proto` (kept by pointer: make it static const).  Returns 0, or
 * -EEXIST when its number is taken, -ENOSPC when the table is full. */
int net_add_proto(struct net *net, const struct net_proto *proto);

/* The protocol registered for IPv4 Protocol `number`, or NULL. */
const struct net_proto *net_find_proto(const struct net *net, uint8_t number);

/* Process one received packet of `len` bytes at time `now` (ms). */
void net_input(struct net *net, const uint8_t *pkt, size_t len, uint64_t now);

/* Run the timers that are due at `now`: IPv4's reassembly timeout, then
 * every protocol's tick(). */
void net_tick(struct net *net, uint64_t now);

/* The earliest time at which net_tick() has work, or UINT64_MAX: the
 * earliest of reassembly's and the protocols' next_deadline(). */
uint64_t net_next_deadline(const struct net *net);

/* Send `len` bytes of `proto` payload to `dst` in one IPv4 datagram: in
 * one packet, or in fragments when it does not fit the MTU (not for TCP).
 * Returns 0, or -errno (-EMSGSIZE above 65515 bytes, or a TCP segment
 * that does not fit the MTU). */
int ip_output(struct net *net, uint8_t proto, uint32_t dst,
	      const uint8_t *payload, size_t len);

/* Count a dropped packet and say why (RFC 1122 1.2.2: discard silently,
 * but a host should be able to log it). */
void net_drop(struct net *net, enum drop_reason reason, const char *detail);

/* Emit one formatted line through net->log, if a log is set. */
void net_logf(struct net *net, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
