/*
 * device.h - the one interface between the stack and whatever carries its
 * packets.
 *
 * Read this first: a device moves whole IPv4 packets, nothing else (a TUN
 * device has no link layer).  The drivers are dev_tun.c (the Linux TUN
 * device) and dev_pair.c (two devices joined back to back in memory, for
 * tests).  Wrappers are devices built around another device: dev_pcap.c
 * writes every packet to a capture file, dev_trace.c prints a line per
 * packet.  They stack: trace(pcap(tun)).
 */
#ifndef TUNTCP_DEVICE_H
#define TUNTCP_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The largest packet any device carries: the MTU of a TUN device. */
#define DEVICE_MTU 1500

struct device {
	const char *name;
	/* Send one IPv4 packet.  Returns 0, or -errno. */
	int (*send)(struct device *dev, const uint8_t *pkt, size_t len);
	/* Take one received packet if one is waiting.  Returns its length,
	 * 0 when none is waiting, or -errno.  Never blocks. */
	long (*recv)(struct device *dev, uint8_t *buf, size_t cap);
	/* Free the device and whatever it wraps. */
	void (*destroy)(struct device *dev);
	/* A file descriptor that poll() reports readable when recv() has a
	 * packet, or -1 (dev_pair: the caller knows when it queued one). */
	int fd;
	/* For a wrapper, the device it wraps; NULL for a driver. */
	struct device *lower;
	/* Optional (NULL: none).  Do the device's timed work due at `now`
	 * (a fault injector releasing delayed packets) and return when it
	 * next has some, or UINT64_MAX. */
	uint64_t (*timer)(struct device *dev, uint64_t now);
	/* Optional: print the device's own counters. */
	void (*print_stats)(struct device *dev, FILE *out);
	/* Optional: the stack's comment on a packet, for a capture to keep
	 * beside it.  NOTE_IN: on the packet most recently received (after
	 * the stack processed it); NOTE_OUT: on the next packet sent. */
	void (*note)(struct device *dev, int dir, const char *text);
};

#define NOTE_IN  0
#define NOTE_OUT 1

static inline int device_send(struct device *dev, const uint8_t *pkt,
			      size_t len)
{
	return dev->send(dev, pkt, len);
}

static inline long device_recv(struct device *dev, uint8_t *buf, size_t cap)
{
	return dev->recv(dev, buf, cap);
}

/* The timed work of a whole stack of devices: every layer that has any. */
static inline uint64_t device_timer(struct device *dev, uint64_t now)
{
	uint64_t next = UINT64_MAX, t;

	for (; dev; dev = dev->lower) {
		if (dev->timer) {
			t = dev->timer(dev, now);
			if (t < next)
				next = t;
		}
	}
	return next;
}

static inline void device_note(struct device *dev, int dir, const char *text)
{
	for (; dev; dev = dev->lower)
		if (dev->note)
			dev->note(dev, dir, text);
}

static inline void device_print_stats(struct device *dev, FILE *out)
{
	for (; dev; dev = dev->lower)
		if (dev->print_stats)
			dev->print_stats(dev, out);
}

static inline void device_destroy(struct device *dev)
{
	if (dev)
		dev->destroy(dev);
}

#endif
