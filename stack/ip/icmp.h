/*
 * icmp.h - ICMP input: echo requests answered (RFC 792, RFC 1122 3.2.2.6).
 */
#ifndef TUNTCP_ICMP_H
#define TUNTCP_ICMP_H

#include "ipv4_wire.h"
#include "net.h"

void icmp_input(struct net *net, const struct ipv4_hdr *ip);

#endif
