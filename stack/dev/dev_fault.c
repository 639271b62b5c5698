/*
 * dev_fault.c - the fault injector.
 *
 * Read this first: each direction (in: towards the stack, out: from it) is
 * a small model of a bad link.  A packet entering it may be
 *   lost       never delivered;
 *   corrupted  one bit flipped, so a checksum fails at the receiver;
 *   duplicated delivered twice;
 *   reordered  held back a little, so later packets overtake it;
 *   delayed    delivered `delay` +- `jitter` ms later;
 *   queued     behind earlier packets on a link of `rate` Mbit/s, and lost
 *              if that queue is full (a real bottleneck for congestion
 *              control to find).
 * Delayed packets wait in a queue ordered by release time; the runtime
 * asks timer() when to come back.  Random choices come from a seeded
 * generator, so a run can be repeated exactly.
 */
#include "dev_fault.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dev_trace.h"
#include "print.h"

#define FAULT_QUEUE_MAX 1000	/* packets a direction may hold */

struct held {
	uint64_t at;		/* release time, ms */
	size_t len;
	struct held *next;
	uint8_t data[];
};

struct direction {
	struct fault_cfg cfg;
	uint64_t rng;
	uint64_t link_free_at;	/* the rate limiter: when the link is idle */
	struct held *queue;	/* by release time */
	size_t queued;
	uint64_t lost, corrupted, duplicated, reordered, delayed, overflowed;
	const char *name;
};

struct fault_dev {
	struct device dev;	/* first: a struct device * is a struct fault_dev * */
	struct direction in, out;
	uint64_t (*clock)(void *ctx);
	void *clock_ctx;
	FILE *trace;
};

/* xorshift64*: small, fast, and plenty random for choosing faults. */
static uint64_t next_random(struct direction *d)
{
	d->rng ^= d->rng >> 12;
	d->rng ^= d->rng << 25;
	d->rng ^= d->rng >> 27;
	return d->rng * 0x2545F4914F6CDD1DULL;
}

static double uniform(struct direction *d)
{
	return (double)(next_random(d) >> 11) / 9007199254740992.0;	/* [0,1) */
}

static int happens(struct direction *d, double p)
{
	return p > 0 && uniform(d) < p;
}

static void say(struct fault_dev *f, struct direction *d, const char *what,
		const uint8_t *pkt, size_t len)
{
	char line[600], summary[512];

	if (!f->trace)
		return;
	packet_summary(summary, sizeof summary, pkt, len);
	snprintf(line, sizeof line, "fault: %s %s  %s", what, d->name, summary);
	trace_line(f->trace, "!!", line);
}

/* Put a packet in a direction's queue, to be released at `at`. */
static int hold(struct direction *d, const uint8_t *pkt, size_t len, uint64_t at)
{
	struct held *h, **pp;

	if (d->queued >= FAULT_QUEUE_MAX) {
		d->overflowed++;
		return -1;
	}
	h = malloc(sizeof *h + len);
	if (!h)
		return -1;
	h->at = at;
	h->len = len;
	memcpy(h->data, pkt, len);
	for (pp = &d->queue; *pp && (*pp)->at <= at; pp = &(*pp)->next)
		;	/* after every packet due no later: FIFO among equals */
	h->next = *pp;
	*pp = h;
	d->queued++;
	return 0;
}

