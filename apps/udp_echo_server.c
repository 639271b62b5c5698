/*
 * udp_echo_server - the tutorial's server, posted as letters: UDP.
 *
 *   udp_echo_server [--echo] [PORT]          (PORT defaults to 7788)
 *
 * The TCP server (echo_server.c) listens, accepts a connection and talks
 * over it.  A UDP server has nothing to accept: socket, bind to port 7788
 * on any address, then for each datagram that arrives, print it and the
 * address it came from, and answer that address with "thank you!" - one
 * letter back for each letter received.  --echo sends each datagram back
 * as it came instead.  It runs until Ctrl-C.
 *
 * The same source runs on tuntcp (build/udp_echo_server) and on the
 * kernel's sockets (build/kernel/udp_echo_server); apps/sock.h is the
 * only difference.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sock.h"

int main(int argc, char **argv)
{
	/* The largest datagram IPv4 can carry: 65507 bytes of data. */
	static char buf[65536];
	struct sockaddr_in addr, from;
	int echo_mode = 0, port = 7788, s, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--echo") == 0) {
			echo_mode = 1;
		} else if (argv[i][0] != '-' && atoi(argv[i]) > 0 && atoi(argv[i]) < 65536) {
			port = atoi(argv[i]);
		} else {
			fprintf(stderr, "usage: %s [--echo] [PORT]\n", argv[0]);
			return 2;
		}
	}

	/* udp_socket = socket(AF_INET, SOCK_DGRAM) */
	s = tt_socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		perror("udp_echo_server: socket");
		return 1;
	}
	/* udp_socket.bind(('', 7788)) - and that is all: no listen(), no
	 * accept(), since there is no connection to wait for. */
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	addr.sin_port = htons((uint16_t)port);
	if (tt_bind(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
		perror("udp_echo_server: bind");
		return 1;
	}
	printf("udp_echo_server on %s: waiting for datagrams on port %d%s\n",
	       STACK_NAME, port, echo_mode ? " (echo mode)" : "");
	fflush(stdout);

	for (;;) {
		socklen_t len = sizeof from;
		char who[32];
		ssize_t n, sent;

		/* recv_data, dest_addr = udp_socket.recvfrom(65536) */
		n = tt_recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
		if (n < 0) {
			/* A connected socket could see ECONNREFUSED here; ours
			 * is not connected, so only a real failure ends up here. */
			perror("udp_echo_server: recvfrom");
			if (errno == EBADF || errno == ENODEV)
				return 1;
			continue;
		}
		snprintf(who, sizeof who, "%s:%u", inet_ntoa(from.sin_addr),
			 ntohs(from.sin_port));
		if (echo_mode) {
			sent = tt_sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
			if (sent < 0)
				fprintf(stderr, "udp_echo_server: sendto %s: %s\n", who, strerror(errno));
			else
				printf("echoed %zd bytes to %s\n", n, who);
		} else {
			printf("接收到的数据为 (received from %s): %.*s\n", who, (int)n, buf);
			/* udp_socket.sendto('thank you!', dest_addr) */
			if (tt_sendto(s, "thank you!", 10, 0, (struct sockaddr *)&from, len) < 0)
				fprintf(stderr, "udp_echo_server: sendto %s: %s\n", who, strerror(errno));
		}
		fflush(stdout);
	}
}
