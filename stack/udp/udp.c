/*
 * udp.c - UDP: a datagram arrives, a datagram is sent, an ICMP error comes
 * back, and the user calls behind the socket API (RFC 768, RFC 1122 4.1).
 *
 * Read this first: the whole of UDP's behaviour is in this file, in the
 * order a learner meets it:
 *   1. registering protocol 17 with IPv4 (udp_layer_init);
 *   2. a datagram arrives (udp_input): parse it, find its socket
 *      (udp_lookup), queue it - or drop it, counted, with a reason;
 *   3. an ICMP error arrives about a datagram we sent (udp_error);
 *   4. the user calls: bind, connect, send, receive (udp_bind ... udp_recv).
 * The header format is in wire/udp_wire.c; the socket API that makes these
 * calls blocking and gives them errno is api/socket.c.  Where we follow
 * Linux rather than the letter of the RFCs, the comment says so.
 */
#include "udp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "icmp.h"
#include "icmp_wire.h"

/* RFC 6335 6: the dynamic ports, 49152-65535, for ephemeral use. */
#define UDP_EPHEMERAL_FIRST 49152
#define UDP_EPHEMERAL_COUNT 16384

/* The limited broadcast address (RFC 919, RFC 1122 3.2.1.3). */
#define IPV4_BROADCAST 0xFFFFFFFFu

/* ---------------------------------------------------------------------
 * 1. UDP as IPv4 sees it (net.h): protocol 17, its input, its ICMP errors,
 *    no timers (nothing in UDP waits for time).
 * ------------------------------------------------------------------- */

static const struct net_proto udp_proto = {
	.name = "UDP",
	.number = IP_PROTO_UDP,
	.input = udp_input,
	.free = udp_layer_free,
	.error = udp_error,
};

void udp_layer_init(struct net *net)
{
	struct udp_layer *udp = calloc(1, sizeof *udp);

	if (!udp)
		abort();	/* at start-up: nothing sensible to do */
	udp->out = malloc(UDP_HDR_LEN + UDP_MAX_DATA);
	if (!udp->out)
		abort();
	udp->next_port = UDP_EPHEMERAL_FIRST;
	udp->rcvbuf_size = UDP_RCVBUF_DEFAULT;
	udp->sndbuf_size = UDP_RCVBUF_DEFAULT;
	net->udp = udp;
	if (net_add_proto(net, &udp_proto) < 0)
		abort();	/* registered twice: a bug in the caller */
}

static void free_queue(struct udp_pcb *pcb)
{
	struct udp_dgram *d;

	while ((d = pcb->rcv_head) != NULL) {
		pcb->rcv_head = d->next;
		free(d);
	}
	pcb->rcv_tail = NULL;
	pcb->rcv_count = 0;
	pcb->rcv_bytes = 0;
}

void udp_layer_free(struct net *net)
{
	struct udp_pcb *p;

	if (!net->udp)
		return;
	while ((p = net->udp->pcbs) != NULL) {
		net->udp->pcbs = p->next;
		free_queue(p);
		free(p);
	}
	free(net->udp->out);
	free(net->udp);
	net->udp = NULL;
}

char *udp_pcb_name(const struct udp_pcb *pcb, char *buf)
{
	char a[16];

	if (!pcb->local_port)
		snprintf(buf, 24, "*:*");
	else if (!pcb->local_addr)
		snprintf(buf, 24, "*:%u", pcb->local_port);
	else
		snprintf(buf, 24, "%s:%u", ipv4_ntoa(pcb->local_addr, a),
			 pcb->local_port);
	return buf;
}

/* ---------------------------------------------------------------------
 * 2. A datagram arrives
 * ------------------------------------------------------------------- */

/* Which socket a datagram to dst:dport from src:sport is for (RFC 768:
 * the destination port "has a meaning within the context of a particular
 * internet destination address").  The most particular socket wins, as
 * in Linux's scoring (compute_score in net/ipv4/udp.c):
 *   first, a socket connected to exactly this sender;
 *   then, an unconnected socket bound to the port, one bound to our
 *   address before one bound to any address.
 * Two sockets share a port only when both set SO_REUSEADDR; among equals
 * the newest wins (it is first in the list), as in Linux. */
