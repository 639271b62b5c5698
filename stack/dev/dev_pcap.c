/*
 * dev_pcap.c - capture every packet in and out, with the stack's comment on
 * each, to a pcapng file Wireshark opens (even while the program runs).
 *
 * Read this first: pcapng is a sequence of blocks, each "type, length,
 * body, length again":
 *   Section Header Block      once: byte order, version
 *   Interface Description     once: link type 101 (LINKTYPE_RAW: each
 *                             packet begins with its IPv4 header, exactly
 *                             what a TUN device carries)
 *   Enhanced Packet Block     one per packet: timestamp (microseconds),
 *                             the bytes, and options: a comment (shown by
 *                             Wireshark as the frame's comment) and the
 *                             direction, in or out.
 * The comment is the stack's view of the packet: the connection's state
 * and sequence variables after it, why it was retransmitted, or why it
 * was dropped.  A received packet's comment is known only after the stack
 * processed it, so its block waits for the note (device_note, NOTE_IN);
 * packets sent meanwhile queue behind it to keep the file in order.  Every
 * block is flushed as it is written, so the file is complete whenever the
 * program is killed.
 */
#include "dev_pcap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define LINKTYPE_RAW 101
#define OPT_END      0
#define OPT_COMMENT  1
#define EPB_FLAGS    2	/* bits 0-1: 1 inbound, 2 outbound */

struct record {
	uint64_t usec;
	int inbound;
	size_t len;
	char *comment;
	struct record *next;
	uint8_t data[];
};

struct pcap_dev {
	struct device dev;	/* first: a struct device * is a struct pcap_dev * */
	FILE *file;
	struct record *head, *tail;	/* waiting: an input without its note, and what followed */
	char out_note[256];
};

/* We write little-endian; the Section Header's magic tells readers so. */
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

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void write_epb(FILE *f, const struct record *r)
{
	uint8_t hdr[28], opt[4], zero[4] = { 0 }, tail[4];
	size_t clen = r->comment ? strlen(r->comment) : 0;
	size_t total = 28 + pad4(r->len) + 8 /* flags */ +
		       (clen ? 4 + pad4(clen) : 0) + 4 /* end */ + 4;

	le32(hdr + 0, BT_EPB);
	le32(hdr + 4, (uint32_t)total);
	le32(hdr + 8, 0);	/* interface 0 */
	le32(hdr + 12, (uint32_t)(r->usec >> 32));
	le32(hdr + 16, (uint32_t)r->usec);
	le32(hdr + 20, (uint32_t)r->len);
	le32(hdr + 24, (uint32_t)r->len);
	fwrite(hdr, 1, sizeof hdr, f);
	fwrite(r->data, 1, r->len, f);
	fwrite(zero, 1, pad4(r->len) - r->len, f);
	le16(opt, EPB_FLAGS);
	le16(opt + 2, 4);
	fwrite(opt, 1, 4, f);
	le32(opt, r->inbound ? 1 : 2);
	fwrite(opt, 1, 4, f);
	if (clen) {
		le16(opt, OPT_COMMENT);
		le16(opt + 2, (uint16_t)clen);
		fwrite(opt, 1, 4, f);
		fwrite(r->comment, 1, clen, f);
		fwrite(zero, 1, pad4(clen) - clen, f);
	}
	memset(opt, 0, 4);	/* opt_endofopt */
	fwrite(opt, 1, 4, f);
	le32(tail, (uint32_t)total);
	fwrite(tail, 1, 4, f);
}

/* Write out every record that no longer waits for a note. */
static void flush(struct pcap_dev *pd, int force)
{
	while (pd->head && (force || !pd->head->inbound || pd->head->comment)) {
		struct record *r = pd->head;

		pd->head = r->next;
		if (!pd->head)
			pd->tail = NULL;
		write_epb(pd->file, r);
		free(r->comment);
		free(r);
	}
	fflush(pd->file);
}

