/*
 * dev_pcap.c - capture every packet in and out to a pcap file.
 *
 * Read this first: the classic libpcap file format is a 24-byte file
 * header followed by one 16-byte record header per packet (seconds,
 * microseconds, captured length, original length) and the packet's bytes.
 * Link type 101 (LINKTYPE_RAW) says each packet begins with an IPv4 header,
 * which is exactly what a TUN device carries.  Every record is flushed as
 * it is written, so Wireshark can open the file while the program runs and
 * the file is complete whenever the program is killed.
 */
#include "dev_pcap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCAP_MAGIC      0xA1B2C3D4u	/* microsecond timestamps */
#define LINKTYPE_RAW    101
#define PCAP_SNAPLEN    65535

struct pcap_dev {
	struct device dev;	/* first: a struct device * is a struct pcap_dev * */
	FILE *file;
};

/* The file format is in the writer's byte order; we write little-endian
 * explicitly so the file is the same on any machine. */
static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void pcap_record(struct pcap_dev *pd, const uint8_t *pkt, size_t len)
{
	struct timespec ts;
	uint8_t rec[16];

	clock_gettime(CLOCK_REALTIME, &ts);
	le32(rec + 0, (uint32_t)ts.tv_sec);
	le32(rec + 4, (uint32_t)(ts.tv_nsec / 1000));
	le32(rec + 8, (uint32_t)len);	/* captured */
	le32(rec + 12, (uint32_t)len);	/* on the wire */
	fwrite(rec, 1, sizeof rec, pd->file);
	fwrite(pkt, 1, len, pd->file);
	fflush(pd->file);
}

static int pcap_send(struct device *dev, const uint8_t *pkt, size_t len)
{
	struct pcap_dev *pd = (struct pcap_dev *)dev;

	pcap_record(pd, pkt, len);
	return device_send(dev->lower, pkt, len);
}

static long pcap_recv(struct device *dev, uint8_t *buf, size_t cap)
{
	struct pcap_dev *pd = (struct pcap_dev *)dev;
	long n = device_recv(dev->lower, buf, cap);

	if (n > 0)
		pcap_record(pd, buf, (size_t)n);
	return n;
}

static void pcap_destroy(struct device *dev)
{
	struct pcap_dev *pd = (struct pcap_dev *)dev;

	fclose(pd->file);
	device_destroy(dev->lower);
	free(pd);
}

struct device *pcap_wrap(struct device *lower, const char *path, char *err,
			 size_t errlen)
{
	struct pcap_dev *pd;
	uint8_t hdr[24];
	FILE *f;

	f = fopen(path, "wb");
	if (!f) {
		snprintf(err, errlen, "cannot write capture file %s: %s", path,
			 strerror(errno));
		return NULL;
	}
	pd = calloc(1, sizeof *pd);
	if (!pd) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	le32(hdr + 0, PCAP_MAGIC);
	le16(hdr + 4, 2);		/* version 2.4 */
	le16(hdr + 6, 4);
	le32(hdr + 8, 0);		/* timezone: UTC */
	le32(hdr + 12, 0);		/* timestamp accuracy */
	le32(hdr + 16, PCAP_SNAPLEN);
	le32(hdr + 20, LINKTYPE_RAW);
	fwrite(hdr, 1, sizeof hdr, f);
	fflush(f);

	pd->file = f;
	pd->dev = (struct device){ .name = lower->name, .send = pcap_send,
				   .recv = pcap_recv, .destroy = pcap_destroy,
				   .fd = lower->fd, .lower = lower };
	return &pd->dev;
}