/* A packet enters direction d at `now`: decide its fate and queue it. */
static void enter(struct fault_dev *f, struct direction *d, const uint8_t *pkt,
		  size_t len, uint64_t now)
{
	const struct fault_cfg *c = &d->cfg;
	uint8_t copy[DEVICE_MTU + 1];
	uint64_t at = now;
	int copies = 1, i;

	if (len > sizeof copy)
		return;
	memcpy(copy, pkt, len);
	if (happens(d, c->loss)) {
		d->lost++;
		say(f, d, "lost", pkt, len);
		return;
	}
	if (len && happens(d, c->corrupt)) {
		size_t at_byte = (size_t)(next_random(d) % len);

		copy[at_byte] ^= (uint8_t)(1u << (next_random(d) % 8));
		d->corrupted++;
		say(f, d, "corrupted", pkt, len);
	}
	if (happens(d, c->dup)) {
		copies = 2;
		d->duplicated++;
		say(f, d, "duplicated", pkt, len);
	}
	/* The bottleneck link: this packet starts when the one before it has
	 * left, and takes len*8 bits / rate to go out. */
	if (c->rate_mbps > 0) {
		uint64_t start = d->link_free_at > now ? d->link_free_at : now;
		double ms = (double)len * 8.0 / (c->rate_mbps * 1000.0);

		d->link_free_at = start + (uint64_t)(ms + 0.5);
		at = d->link_free_at;
	}
	if (c->delay_ms || c->jitter_ms) {
		int64_t jitter = c->jitter_ms ?
			(int64_t)(next_random(d) % (2 * c->jitter_ms + 1)) - c->jitter_ms : 0;
		int64_t extra = (int64_t)c->delay_ms + jitter;

		at += extra > 0 ? (uint64_t)extra : 0;
		if (c->delay_ms)
			d->delayed++;
	}
	if (happens(d, c->reorder)) {
		/* Held back long enough for what follows to overtake it. */
		at += 5 + c->jitter_ms * 2;
		d->reordered++;
		say(f, d, "reordered", pkt, len);
	}
	for (i = 0; i < copies; i++)
		if (hold(d, copy, len, at) < 0)
			say(f, d, "queue full, lost", pkt, len);
}

static int fault_send(struct device *dev, const uint8_t *pkt, size_t len)
{
	struct fault_dev *f = (struct fault_dev *)dev;

	enter(f, &f->out, pkt, len, f->clock(f->clock_ctx));
	device_timer(dev, f->clock(f->clock_ctx));	/* what is due goes now */
	return 0;
}

/* Release the packets of `d` due by `now`: out ones to the lower device. */
static void release_out(struct fault_dev *f, uint64_t now)
{
	struct direction *d = &f->out;

	while (d->queue && d->queue->at <= now) {
		struct held *h = d->queue;

		d->queue = h->next;
		d->queued--;
		device_send(f->dev.lower, h->data, h->len);
		free(h);
	}
}

static long fault_recv(struct device *dev, uint8_t *buf, size_t cap)
{
	struct fault_dev *f = (struct fault_dev *)dev;
	struct direction *d = &f->in;
	uint8_t pkt[DEVICE_MTU + 1];
	uint64_t now = f->clock(f->clock_ctx);
	struct held *h;
	long n;
	size_t len;

	/* Everything the lower device has enters the model first. */
	while ((n = device_recv(dev->lower, pkt, sizeof pkt)) > 0)
		enter(f, d, pkt, (size_t)n, now);
	if (n < 0)
		return n;
	h = d->queue;
	if (!h || h->at > now)
		return 0;
	d->queue = h->next;
	d->queued--;
	len = h->len < cap ? h->len : cap;
	memcpy(buf, h->data, len);
	free(h);
	return (long)len;
}

static uint64_t fault_timer(struct device *dev, uint64_t now)
{
	struct fault_dev *f = (struct fault_dev *)dev;
	uint64_t next = UINT64_MAX;

	release_out(f, now);
	if (f->out.queue)
		next = f->out.queue->at;
	if (f->in.queue && f->in.queue->at < next)
		next = f->in.queue->at;
	return next;
}

static void print_direction(const struct direction *d, FILE *out)
{
	fprintf(out, "  faults %-3s lost %llu, corrupted %llu, duplicated %llu, reordered %llu, delayed %llu, queue overflow %llu\n",
		d->name, (unsigned long long)d->lost,
		(unsigned long long)d->corrupted,
		(unsigned long long)d->duplicated,
		(unsigned long long)d->reordered,
		(unsigned long long)d->delayed,
		(unsigned long long)d->overflowed);
}

static void fault_print_stats(struct device *dev, FILE *out)
{
	struct fault_dev *f = (struct fault_dev *)dev;

	print_direction(&f->in, out);
	print_direction(&f->out, out);
}

static void free_queue(struct direction *d)
{
	while (d->queue) {
		struct held *h = d->queue;

		d->queue = h->next;
		free(h);
	}
}

