/*
 * blast - move a known stream of bytes and check every one.
 *
 *   blast send HOST PORT BYTES
 *   blast recv PORT [--bytes N] [--pause-after BYTES --pause SECONDS]
 *
 * The sender sends BYTES bytes of a deterministic pseudo-random stream,
 * then shuts down its side and waits for the receiver to close.  The
 * receiver accepts one connection, reads to the end, and checks every byte
 * against the same stream, reporting the first wrong offset.  Both print
 * bytes, seconds and throughput; the exit status is 0 only when every byte
 * matched (and, with --bytes, when exactly N arrived).  --pause makes the
 * receiver stop reading for a while, so the sender meets a zero window.
 *
 * The same source runs on tuntcp (build/blast) and on the kernel's sockets
 * (build/kernel/blast).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sock.h"

/* Byte i of the stream: from splitmix64 of i/8, so any offset can be
 * checked on its own. */
static uint8_t stream_byte(uint64_t i)
{
	uint64_t z = (i >> 3) + 0x9E3779B97F4A7C15ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return (uint8_t)(z >> (8 * (i & 7)));
}

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *what, uint64_t bytes, double secs)
{
	printf("blast %s: %llu bytes in %.3f s: %.2f Mbit/s\n", what,
	       (unsigned long long)bytes, secs,
	       secs > 0 ? (double)bytes * 8 / secs / 1e6 : 0.0);
	fflush(stdout);
}

static int do_send(const char *host, int port, uint64_t total)
{
	static uint8_t buf[65536];
	struct sockaddr_in addr;
	uint64_t sent = 0;
	double t0;
	char c;
	int s;

	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		fprintf(stderr, "blast: %s is not an IPv4 address\n", host);
		return 2;
	}
	s = tt_socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || tt_connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
		fprintf(stderr, "blast: connect to %s:%d: %s\n", host, port, strerror(errno));
		return 1;
	}
	t0 = seconds_now();
	while (sent < total) {
		size_t n = total - sent < sizeof buf ? (size_t)(total - sent) : sizeof buf;
		ssize_t k;
		size_t i;

		for (i = 0; i < n; i++)
			buf[i] = stream_byte(sent + i);
		k = tt_send(s, buf, n, MSG_NOSIGNAL);
		if (k < 0) {
			fprintf(stderr, "blast: send after %llu bytes: %s\n",
				(unsigned long long)sent, strerror(errno));
			return 1;
		}
		sent += (uint64_t)k;
	}
	/* Our side is done; the receiver closes when it has read it all. */
	tt_shutdown(s, SHUT_WR);
	if (tt_recv(s, &c, 1, 0) < 0) {
		fprintf(stderr, "blast: waiting for the receiver: %s\n", strerror(errno));
		return 1;
	}
	report("send", sent, seconds_now() - t0);
	tt_close(s);
	return 0;
}

static int do_recv(int port, long long expect, uint64_t pause_after, int pause_s)
{
	static uint8_t buf[65536];
	struct sockaddr_in addr;
	uint64_t got = 0, bad_at = 0;
	int bad = 0, paused = 0, ls, s;
	double t0;
	ssize_t n;

	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	ls = tt_socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || tt_bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    tt_listen(ls, 1) < 0) {
		fprintf(stderr, "blast: listen on port %d: %s\n", port, strerror(errno));
		return 1;
	}
	printf("blast recv: listening on port %d\n", port);
	fflush(stdout);
	s = tt_accept(ls, NULL, NULL);
	if (s < 0) {
		perror("blast: accept");
		return 1;
	}
	t0 = seconds_now();
	while ((n = tt_recv(s, buf, sizeof buf, 0)) > 0) {
		ssize_t i;

		for (i = 0; i < n && !bad; i++) {
			if (buf[i] != stream_byte(got + (uint64_t)i)) {
				bad = 1;
				bad_at = got + (uint64_t)i;
			}
		}
		got += (uint64_t)n;
		if (pause_s && !paused && got >= pause_after) {
			printf("blast recv: pausing %d s after %llu bytes\n", pause_s,
			       (unsigned long long)got);
			fflush(stdout);
			sleep((unsigned)pause_s);
			paused = 1;
		}
	}
	if (n < 0) {
		fprintf(stderr, "blast: recv after %llu bytes: %s\n",
			(unsigned long long)got, strerror(errno));
		return 1;
	}
	report("recv", got, seconds_now() - t0);
	tt_close(s);
	tt_close(ls);
	if (bad) {
		printf("blast recv: MISMATCH: first wrong byte at offset %llu\n",
		       (unsigned long long)bad_at);
		return 1;
	}
	if (expect >= 0 && (uint64_t)expect != got) {
		printf("blast recv: expected %lld bytes, got %llu\n", expect,
		       (unsigned long long)got);
		return 1;
	}
	printf("blast recv: all %llu bytes match\n", (unsigned long long)got);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "send") == 0)
		return do_send(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 10));
	if (argc >= 3 && strcmp(argv[1], "recv") == 0) {
		long long expect = -1;
		uint64_t pause_after = 0;
		int pause_s = 0, i;

		for (i = 3; i + 1 < argc; i += 2) {
			if (!strcmp(argv[i], "--bytes"))
				expect = atoll(argv[i + 1]);
			else if (!strcmp(argv[i], "--pause-after"))
				pause_after = strtoull(argv[i + 1], NULL, 10);
			else if (!strcmp(argv[i], "--pause"))
				pause_s = atoi(argv[i + 1]);
			else
				break;
		}
		if (i == argc)
			return do_recv(atoi(argv[2]), expect, pause_after, pause_s);
	}
	fprintf(stderr, "usage: blast send HOST PORT BYTES\n"
			"       blast recv PORT [--bytes N] [--pause-after BYTES --pause SECONDS]\n");
	return 2;
}