static struct udp_pcb *udp_lookup(struct net *net, uint32_t dst,
				  uint16_t dport, uint32_t src, uint16_t sport)
{
	struct udp_pcb *p, *wildcard = NULL;

	if (dport == 0)
		return NULL;	/* port 0 is nobody's: unbound sockets hold it */
	for (p = net->udp->pcbs; p; p = p->next) {
		if (p->local_port != dport || !p->connected ||
		    (p->local_addr && p->local_addr != dst))
			continue;
		if (p->remote_addr == src && p->remote_port == sport)
			return p;
	}
	for (p = net->udp->pcbs; p; p = p->next) {
		if (p->local_port != dport || p->connected)
			continue;
		if (p->local_addr == dst)
			return p;
		if (p->local_addr == 0 && !wildcard)
			wildcard = p;
	}
	return wildcard;
}

/* Put the datagram at the end of the socket's queue, if there is room. */
static void deliver(struct net *net, struct udp_pcb *pcb,
		    const struct udp_hdr *h)
{
	size_t cost = UDP_DGRAM_COST(h->data_len);
	struct udp_dgram *d;
	char name[24];

	/* The tutorial: "udp一大特点：不安全（数据有可能丢）" - the letter may
	 * be lost.  Here is one place it is: a receiver that does not read
	 * fast enough.  Nothing tells the sender: RFC 768 says at the outset
	 * that "delivery and duplicate protection are not guaranteed".  An
	 * empty queue takes any datagram, so that one larger than SO_RCVBUF
	 * still gets through (Linux lets the queue go over by one datagram;
	 * we let it only when it is empty). */
	if (pcb->rcv_count > 0 && pcb->rcv_bytes + cost > pcb->rcvbuf) {
		char detail[96];

		snprintf(detail, sizeof detail, "%s: %u datagram%s, %u of %u bytes queued",
			 udp_pcb_name(pcb, name), pcb->rcv_count,
			 pcb->rcv_count == 1 ? "" : "s", pcb->rcv_bytes, pcb->rcvbuf);
		net_drop(net, DROP_UDP_RCV_QUEUE_FULL, detail);
		return;
	}
	d = malloc(cost);
	if (!d) {
		net_drop(net, DROP_UDP_RCV_QUEUE_FULL, "no memory");
		return;
	}
	d->next = NULL;
	d->src = h->src;
	d->sport = h->sport;
	d->len = (uint16_t)h->data_len;
	if (h->data_len)
		memcpy(d->data, h->data, h->data_len);
	if (pcb->rcv_tail)
		pcb->rcv_tail->next = d;
	else
		pcb->rcv_head = d;
	pcb->rcv_tail = d;
	pcb->rcv_count++;
	pcb->rcv_bytes += (uint32_t)cost;
	net->stats.udp_delivered++;
	snprintf(net->note, sizeof net->note, "queued for %s: %u waiting, %u/%u bytes",
		 udp_pcb_name(pcb, name), pcb->rcv_count, pcb->rcv_bytes, pcb->rcvbuf);
}

void udp_input(struct net *net, const struct ipv4_hdr *ip)
{
	struct udp_pcb *pcb;
	struct udp_hdr h;
	enum drop_reason why;

	why = udp_parse(ip->payload, ip->payload_len, ip->src, ip->dst, &h);
	if (why != DROP_NONE) {
		net_drop(net, why, NULL);
		return;
	}
	pcb = udp_lookup(net, h.dst, h.dport, h.src, h.sport);
	if (!pcb) {
		char detail[32];

		/* RFC 1122 4.1.3.1: "If a datagram arrives addressed to a
		 * UDP port for which there is no pending LISTEN call, UDP
		 * SHOULD send an ICMP Port Unreachable message."  ICMP
		 * decides whether it may (RFC 1122 3.2.2: never about a
		 * broadcast, a fragment after the first, ...; the rate). */
		icmp_send_error(net, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, ip);
		snprintf(detail, sizeof detail, "port %u", h.dport);
		net_drop(net, DROP_UDP_NO_SOCKET, detail);
		return;
	}
	deliver(net, pcb, &h);
}

