/*
 * ringbuf.c - a fixed-size byte ring.
 */
#include "ringbuf.h"

#include <stdlib.h>
#include <string.h>

int rb_init(struct ringbuf *rb, size_t cap)
{
	rb->data = malloc(cap ? cap : 1);
	rb->cap = cap;
	rb->head = 0;
	rb->len = 0;
	return rb->data ? 0 : -1;
}

void rb_free(struct ringbuf *rb)
{
	free(rb->data);
	rb->data = NULL;
	rb->cap = rb->len = rb->head = 0;
}

size_t rb_write(struct ringbuf *rb, const uint8_t *src, size_t n)
{
	size_t tail, first;

	if (n > rb_space(rb))
		n = rb_space(rb);
	if (n == 0)
		return 0;
	tail = (rb->head + rb->len) % rb->cap;
	first = rb->cap - tail < n ? rb->cap - tail : n;
	memcpy(rb->data + tail, src, first);
	memcpy(rb->data, src + first, n - first);
	rb->len += n;
	return n;
}

size_t rb_peek(const struct ringbuf *rb, size_t off, uint8_t *dst, size_t n)
{
	size_t start, first;

	if (off >= rb->len)
		return 0;
	if (n > rb->len - off)
		n = rb->len - off;
	start = (rb->head + off) % rb->cap;
	first = rb->cap - start < n ? rb->cap - start : n;
	memcpy(dst, rb->data + start, first);
	memcpy(dst + first, rb->data, n - first);
	return n;
}

size_t rb_drop(struct ringbuf *rb, size_t n)
{
	if (n > rb->len)
		n = rb->len;
	rb->head = rb->cap ? (rb->head + n) % rb->cap : 0;
	rb->len -= n;
	return n;
}

size_t rb_read(struct ringbuf *rb, uint8_t *dst, size_t n)
{
	return rb_drop(rb, rb_peek(rb, 0, dst, n));
}
