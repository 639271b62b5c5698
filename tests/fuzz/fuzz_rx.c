/*
 * fuzz_rx.c - libFuzzer target: any bytes at all, received as a packet.
 *
 * Read this first: this is the stack's front door (net_input(), then
 * ipv4_parse(), ipv4.c, the reassembly of fragments in ipv4_frag.c,
 * icmp.c, udp.c) and the trace printer (packet_summary()),
 * both of which promise never to read outside the packet, whatever it
 * holds (RFC 1122 1.2.2: "be liberal in what you accept" - and survive
 * it).  ASan and UBSan turn a broken promise into a crash.  libFuzzer's
 * buffer is exactly `size` bytes long, so one byte read past it is caught.
 *
 * Random bytes rarely carry a right checksum, so each input is also fed a
 * second time with its IPv4, ICMP and UDP checksums repaired: that copy
 * gets past the checksum checks to the rules behind them.  And whatever the
 * stack sends must itself be a well-formed packet (our parsers accept it).
 * Two UDP sockets wait, one bound to port 7788 and one connected from port
 * 7789 to 10.0.0.1:7799, and what reaches them is read back at once.
 *
 * The stack lives for the whole run, so fragments of one input wait for
 * those of later ones: the seeds hold the fragments of a 1600-byte ping
 * (first, middle, last, and one that overlaps with other bytes), so the
 * run starts with a datagram reassembled and answered in fragments.
 * Virtual time moves 10 ms per packet, so buffers also time out.
 *
 * Build: make build/fuzz/fuzz_rx.  Run: tests/fuzz/run.sh 60 build/fuzz/fuzz_rx
 * Seeds: tests/fuzz/seeds/fuzz_rx/ (a ping, truncated pings, a TCP SYN,
 * fragments; UDP datagrams to 7788: with and without a checksum, empty,
 * cut short; one to a closed port).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "checksum.h"
#include "dev_pair.h"
#include "icmp.h"
#include "icmp_wire.h"
#include "ipv4_wire.h"
#include "net.h"
#include "print.h"
#include "tcp.h"
#include "udp.h"
#include "udp_wire.h"

#define OUR_ADDR 0x0a000002	/* 10.0.0.2, as in the seeds */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One stack for the whole run, as a real one lives for many packets. */
static struct net net;
static struct device *peer;	/* the other end: what the stack sends */
static uint64_t now;		/* virtual time, ms */
static struct udp_pcb *udp_bound, *udp_connected;

/* Every packet the stack sent must parse cleanly with its own parsers
 * (and so have right IPv4 and ICMP checksums; a fragment, the right
 * shape).  Take them all, so the pair's queue never fills. */
static void check_and_drain_output(void)
{
	uint8_t out[DEVICE_MTU];
	struct ipv4_hdr ip;
	struct icmp_hdr icmp;
	struct udp_hdr udp;
	long n;

	while ((n = device_recv(peer, out, sizeof out)) > 0) {
		if (ipv4_parse(out, (size_t)n, &ip) != DROP_NONE)
			abort();	/* we sent a malformed IPv4 packet */
		if (ip.frag & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) {
			/* RFC 791 3.2: no DF on a fragment, and all but the
			 * last carry a multiple of 8 bytes. */
			if ((ip.frag & IPV4_FLAG_DF) ||
			    ((ip.frag & IPV4_FLAG_MF) && ip.payload_len % 8))
				abort();
			continue;	/* its ICMP checksum covers more */
		}
		if (ip.proto == IP_PROTO_UDP &&
		    udp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, &udp) != DROP_NONE)
			abort();	/* we sent a malformed UDP datagram */
		if (ip.proto != IP_PROTO_ICMP)
			continue;
		if (icmp_parse(ip.payload, ip.payload_len, &icmp) == DROP_NONE)
			continue;
		abort();		/* we sent a malformed ICMP message */
	}
}

