/*
 * icmp.h - ICMP input: echo requests answered (RFC 792, RFC 1122 3.2.2.6).
 */
#ifndef TUNTCP_ICMP_H
#define TUNTCP_ICMP_H

#include "ipv4_wire.h"
#include "net.h"

#include "icmp_wire.h"

/* Register ICMP with `net` (IPv4 protocol 1): echo requests are answered,
 * errors about our datagrams go to their protocol. */
void icmp_layer_init(struct net *net);

void icmp_input(struct net *net, const struct ipv4_hdr *ip);

/* --- ICMP errors (icmp_error.c) --- */

/* RFC 1812 4.3.2.8's limit, as Linux's defaults: 1000 a second, bursts
 * of 50.  TUNTCP_ICMP_RATE changes them; a rate of 0 means no limit. */
#define ICMP_RATE_DEFAULT  1000
#define ICMP_BURST_DEFAULT 50
void icmp_ratelimit_init(struct net *net, uint32_t per_second, uint32_t burst);

/* An error message `h` arrived in `ip`: check what it quotes and hand it
 * to the protocol of the quoted datagram (its struct net_proto's error). */
void icmp_error_input(struct net *net, const struct ipv4_hdr *ip,
		      const struct icmp_hdr *h);

/* Tell the sender of `offender` (a datagram that reached us) that it
 * could not be delivered: an ICMP error of `type` and `code` quoting its
 * header and the first bytes of its payload (RFC 792, RFC 1122 3.2.2).
 * `info` is the 32 bits after the checksum (the MTU for "fragmentation
 * needed", else 0).  Nothing is sent where RFC 1122 3.2.2 forbids it
 * (about an ICMP error, a broadcast or multicast, a non-first fragment,
 * a bad source) or the rate limit says no.  Returns 0 when sent. */
int icmp_send_error(struct net *net, uint8_t type, uint8_t code,
		    uint32_t info, const struct ipv4_hdr *offender);

#endif
