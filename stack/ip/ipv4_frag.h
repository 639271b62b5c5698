/*
 * ipv4_frag.h - IPv4 fragments: reassembly on the way in, fragmentation on
 * the way out (RFC 791 section 3.2, RFC 815, RFC 1122 section 3.3.2).
 *
 * Read this first: net_input() (ipv4.c) hands every fragment addressed to
 * us to ip_reass_input(), which keeps it until its datagram is whole and
 * then returns the whole datagram, which goes up the same way as one that
 * arrived in a single packet.  ip_output() hands a payload too big for the
 * MTU to ip_fragment_output().  The state is `struct ip_reass`, kept in
 * struct net as `net->reass` (`p net->reass` in gdb); how it works and
 * what bounds it is told at the top of ipv4_frag.c.
 */
#ifndef TUNTCP_IPV4_FRAG_H
#define TUNTCP_IPV4_FRAG_H

#include <stddef.h>
#include <stdint.h>

struct ipv4_hdr;
struct net;
struct reass_buf;

/* The limits (ipv4_frag.c says why each is what it is). */
#define REASS_TIMEOUT_MS    30000	/* TUNTCP_FRAG_TIMEOUT; Linux's ipfrag_time */
#define REASS_MEM_MAX       (4u << 20)	/* TUNTCP_FRAG_MEM; Linux's ipfrag_high_thresh */
#define REASS_MAX_DATAGRAMS 256		/* datagrams being reassembled at once */
#define REASS_MAX_FRAGMENTS 128		/* fragments kept for one datagram */

/* Every datagram being reassembled, and the settings. */
struct ip_reass {
	/* The buffers, oldest first (by the arrival of their first
	 * fragment): the order in which the memory cap evicts them. */
	struct reass_buf *oldest, *newest;
	unsigned count;		/* how many buffers; at most REASS_MAX_DATAGRAMS */
	size_t mem;		/* bytes they hold, bookkeeping included */
	/* Settings, from TUNTCP_FRAG_TIMEOUT and TUNTCP_FRAG_MEM. */
	uint32_t timeout_ms;	/* how long a datagram may take to arrive */
	size_t mem_max;		/* the most all buffers may hold together */
};

/* The defaults; called by net_init(). */
void ip_reass_init(struct ip_reass *reass);

/* A fragment addressed to us arrived at `now` (ms): `frag` passed the
 * checks of net_input().  Returns NULL when the fragment was kept (its
 * datagram is not whole yet) or dropped (counted, with a named reason).
 * Otherwise the datagram is now whole: the returned buffer holds it
 * (the first fragment's header, Total Length the whole, Flags and
 * Fragment Offset cleared, then the whole payload), `*whole` describes it
 * as ipv4_parse() would, and the buffer is the caller's to give back with
 * ip_reass_release() once the protocol above is done with it. */
uint8_t *ip_reass_input(struct net *net, const struct ipv4_hdr *frag,
			uint64_t now, struct ipv4_hdr *whole);

/* Free a datagram returned by ip_reass_input(). */
void ip_reass_release(uint8_t *datagram);

/* Give up the datagrams whose time ran out at `now` (net_tick()). */
void ip_reass_tick(struct net *net, uint64_t now);

/* When the oldest wait runs out, or UINT64_MAX (net_next_deadline()). */
uint64_t ip_reass_next_deadline(const struct net *net);

/* Free every buffer (net_free()). */
void ip_reass_free(struct net *net);

/* Send `len` bytes of `proto` payload to `dst` as fragments that each fit
 * the device's MTU (ip_output() calls it when one datagram would not).
 * Returns 0, or -errno from the device. */
int ip_fragment_output(struct net *net, uint8_t proto, uint32_t dst,
		       const uint8_t *payload, size_t len);

#endif
