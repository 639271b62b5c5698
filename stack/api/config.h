/*
 * config.h - settings of a stack program, read from TUNTCP_* variables so
 * that the program's own arguments stay its own.
 *
 *   TUNTCP_DEV=tun0        the TUN device to attach to
 *   TUNTCP_ADDR=10.0.0.2   the stack's IPv4 address
 *   TUNTCP_PCAP=FILE       capture every packet in and out to FILE
 *   TUNTCP_TRACE=1         print a line per packet, state change and drop
 *   TUNTCP_ISN=N           every connection's initial sequence number is N
 *                          (a lesson option: 0 reads easily, 4294967000
 *                          makes every transfer cross the 2^32 wrap)
 *   TUNTCP_MSL=MS          maximum segment lifetime in ms (TIME-WAIT is
 *                          2*MSL); 2000 by default, RFC 9293 says 2 minutes
 *   TUNTCP_RTO_MIN=MS      lower bound of the retransmission timeout;
 *                          RFC 6298's 1000 by default, less for a fast lab
 *   TUNTCP_FAULTS=SPEC     a hostile network: loss, reordering, ...
 *                          (dev/dev_fault.h)
 *   TUNTCP_DELACK=MS       how long an ACK may wait for data to ride on
 *                          (40 by default; 0 ACKs every segment at once)
 *   TUNTCP_SNDBUF=BYTES    send and receive buffer of each connection
 *   TUNTCP_RCVBUF=BYTES    (256 KiB by default; SO_SNDBUF/SO_RCVBUF too);
 *                          TUNTCP_RCVBUF also bounds each UDP socket's
 *                          receive queue
 *   TUNTCP_ICMP_RATE=N[/B] ICMP errors we may send: N a second, in bursts
 *                          of B (1000/50 by default, as Linux; 0: no limit)
 *   TUNTCP_FRAG_TIMEOUT=MS how long the fragments of a datagram may take
 *                          to arrive (30000 by default, as Linux)
 *   TUNTCP_FRAG_MEM=BYTES  the most all datagrams being reassembled may
 *                          hold together (4 MiB by default, as Linux)
 */
#ifndef TUNTCP_CONFIG_H
#define TUNTCP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

struct config {
	char dev[16];
	uint32_t addr;		/* host order */
	const char *pcap;	/* NULL: no capture */
	int trace;
	int isn_fixed;		/* TUNTCP_ISN was given */
	uint32_t isn;
	uint32_t msl_ms;
	uint32_t rto_min_ms;
	const char *faults;	/* NULL: a perfect link */
	uint32_t delack_ms;
	uint32_t sndbuf, rcvbuf;
	uint32_t icmp_rate, icmp_burst;
	uint32_t frag_timeout_ms;
	uint32_t frag_mem;
};

/* Fill `cfg` from the environment.  Returns 0, or -1 with a sentence in
 * `err` naming the variable that is wrong. */
int config_from_env(struct config *cfg, char *err, size_t errlen);

#endif