static void add(struct pcap_dev *pd, const uint8_t *pkt, size_t len,
		int inbound, const char *comment)
{
	struct record *r = malloc(sizeof *r + len);
	struct timespec ts;

	if (!r)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	r->usec = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	r->inbound = inbound;
	r->len = len;
	r->comment = comment && *comment ? strdup(comment) : NULL;
	r->next = NULL;
	memcpy(r->data, pkt, len);
	/* A new input while the last one still waits: that one gets none. */
	if (inbound && pd->tail && pd->tail->inbound && !pd->tail->comment)
		flush(pd, 1);
	if (pd->tail)
		pd->tail->next = r;
	else
		pd->head = r;
	pd->tail = r;
	flush(pd, 0);
}

static int pcap_send(struct device *dev, const uint8_t *pkt, size_t len)
{
	struct pcap_dev *pd = (struct pcap_dev *)dev;

	add(pd, pkt, len, 0, pd->out_note);
	pd->out_note[0] = '\0';
	return device_send(dev->lower, pkt, len);
}

static long pcap_recv(struct device *dev, uint8_t *buf, size_t cap)
{
	struct pcap_dev *pd = (struct pcap_dev *)dev;
	long n = device_recv(dev->lower, buf, cap);

	if (n > 0)
		add(pd, buf, (size_t)n, 1, NULL);
	return n;
}

static void pcap_note(struct device *dev, int dir, const char *text)
{
	struct pcap_dev *pd = (struct pcap_dev *)dev;
	struct record *r;

	if (dir == NOTE_OUT) {
		snprintf(pd->out_note, sizeof pd->out_note, "%s", text);
		return;
	}
	/* The newest input still waiting gets the note. */
	for (r = pd->head; r; r = r->next)
		if (r->inbound && !r->comment && (!r->next || !r->next->inbound))
			break;
	if (r)
		r->comment = strdup(text && *text ? text : "-");
	flush(pd, 0);
}

static void pcap_destroy(struct device *dev)
{
	struct pcap_dev *pd = (struct pcap_dev *)dev;

	flush(pd, 1);
	fclose(pd->file);
	device_destroy(dev->lower);
	free(pd);
}

struct device *pcap_wrap(struct device *lower, const char *path, char *err,
			 size_t errlen)
{
	static const char app[] = "tuntcp";
	struct pcap_dev *pd;
	uint8_t b[64];
	size_t shb_len = 28 + 4 + pad4(sizeof app - 1) + 4;
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
	/* Section Header Block, with shb_userappl naming us. */
	memset(b, 0, sizeof b);
	le32(b + 0, BT_SHB);
	le32(b + 4, (uint32_t)shb_len);
	le32(b + 8, 0x1A2B3C4D);	/* byte-order magic */
	le16(b + 12, 1);		/* version 1.0 */
	le16(b + 14, 0);
	le32(b + 16, 0xFFFFFFFF);	/* section length: unknown */
	le32(b + 20, 0xFFFFFFFF);
	le16(b + 24, 4);		/* shb_userappl */
	le16(b + 26, sizeof app - 1);
	memcpy(b + 28, app, sizeof app - 1);
	/* then opt_endofopt (4 zero bytes) and the length again */
	le32(b + shb_len - 4, (uint32_t)shb_len);
	fwrite(b, 1, shb_len, f);
	/* Interface Description Block: raw IPv4, microsecond timestamps. */
	memset(b, 0, sizeof b);
	le32(b + 0, BT_IDB);
	le32(b + 4, 20);
	le16(b + 8, LINKTYPE_RAW);
	le32(b + 12, 65535);		/* snap length */
	le32(b + 16, 20);
	fwrite(b, 1, 20, f);
	fflush(f);

	pd->file = f;
	pd->dev = (struct device){ .name = lower->name, .send = pcap_send,
				   .recv = pcap_recv, .destroy = pcap_destroy,
				   .fd = lower->fd, .lower = lower,
				   .note = pcap_note };
	return &pd->dev;
}
