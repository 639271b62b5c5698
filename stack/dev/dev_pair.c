/*
 * dev_pair.c - an in-process pair of devices for tests.
 *
 * Each end has a receive queue: a ring of packet copies.  send() on one end
 * appends to the other end's queue; recv() takes from its own.  A full
 * queue drops the packet, as a real link would.
 */
#include "dev_pair.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAIR_QUEUE 4096

struct packet {
	size_t len;
	uint8_t *data;
};

struct pair_end {
	struct device dev;	/* first: a struct device * is a struct pair_end * */
	struct pair_end *peer;	/* NULL once the peer is destroyed */
	struct packet queue[PAIR_QUEUE];
	size_t head, count;
};

static int pair_send(struct device *dev, const uint8_t *pkt, size_t len)
{
	struct pair_end *self = (struct pair_end *)dev;
	struct pair_end *peer = self->peer;
	struct packet *p;

	if (!peer)
		return -ENOTCONN;
	if (peer->count == PAIR_QUEUE)
		return 0;	/* the link drops it */
	p = &peer->queue[(peer->head + peer->count) % PAIR_QUEUE];
	p->data = malloc(len ? len : 1);
	if (!p->data)
		return -ENOMEM;
	memcpy(p->data, pkt, len);
	p->len = len;
	peer->count++;
	return 0;
}

static long pair_recv(struct device *dev, uint8_t *buf, size_t cap)
{
	struct pair_end *self = (struct pair_end *)dev;
	struct packet *p;
	size_t n;

	if (self->count == 0)
		return 0;
	p = &self->queue[self->head];
	n = p->len < cap ? p->len : cap;
	memcpy(buf, p->data, n);
	free(p->data);
	self->head = (self->head + 1) % PAIR_QUEUE;
	self->count--;
	return (long)n;
}

static void pair_destroy(struct device *dev)
{
	struct pair_end *self = (struct pair_end *)dev;

	while (self->count) {
		free(self->queue[self->head].data);
		self->head = (self->head + 1) % PAIR_QUEUE;
		self->count--;
	}
	if (self->peer)
		self->peer->peer = NULL;
	free(self);
}

size_t pair_pending(struct device *end)
{
	return ((struct pair_end *)end)->count;
}

struct device *pair_new(struct device **other)
{
	struct pair_end *a = calloc(1, sizeof *a);
	struct pair_end *b = calloc(1, sizeof *b);

	if (!a || !b) {
		free(a);
		free(b);
		return NULL;
	}
	a->peer = b;
	b->peer = a;
	a->dev = (struct device){ .name = "pair-a", .send = pair_send,
				  .recv = pair_recv, .destroy = pair_destroy,
				  .fd = -1 };
	b->dev = a->dev;
	b->dev.name = "pair-b";
	*other = &b->dev;
	return &a->dev;
}
