/*
 * bytes.h - read and write big-endian ("network order") fields in a packet.
 *
 * Read this first: packets stay exactly as they arrived (the bytes Wireshark
 * shows).  We never cast a struct onto packet memory and never swap bytes in
 * place; every field is read through these accessors at a named offset, after
 * a bounds check has proved the offset is inside the buffer.
 */
#ifndef TUNTCP_BYTES_H
#define TUNTCP_BYTES_H

#include <stdint.h>

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