/* ---------------------------------------------------------------------
 * 3. An ICMP error about a datagram we sent
 * ------------------------------------------------------------------- */

/* RFC 1122 4.1.3.3 says UDP "MUST pass to the application layer all ICMP
 * error messages that it receives from the IP layer".  Linux, by default
 * (without IP_RECVERR), passes only the hard ones, and only to a connected
 * socket: an unconnected socket may have sent to many peers, and one of
 * them refusing says nothing about the others.  We do as Linux does, with
 * Linux's errno for each (icmp_err_convert in net/ipv4/icmp.c): port
 * unreachable is ECONNREFUSED, protocol unreachable ENOPROTOOPT.  The
 * others (net or host unreachable, fragmentation needed, time exceeded)
 * are soft errors, which Linux keeps from a UDP socket as well. */
static int hard_error(const struct icmp_error *err)
{
	if (err->type != ICMP_DEST_UNREACH)
		return 0;
	switch (err->code) {
	case ICMP_PORT_UNREACH:
		return ECONNREFUSED;
	case ICMP_PROTO_UNREACH:
		return ENOPROTOOPT;
	default:
		return 0;
	}
}

/* Say what became of the ICMP message, in the trace and in the capture's
 * comment on it (after whatever ICMP said there). */
static void error_note(struct net *net, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void error_note(struct net *net, const char *fmt, ...)
{
	char line[160];
	size_t used = strlen(net->note);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	net_logf(net, "udp: %s", line);
	snprintf(net->note + used, sizeof net->note - used, "%s%s",
		 used ? "; " : "", line);
}

void udp_error(struct net *net, const struct icmp_error *err)
{
	const struct ipv4_hdr *q = err->quoted;
	uint16_t sport, dport;
	struct udp_pcb *p;
	char name[48], a[16];
	const char *what;
	int e;

	/* The quoted datagram is ours: source is us, destination the peer.
	 * RFC 792 quotes the header and 64 bits of data: the UDP ports. */
	if (!q || q->proto != IP_PROTO_UDP || q->payload_len < UDP_HDR_LEN)
		return;
	sport = get16(q->payload + UDP_OFF_SPORT);
	dport = get16(q->payload + UDP_OFF_DPORT);
	e = hard_error(err);
	what = err->code == ICMP_PROTO_UNREACH ? "protocol unreachable" :
	       err->code == ICMP_PORT_UNREACH ? "port unreachable" : "ICMP error";
	snprintf(name, sizeof name, ":%u > %s:%u", sport, ipv4_ntoa(q->dst, a), dport);
	if (!e) {
		error_note(net, "ICMP %s about %s: a soft error, not reported (as Linux)",
			   err->type == ICMP_DEST_UNREACH ? "destination unreachable" :
			   "error", name);
		return;
	}
	for (p = net->udp->pcbs; p; p = p->next) {
		if (p->connected && p->local_port == sport &&
		    p->remote_addr == q->dst && p->remote_port == dport &&
		    (!p->local_addr || p->local_addr == q->src))
			break;
	}
	if (!p) {
		error_note(net, "%s about %s: no connected socket, ignored (as Linux)",
			   what, name);
		return;
	}
	p->error = e;
	error_note(net, "%s about %s: %s for the next call", what,
		   name, e == ECONNREFUSED ? "ECONNREFUSED" : "ENOPROTOOPT");
}

/* ---------------------------------------------------------------------
 * 4. The user calls
 * ------------------------------------------------------------------- */

struct udp_pcb *udp_pcb_new(struct net *net)
{
	struct udp_pcb *pcb = calloc(1, sizeof *pcb);

	if (!pcb)
		return NULL;
	pcb->rcvbuf = net->udp->rcvbuf_size;
	pcb->sndbuf = net->udp->sndbuf_size;
	pcb->next = net->udp->pcbs;
	net->udp->pcbs = pcb;
	return pcb;
}

void udp_pcb_free(struct net *net, struct udp_pcb *pcb)
{
	struct udp_pcb **pp;

	for (pp = &net->udp->pcbs; *pp; pp = &(*pp)->next) {
		if (*pp == pcb) {
			*pp = pcb->next;
			break;
		}
	}
	free_queue(pcb);
	free(pcb);
}

/* Would `pcb` on addr:port clash with a socket already there?  As Linux
 * without SO_REUSEADDR (udp_lib_lport_inuse): the same port, and
 * addresses that overlap (equal, or either of them "any"), unless both
 * sockets set SO_REUSEADDR.  TCP's ports are another space: UDP port 7788
 * and TCP port 7788 are two different doors. */
static int port_clash(struct net *net, const struct udp_pcb *pcb,
		      uint32_t addr, uint16_t port)
{
	const struct udp_pcb *p;

	for (p = net->udp->pcbs; p; p = p->next) {
		if (p == pcb || p->local_port != port)
			continue;
		if (p->local_addr && addr && p->local_addr != addr)
			continue;
		if (!(p->reuse && pcb->reuse))
			return 1;
	}
	return 0;
}

/* An ephemeral port no UDP socket holds, going round the dynamic range
 * from where the last search ended: the traditional sequential search of
 * RFC 6056 2.2, from a random start the runtime sets (RFC 6056 3 would
 * randomize every choice; as for TCP, we keep them easy to follow).  0 when
 * all are taken. */
static uint16_t ephemeral_port(struct net *net)
{
	struct udp_layer *udp = net->udp;
	const struct udp_pcb *p;
	int tries;

	for (tries = 0; tries < UDP_EPHEMERAL_COUNT; tries++) {
		uint16_t port = udp->next_port;

		udp->next_port = port == 65535 ? UDP_EPHEMERAL_FIRST : (uint16_t)(port + 1);
		for (p = udp->pcbs; p; p = p->next)
			if (p->local_port == port)
				break;
		if (!p)
			return port;
	}
	return 0;
}

int udp_bind(struct net *net, struct udp_pcb *pcb, uint32_t addr,
	     uint16_t port)
{
	if (pcb->local_port)
		return -EINVAL;		/* bound already (Linux says so too) */
	if (addr != 0 && addr != net->addr)
		return -EADDRNOTAVAIL;
	pcb->addr_locked = addr != 0;
	pcb->port_locked = port != 0;
	if (port == 0) {
		port = ephemeral_port(net);
		if (port == 0)
			return -EADDRINUSE;
	} else if (port_clash(net, pcb, addr, port)) {
		return -EADDRINUSE;
	}
	pcb->local_addr = addr;
	pcb->local_port = port;
	return 0;
}

int udp_autobind(struct net *net, struct udp_pcb *pcb)
{
	uint16_t port;

	if (pcb->local_port)
		return 0;
	port = ephemeral_port(net);
	if (port == 0)
		return -EAGAIN;		/* Linux's inet_autobind says EAGAIN */
	pcb->local_port = port;
	return 0;
}

/* May `pcb` send to `addr`?  Linux refuses broadcast without SO_BROADCAST
 * (EACCES).  We know one broadcast address, the limited one: the stack has
 * no netmask, so a subnet's broadcast (10.0.0.255) looks like a host.
 * 0.0.0.0 means "this host" to Linux, which has a loopback; we have none. */
static int check_destination(const struct udp_pcb *pcb, uint32_t addr)
{
	if (addr == 0)
		return -ENETUNREACH;	/* Linux: this host, over loopback */
	if (addr == IPV4_BROADCAST && !pcb->broadcast)
		return -EACCES;
	return 0;
}

int udp_connect(struct net *net, struct udp_pcb *pcb, uint32_t addr,
		uint16_t port)
{
	int err;

	err = check_destination(pcb, addr);
	if (err < 0)
		return err;
	err = udp_autobind(net, pcb);
	if (err < 0)
		return err;
	/* The source address of what we send is now fixed (Linux fills it
	 * in from the route); getsockname() shows it. */
	if (!pcb->local_addr)
		pcb->local_addr = net->addr;
	pcb->connected = 1;
	pcb->remote_addr = addr;
	pcb->remote_port = port;
	return 0;
}

void udp_disconnect(struct net *net, struct udp_pcb *pcb)
{
	(void)net;
	/* As Linux's __udp_disconnect: the peer is forgotten, and so is
	 * whatever bind() did not name - our address (connect() filled it
	 * in), and a port that was chosen for us (by connect(), a send, or
	 * bind() to port 0): the socket is unbound again. */
	pcb->connected = 0;
	pcb->remote_addr = 0;
	pcb->remote_port = 0;
	if (!pcb->addr_locked)
		pcb->local_addr = 0;
	if (!pcb->port_locked)
		pcb->local_port = 0;
}

int udp_take_error(struct udp_pcb *pcb)
{
	int e = pcb->error;

	pcb->error = 0;
	return e;
}

long udp_send(struct net *net, struct udp_pcb *pcb, const struct udp_dest *to,
	      const uint8_t *data, size_t len)
{
	struct udp_dest dst;
	size_t n;
	int err;

	/* RFC 768: the Length field is 16 bits, and IPv4's Total Length
	 * too: at most 65507 bytes of data. */
	if (len > UDP_MAX_DATA)
		return -EMSGSIZE;
	if (to) {
		dst = *to;
	} else if (pcb->connected) {
		dst.addr = pcb->remote_addr;
		dst.port = pcb->remote_port;
	} else {
		return -EDESTADDRREQ;
	}
	err = check_destination(pcb, dst.addr);
	if (err < 0)
		return err;
	err = udp_autobind(net, pcb);
	if (err < 0)
		return err;
	/* A pending error is reported now, and the datagram not sent: as
	 * Linux's sock_alloc_send_skb() reports sk_err. */
	err = udp_take_error(pcb);
	if (err)
		return -err;

	n = udp_build(net->udp->out, net->addr, dst.addr, pcb->local_port,
		      dst.port, data, len);
	err = ip_output(net, IP_PROTO_UDP, dst.addr, net->udp->out, n);
	/* A full device queue loses the datagram: UDP promises nothing, and
	 * Linux says so only to a socket with IP_RECVERR (udp_send_skb). */
	if (err == -ENOBUFS)
		err = 0;
	if (err < 0)
		return err;
	net->stats.udp_sent++;
	return (long)len;
}

long udp_recv(struct net *net, struct udp_pcb *pcb, uint8_t *buf, size_t cap,
	      int peek, struct udp_dest *from)
{
	struct udp_dgram *d = pcb->rcv_head;
	long whole;
	int err;

	(void)net;
	/* Linux's __skb_recv_udp looks at the pending error first. */
	err = udp_take_error(pcb);
	if (err)
		return -err;
	if (!d)
		return -EAGAIN;
	if (cap > d->len)
		cap = d->len;
	if (cap)
		memcpy(buf, d->data, cap);
	if (from) {
		from->addr = d->src;
		from->port = d->sport;
	}
	whole = d->len;
	/* A datagram is read whole or not at all: what did not fit in the
	 * buffer is gone with it (message boundaries, unlike TCP's stream). */
	if (!peek) {
		pcb->rcv_head = d->next;
		if (!pcb->rcv_head)
			pcb->rcv_tail = NULL;
		pcb->rcv_count--;
		pcb->rcv_bytes -= (uint32_t)UDP_DGRAM_COST(d->len);
		free(d);
	}
	return whole;
}
