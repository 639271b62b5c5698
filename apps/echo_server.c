/*
 * echo_server - the tutorial's TCP server, in C.
 *
 *   echo_server [--once] [--echo] [PORT]      (PORT defaults to 7788)
 *
 * As in the seed: socket, bind to port 7788 on any address, listen(128);
 * for each client accept, receive up to 1024 bytes, print them, reply
 * "thank you!", close that client's socket.  It serves clients until
 * Ctrl-C, each in a thread of its own; --once serves one client and exits,
 * exactly like the seed.  --echo instead sends back everything it
 * receives until the client closes.
 *
 * The same source runs on tuntcp (build/echo_server) and on the kernel's
 * sockets (build/kernel/echo_server); apps/sock.h is the only difference.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sock.h"

static int echo_mode;

struct client {
	int sock;
	struct sockaddr_in addr;
};

/* Send all of buf (send may take less than asked). */
static int send_all(int s, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = tt_send(s, buf, len, MSG_NOSIGNAL);

		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void serve(struct client *c)
{
	char buf[1024], who[32];
	ssize_t n;

	snprintf(who, sizeof who, "%s:%u", inet_ntoa(c->addr.sin_addr),
		 ntohs(c->addr.sin_port));
	if (echo_mode) {
		size_t total = 0;

		while ((n = tt_recv(c->sock, buf, sizeof buf, 0)) > 0) {
			if (send_all(c->sock, buf, (size_t)n) < 0) {
				fprintf(stderr, "echo_server: send to %s: %s\n", who, strerror(errno));
				break;
			}
			total += (size_t)n;
		}
		if (n < 0)
			fprintf(stderr, "echo_server: recv from %s: %s\n", who, strerror(errno));
		printf("echoed %zu bytes to %s\n", total, who);
	} else {
		/* recv_data = client_socket.recv(1024) */
		n = tt_recv(c->sock, buf, sizeof buf, 0);
		if (n < 0) {
			fprintf(stderr, "echo_server: recv from %s: %s\n", who, strerror(errno));
		} else {
			printf("接收到的数据为 (received from %s): %.*s\n", who, (int)n, buf);
			/* client_socket.send('thank you!') */
			if (send_all(c->sock, "thank you!", 10) < 0)
				fprintf(stderr, "echo_server: send to %s: %s\n", who, strerror(errno));
		}
	}
	fflush(stdout);
	tt_close(c->sock);	/* client_socket.close() */
	free(c);
}

static void *serve_thread(void *arg)
{
	serve(arg);
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr;
	int once = 0, port = 7788, s, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0) {
			once = 1;
		} else if (strcmp(argv[i], "--echo") == 0) {
			echo_mode = 1;
		} else if (argv[i][0] != '-' && atoi(argv[i]) > 0 && atoi(argv[i]) < 65536) {
			port = atoi(argv[i]);
		} else {
			fprintf(stderr, "usage: %s [--once] [--echo] [PORT]\n", argv[0]);
			return 2;
		}
	}

	/* tcp_server_socket = socket(AF_INET, SOCK_STREAM) */
	s = tt_socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0) {
		perror("echo_server: socket");
		return 1;
	}
	/* tcp_server_socket.bind(('', 7788)) */
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	addr.sin_port = htons((uint16_t)port);
	if (tt_bind(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
		perror("echo_server: bind");
		return 1;
	}
	/* tcp_server_socket.listen(128) */
	if (tt_listen(s, 128) < 0) {
		perror("echo_server: listen");
		return 1;
	}
	printf("echo_server on %s: listening on port %d%s\n", STACK_NAME, port,
	       echo_mode ? " (echo mode)" : "");
	fflush(stdout);

	for (;;) {
		struct client *c = calloc(1, sizeof *c);
		socklen_t len = sizeof c->addr;
		pthread_t t;

		if (!c)
			return 1;
		/* client_socket, clientAddr = tcp_server_socket.accept() */
		c->sock = tt_accept(s, (struct sockaddr *)&c->addr, &len);
		if (c->sock < 0) {
			perror("echo_server: accept");
			free(c);
			continue;
		}
		if (once) {
			serve(c);
			break;
		}
		if (pthread_create(&t, NULL, serve_thread, c) != 0) {
			serve(c);
			continue;
		}
		pthread_detach(t);
	}
	tt_close(s);	/* tcp_server_socket.close() */
	return 0;
}
