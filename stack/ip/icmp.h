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

#endif
