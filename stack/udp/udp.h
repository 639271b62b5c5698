/*
 * udp.h - UDP: the letter (写信).  Sockets' control blocks, a datagram
 * arriving, a datagram sent, an ICMP error coming back.
 *
 * Read this first: RFC 768 is three pages, and UDP is little more than it
 * says: ports on top of IPv4, a length and a checksum.  No connection, no
 * acknowledgement, no retransmission, no order: a datagram either reaches
 * a socket's receive queue whole or is dropped (bad checksum, nobody on
 * the port, a full queue), and nobody tells the sender which - at most an
 * ICMP "port unreachable" comes back (RFC 1122 4.1.3.1).  What the RFCs
 * ask of a host's UDP is in RFC 1122 section 4.1.
 *
 * The state of a UDP socket is a struct udp_pcb ("protocol control block",
 * BSD's name, kept by 4.4BSD's udp_usrreq.c in an inpcb): its local and
 * remote address and port, and its queue of received datagrams.
 *
 * Path of a received datagram:
 *   net_input() [ip/ipv4.c] -> udp_input() -> udp_parse() [wire/udp_wire.c]
 *     -> udp_lookup(): which socket?  -> its receive queue -> tt_recvfrom()
 * Path of a sent one:
 *   tt_sendto() [api/socket.c] -> udp_send() -> udp_build() -> ip_output()
 * All of it is sans-IO: no clock, no syscall; the caller holds the lock.
 */
#ifndef TUNTCP_UDP_H
#define TUNTCP_UDP_H

#include <stddef.h>
#include <stdint.h>

#include "ipv4_wire.h"
#include "net.h"
#include "udp_wire.h"

/* The default receive queue limit of a socket, in bytes (SO_RCVBUF sets
 * it per socket; the runtime sets it from TUNTCP_RCVBUF).  Linux's default
 * (net.core.rmem_default) is 208 KiB. */
#define UDP_RCVBUF_DEFAULT (256 * 1024)

/* A datagram waiting in a socket's receive queue. */
struct udp_dgram {
	struct udp_dgram *next;
	uint32_t src;		/* who sent it: recvfrom()'s address */
	uint16_t sport;
	uint16_t len;		/* data bytes (at most UDP_MAX_DATA) */
	uint8_t data[];
};

/* What a queued datagram is charged against SO_RCVBUF: what it costs us,
 * its data and its bookkeeping, so that even empty datagrams fill the
 * queue (Linux charges each one its skb's "truesize" likewise). */
#define UDP_DGRAM_COST(data_len) (sizeof(struct udp_dgram) + (data_len))

struct udp_pcb {
	/* The local socket: bind(), or chosen by connect() or the first send
	 * (port 0: not bound yet; address 0: any of ours). */
	uint32_t local_addr;
	uint16_t local_port;
	/* The default peer, set by connect(): sends without an address go
	 * there, and only its datagrams are received. */
	uint8_t connected;
	uint32_t remote_addr;
	uint16_t remote_port;

	/* The receive queue, oldest first */
	struct udp_dgram *rcv_head, *rcv_tail;
	uint32_t rcv_count;	/* datagrams in it */
	uint32_t rcv_bytes;	/* their cost, UDP_DGRAM_COST each */
	uint32_t rcvbuf;	/* SO_RCVBUF: the limit of rcv_bytes */
	uint32_t sndbuf;	/* SO_SNDBUF: kept, and unused: a datagram
				 * leaves at once, nothing waits to be sent */

	/* Options and how the socket came to be where it is */
	uint8_t reuse;		/* SO_REUSEADDR: may share its port */
	uint8_t broadcast;	/* SO_BROADCAST: may send to 255.255.255.255 */
	uint8_t addr_locked;	/* bind() named our address, and ...    */
	uint8_t port_locked;	/* ... a port: disconnect keeps what bind()
				 * named (Linux's SOCK_BINDADDR_LOCK and
				 * SOCK_BINDPORT_LOCK), and forgets the rest */

