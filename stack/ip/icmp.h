/*
 * icmp.h - ICMP input: echo requests answered (RFC 792, RFC 1122 3.2.2.6).
 */
#ifndef TUNTCP_ICMP_H
#define TUNTCP_ICMP_H

#include "ipv4_wire.h"
#include "net.h"

/* Register ICMP with `net` (IPv4 protocol 1): echo requests are answered. */
void icmp_layer_init(struct net *net);

void icmp_input(struct net *net, const struct ipv4_hdr *ip);

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