/* Make the IPv4 header checksum right, and the ICMP or UDP one.  Lengths
 * are trusted only as far as the buffer proves them. */
static void repair_checksums(uint8_t *p, size_t len)
{
	size_t hdr_len, total, ulen;

	if (len < IPV4_HDR_MIN)
		return;
	hdr_len = (size_t)(p[IPV4_OFF_VER_IHL] & 0x0F) * 4;
	if (hdr_len < IPV4_HDR_MIN || hdr_len > len)
		return;
	put16(p + IPV4_OFF_CHECKSUM, 0);
	put16(p + IPV4_OFF_CHECKSUM, inet_checksum(p, hdr_len));
	total = get16(p + IPV4_OFF_TOTAL_LEN);
	if (p[IPV4_OFF_PROTO] == IP_PROTO_UDP && total <= len &&
	    total >= hdr_len + UDP_HDR_LEN) {
		ulen = get16(p + hdr_len + UDP_OFF_LEN);
		if (ulen < UDP_HDR_LEN || ulen > total - hdr_len ||
		    get16(p + hdr_len + UDP_OFF_CHECKSUM) == 0)
			return;	/* a length udp_parse refuses, or "no checksum" */
		put16(p + hdr_len + UDP_OFF_CHECKSUM, 0);
		put16(p + hdr_len + UDP_OFF_CHECKSUM,
		      inet_fold(inet_sum(inet_pseudo_sum(get32(p + IPV4_OFF_SRC),
							 get32(p + IPV4_OFF_DST),
							 IP_PROTO_UDP, (uint16_t)ulen),
					 p + hdr_len, ulen)));
		return;
	}
	if (p[IPV4_OFF_PROTO] != IP_PROTO_ICMP || total > len ||
	    total < hdr_len + ICMP_HDR_LEN)
		return;
	/* A fragment's ICMP checksum covers the whole message, not what
	 * this packet holds: leave it, so the copy is a duplicate. */
	if (get16(p + IPV4_OFF_FRAG) & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK))
		return;
	put16(p + hdr_len + ICMP_OFF_CHECKSUM, 0);
	put16(p + hdr_len + ICMP_OFF_CHECKSUM,
	      inet_checksum(p + hdr_len, total - hdr_len));
}

static void receive(const uint8_t *pkt, size_t len)
{
	char line[256];

	uint8_t buf[64];

	now += 10;
	net_input(&net, pkt, len, now);
	net_tick(&net, now);
	check_and_drain_output();
	/* What reached the UDP sockets is read, so their queues never fill
	 * for good (and the pending error, if any, is taken). */
	while (udp_recv(&net, udp_bound, buf, sizeof buf, 0, NULL) != -EAGAIN)
		;
	while (udp_recv(&net, udp_connected, buf, sizeof buf, 0, NULL) != -EAGAIN)
		;
	packet_summary(line, sizeof line, pkt, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int initialized;
	uint8_t *copy;

	if (!initialized) {
		struct device *dev = pair_new(&peer);

		if (!dev)
			abort();
		net_init(&net, dev, OUR_ADDR);
		net.notes = 1;	/* write the comments too: their code is fuzzed */
		icmp_layer_init(&net);
		tcp_layer_init(&net);
		udp_layer_init(&net);
		udp_bound = udp_pcb_new(&net);
		udp_connected = udp_pcb_new(&net);
		if (!udp_bound || !udp_connected ||
		    udp_bind(&net, udp_bound, 0, 7788) < 0 ||
		    udp_bind(&net, udp_connected, 0, 7789) < 0 ||
		    udp_connect(&net, udp_connected, 0x0a000001, 7799) < 0)
			abort();
		initialized = 1;
	}

	receive(data, size);

	/* The same bytes with right checksums, in a buffer of exactly the
	 * same size (so ASan still sees a read past the end). */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	repair_checksums(copy, size);
	receive(copy, size);
	free(copy);
	return 0;
}
