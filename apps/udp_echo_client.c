/*
 * udp_echo_client - the tutorial's client, posted as letters: UDP.
 *
 *   udp_echo_client HOST PORT MESSAGE [--count N] [--size B] [--timeout MS] [--connect]
 *
 * Where the TCP client (echo_client.c) connects, sends and receives, this
 * one only posts: each of N letters (datagrams) is sent with sendto(), and
 * the answer is awaited for at most MS milliseconds (1000 by default).  A
 * letter that gets no answer is not sent again - UDP does not, and neither
 * does this program: it says so, and goes on to the next.  At the end it
 * counts how many of the N were answered.  Run it through a lossy network
 * (TUNTCP_FAULTS=loss=0.2) and letters go missing; run echo_client
 * through the same faults and every byte arrives.
 *
 *   --count N     send N letters (1); with more than one, letter i says
 *                 "MESSAGE i", so that each can be told apart
 *   --size B      make each letter exactly B bytes (0..65507), repeating
 *                 the text; 0 sends an empty datagram
 *   --timeout MS  how long to wait for each answer (1000)
 *   --connect     connect() first and use send()/recv(): then the kernel
 *                 reports an ICMP port unreachable as ECONNREFUSED
 *
 * Exit status: 0 when every letter was answered, 1 when some were not,
 * 2 for bad arguments.
 *
 * The same source runs on tuntcp (build/udp_echo_client) and on the
 * kernel's sockets (build/kernel/udp_echo_client); apps/sock.h is the only
 * difference.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sock.h"

static char letter[65536], answer[65536];

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Letter i: the text, numbered when there are several, repeated to `size`
 * bytes when a size is given (size < 0: as long as the text). */
static size_t write_letter(const char *msg, int i, int count, long size)
{
	char text[1100];
	size_t tlen, n;

	if (count > 1)
		snprintf(text, sizeof text, "%s %d", msg, i);
	else
		snprintf(text, sizeof text, "%s", msg);
	tlen = strlen(text);
	if (size < 0) {
		memcpy(letter, text, tlen);
		return tlen;
	}
	for (n = 0; n < (size_t)size; n++)
		letter[n] = tlen ? text[n % tlen] : 'x';
	return (size_t)size;
}

static int printable(const char *p, size_t n)
{
	size_t i;

	if (n > 200)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 && p[i] != '\n' && p[i] != '\t')
			return 0;
	return 1;
}

static int parse_number(const char *s, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return !errno && end != s && !*end && *out >= lo && *out <= hi;
}

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s HOST PORT MESSAGE [--count N] [--size B] [--timeout MS] [--connect]\n",
		prog);
	return 2;
}

int main(int argc, char **argv)
{
	const char *host = NULL, *msg = NULL;
	long count = 1, size = -1, timeout = 1000, port = 0;
	int use_connect = 0, answered = 0, s, i, nargs = 0;
	struct sockaddr_in server;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
			if (!parse_number(argv[++i], 1, 1000000, &count))
				return usage(argv[0]);
		} else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
			if (!parse_number(argv[++i], 0, 65507, &size))
				return usage(argv[0]);
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			if (!parse_number(argv[++i], 1, 600000, &timeout))
				return usage(argv[0]);
		} else if (strcmp(argv[i], "--connect") == 0) {
			use_connect = 1;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			return usage(argv[0]);
		} else if (nargs == 0) {
			host = argv[i];
			nargs++;
		} else if (nargs == 1) {
			if (!parse_number(argv[i], 1, 65535, &port))
				return usage(argv[0]);
			nargs++;
		} else if (nargs == 2) {
			msg = argv[i];
			nargs++;
		} else {
			return usage(argv[0]);
		}
	}
	if (nargs != 3 || strlen(msg) > 1000)
		return usage(argv[0]);
	memset(&server, 0, sizeof server);
	server.sin_family = AF_INET;
	server.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &server.sin_addr) != 1) {
		fprintf(stderr, "udp_echo_client: expected an IPv4 address, got %s\n", host);
		return 2;
	}

	/* udp_socket = socket(AF_INET, SOCK_DGRAM) */
	s = tt_socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		perror("udp_echo_client: socket");
		return 1;
	}
	/* No connection to make.  connect() on a UDP socket sends nothing:
	 * it only names the default peer (and lets ICMP errors through). */
	if (use_connect && tt_connect(s, (struct sockaddr *)&server, sizeof server) < 0) {
		fprintf(stderr, "udp_echo_client: connect to %s:%ld: %s\n", host, port, strerror(errno));
		return 1;
	}

	for (i = 1; i <= count; i++) {
		size_t len = write_letter(msg, i, (int)count, size);
		long deadline, left;
		ssize_t n;
		int got = 0, failed = 0;

		/* udp_socket.sendto(send_data, (server_ip, server_port)) */
		if (use_connect)
			n = tt_send(s, letter, len, 0);
		else
			n = tt_sendto(s, letter, len, 0, (struct sockaddr *)&server, sizeof server);
		if (n < 0) {
			printf("letter %d: not sent: %s\n", i, strerror(errno));
			fflush(stdout);
			continue;
		}
		/* Wait for an answer, at most `timeout` ms: nobody will tell
		 * us if the letter, or the answer, was lost. */
		deadline = now_ms() + timeout;
		while (!got && (left = deadline - now_ms()) > 0) {
			struct pollfd p = { .fd = s, .events = POLLIN };
			struct sockaddr_in from;
			socklen_t flen = sizeof from;
			char who[32];

			if (tt_poll(&p, 1, (int)left) <= 0)
				continue;
			/* recvData = udp_socket.recvfrom(65536) */
			n = tt_recvfrom(s, answer, sizeof answer, MSG_DONTWAIT,
					(struct sockaddr *)&from, &flen);
			if (n < 0) {
				if (errno == EAGAIN)
					continue;
				/* ECONNREFUSED: a connected socket hears of
				 * an ICMP port unreachable, once. */
				printf("letter %d: %s\n", i, strerror(errno));
				failed = 1;
				break;
			}
			snprintf(who, sizeof who, "%s:%u", inet_ntoa(from.sin_addr),
				 ntohs(from.sin_port));
			if (from.sin_addr.s_addr != server.sin_addr.s_addr ||
			    from.sin_port != server.sin_port) {
				printf("letter %d: a datagram from %s, not the server: ignored\n", i, who);
				continue;
			}
			got = 1;
			if (count > 1)
				printf("letter %d: ", i);
			if (printable(answer, (size_t)n))
				printf("接收到的数据为 (received from %s): %.*s\n", who, (int)n, answer);
			else
				printf("received %zd bytes from %s (%s)\n", n, who,
				       (size_t)n == len && memcmp(answer, letter, len) == 0 ?
				       "the letter itself, echoed" : "not the letter sent");
		}
		if (got)
			answered++;
		else if (!failed)
			printf("letter %d: no answer within %ld ms (lost, or nobody there)\n", i, timeout);
		fflush(stdout);
	}
	printf("answered: %d of %ld\n", answered, count);
	tt_close(s);	/* udp_socket.close() */
	return answered == count ? 0 : 1;
}