	/* An error to report on the next send or receive, then forget:
	 * ECONNREFUSED after an ICMP port unreachable (connected sockets
	 * only, as Linux without IP_RECVERR). */
	int error;

	struct udp_pcb *next;	/* every socket of the stack, newest first */
};

/* UDP's part of a stack instance. */
struct udp_layer {
	struct udp_pcb *pcbs;
	uint16_t next_port;	/* next ephemeral port to try */
	uint32_t rcvbuf_size;	/* new sockets' SO_RCVBUF */
	uint32_t sndbuf_size;	/* new sockets' SO_SNDBUF */
	uint8_t *out;		/* where a datagram is built: UDP_HDR_LEN +
				 * UDP_MAX_DATA bytes, one for the stack (all
				 * calls hold the runtime's lock) */
};

/* --- entry points: udp_layer_init() registers UDP (protocol 17) with the
 * stack, after icmp_layer_init() and tcp_layer_init(); IPv4 and ICMP call
 * the rest through struct net_proto (net.h) --- */
void udp_layer_init(struct net *net);
void udp_layer_free(struct net *net);
void udp_input(struct net *net, const struct ipv4_hdr *ip);
void udp_error(struct net *net, const struct icmp_error *err);

/* An address and port, host order: where a datagram goes or came from. */
struct udp_dest {
	uint32_t addr;
	uint16_t port;
};

/* --- the user calls (api/socket.c builds the socket API on them); each
 * returns 0 or a count, or -errno as Linux's UDP would --- */
struct udp_pcb *udp_pcb_new(struct net *net);	/* NULL: no memory */
void udp_pcb_free(struct net *net, struct udp_pcb *pcb);
/* addr 0: any of ours; port 0: an ephemeral one.  -EINVAL (bound
 * already), -EADDRNOTAVAIL (not our address), -EADDRINUSE. */
int udp_bind(struct net *net, struct udp_pcb *pcb, uint32_t addr,
	     uint16_t port);
/* Bind to an ephemeral port if not bound yet (before a send or connect).
 * -EAGAIN when every ephemeral port is taken. */
int udp_autobind(struct net *net, struct udp_pcb *pcb);
/* Set the default peer.  -EACCES (broadcast without SO_BROADCAST),
 * -ENETUNREACH (0.0.0.0: we have no loopback), -EAGAIN (no port). */
int udp_connect(struct net *net, struct udp_pcb *pcb, uint32_t addr,
		uint16_t port);
/* Forget the default peer (connect() with AF_UNSPEC). */
void udp_disconnect(struct net *net, struct udp_pcb *pcb);
/* Send one datagram of `len` bytes to `to`, or to the default peer when
 * `to` is NULL.  Returns len, or -EMSGSIZE, -EDESTADDRREQ, -EACCES, the
 * pending error, or what IPv4 said (-EMSGSIZE above one packet until
 * IPv4 fragments). */
long udp_send(struct net *net, struct udp_pcb *pcb, const struct udp_dest *to,
	      const uint8_t *data, size_t len);
/* Take the oldest datagram (or only look at it, when `peek`): copy at
 * most `cap` bytes of it to buf, its sender to *from (may be NULL), and
 * return its whole length - more than cap when it did not fit, and then
 * the rest is gone, as a letter cut short.  -EAGAIN when none waits; the
 * pending error first, if there is one. */
long udp_recv(struct net *net, struct udp_pcb *pcb, uint8_t *buf, size_t cap,
	      int peek, struct udp_dest *from);
/* The pending error (ECONNREFUSED, ...), cleared; 0 when none. */
int udp_take_error(struct udp_pcb *pcb);

/* "10.0.0.2:7788" (or "*:7788", unbound "*:*") into buf[24] */
char *udp_pcb_name(const struct udp_pcb *pcb, char *buf);

#endif