static void fault_destroy(struct device *dev)
{
	struct fault_dev *f = (struct fault_dev *)dev;

	free_queue(&f->in);
	free_queue(&f->out);
	device_destroy(dev->lower);
	free(f);
}

struct device *fault_wrap(struct device *lower, const struct fault_cfg *in,
			  const struct fault_cfg *out,
			  uint64_t (*clock)(void *ctx), void *clock_ctx,
			  FILE *trace)
{
	struct fault_dev *f = calloc(1, sizeof *f);

	if (!f)
		return NULL;
	f->in.cfg = *in;
	f->out.cfg = *out;
	/* Two different streams from one seed; never zero (xorshift's fixed point). */
	f->in.rng = (in->seed * 0x9E3779B97F4A7C15ULL) ^ 0xD1B54A32D192ED03ULL;
	f->out.rng = (out->seed * 0x9E3779B97F4A7C15ULL) ^ 0x8CB92BA72F3D8DD7ULL;
	f->in.name = "in";
	f->out.name = "out";
	f->clock = clock;
	f->clock_ctx = clock_ctx;
	f->trace = trace;
	f->dev = (struct device){ .name = lower->name, .send = fault_send,
				  .recv = fault_recv, .destroy = fault_destroy,
				  .fd = lower->fd, .lower = lower,
				  .timer = fault_timer,
				  .print_stats = fault_print_stats };
	return &f->dev;
}

/* One "key=value" of TUNTCP_FAULTS into one direction's settings. */
static int set_key(struct fault_cfg *c, const char *key, const char *val,
		   char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(val, &end);
	if (errno || end == val || *end || v < 0) {
		snprintf(err, errlen, "TUNTCP_FAULTS: %s=%s is not a number >= 0", key, val);
		return -1;
	}
	if (!strcmp(key, "loss") || !strcmp(key, "reorder") ||
	    !strcmp(key, "dup") || !strcmp(key, "corrupt")) {
		if (v > 1) {
			snprintf(err, errlen, "TUNTCP_FAULTS: %s=%s is a probability: 0 to 1", key, val);
			return -1;
		}
		if (!strcmp(key, "loss")) c->loss = v;
		else if (!strcmp(key, "reorder")) c->reorder = v;
		else if (!strcmp(key, "dup")) c->dup = v;
		else c->corrupt = v;
	} else if (!strcmp(key, "delay")) {
		c->delay_ms = (uint32_t)v;
	} else if (!strcmp(key, "jitter")) {
		c->jitter_ms = (uint32_t)v;
	} else if (!strcmp(key, "rate")) {
		c->rate_mbps = v;
	} else if (!strcmp(key, "seed")) {
		c->seed = (uint64_t)v;
	} else {
		snprintf(err, errlen, "TUNTCP_FAULTS: unknown key %s (loss, reorder, dup, corrupt, delay, jitter, rate, seed; in./out. prefixes)", key);
		return -1;
	}
	return 0;
}

int fault_parse(const char *spec, struct fault_cfg *in, struct fault_cfg *out,
		char *err, size_t errlen)
{
	char buf[512], *item, *save = NULL;

	memset(in, 0, sizeof *in);
	memset(out, 0, sizeof *out);
	in->seed = out->seed = 1;
	if (strlen(spec) >= sizeof buf) {
		snprintf(err, errlen, "TUNTCP_FAULTS is too long");
		return -1;
	}
	strcpy(buf, spec);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '='), *key = item;
		int dirs = 3;	/* 1: in, 2: out */

		while (*key == ' ')
			key++;
		if (!eq) {
			snprintf(err, errlen, "TUNTCP_FAULTS: expected key=value, got %s", item);
			return -1;
		}
		*eq = '\0';
		if (!strncmp(key, "in.", 3)) {
			dirs = 1;
			key += 3;
		} else if (!strncmp(key, "out.", 4)) {
			dirs = 2;
			key += 4;
		}
		if ((dirs & 1) && set_key(in, key, eq + 1, err, errlen) < 0)
			return -1;
		if ((dirs & 2) && set_key(out, key, eq + 1, err, errlen) < 0)
			return -1;
	}
	return 0;
}
