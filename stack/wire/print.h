/*
 * print.h - one-line summaries of packets, in the spirit of tcpdump and
 * Wireshark's Info column.
 */
#ifndef TUNTCP_PRINT_H
#define TUNTCP_PRINT_H

#include <stddef.h>
#include <stdint.h>

/* Describe the IPv4 packet `pkt` in one line (no newline) into `out`.
 * Malformed packets are described as such; never reads out of bounds. */
void packet_summary(char *out, size_t outlen, const uint8_t *pkt, size_t len);

#endif
