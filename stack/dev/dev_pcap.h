/*
 * dev_pcap.h - a device wrapper that writes every packet to a capture file.
 */
#ifndef TUNTCP_DEV_PCAP_H
#define TUNTCP_DEV_PCAP_H

#include <stddef.h>

#include "device.h"

/* Wrap `lower`: every packet it receives and every packet sent through the
 * wrapper is written to `path` (pcapng, link type 101 "raw IPv4"), with the
 * stack's comment on each packet (see device_note).  Returns
 * NULL and a sentence in `err` if the file cannot be written. */
struct device *pcap_wrap(struct device *lower, const char *path, char *err,
			 size_t errlen);

#endif
