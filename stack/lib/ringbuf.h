/*
 * ringbuf.h - a byte ring: TCP's send and receive buffers.
 *
 * The send buffer holds every byte from SND.UNA on (sent but unacknowledged,
 * then not yet sent); the receive buffer holds bytes that arrived in order
 * and that the application has not read yet.
 */
#ifndef TUNTCP_RINGBUF_H
#define TUNTCP_RINGBUF_H

#include <stddef.h>
#include <stdint.h>

struct ringbuf {
	uint8_t *data;
	size_t cap;	/* bytes it can hold */
	size_t head;	/* index of the oldest byte */
	size_t len;	/* bytes held */
};

int rb_init(struct ringbuf *rb, size_t cap);	/* 0, or -1: no memory */
void rb_free(struct ringbuf *rb);

static inline size_t rb_space(const struct ringbuf *rb) { return rb->cap - rb->len; }

/* Append up to n bytes; returns how many fitted. */
size_t rb_write(struct ringbuf *rb, const uint8_t *src, size_t n);
/* Copy up to n bytes starting `off` bytes after the oldest, without
 * removing them; returns how many were copied. */
size_t rb_peek(const struct ringbuf *rb, size_t off, uint8_t *dst, size_t n);
/* Remove up to n of the oldest bytes; returns how many. */
size_t rb_drop(struct ringbuf *rb, size_t n);
/* Take up to n of the oldest bytes: rb_peek then rb_drop. */
size_t rb_read(struct ringbuf *rb, uint8_t *dst, size_t n);

#endif
