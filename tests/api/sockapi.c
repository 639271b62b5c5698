/*
 * sockapi.c - the socket API against the Linux kernel: errors as the kernel
 * reports them, and tt_poll readiness.  Run by tests/integration/test_sockapi.sh
 * inside a network namespace with tun0 made by `tools/up.sh --no-app`: our
 * stack is 10.0.0.2; the peer is the kernel of the same namespace (10.0.0.1),
 * driven from this same program through its own sockets.
 *
 * Prints "ok - ..." / "not ok - ..." lines.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "socket.h"

static int failed;

static void check(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	if (!cond)
		failed = 1;
}

static void check_errno(int ret, int want, const char *what)
{
	char line[200];

	snprintf(line, sizeof line, "%s fails with %s (got %s)", what,
		 strerror(want), ret < 0 ? strerror(errno) : "success");
	check(ret < 0 && errno == want, line);
}

static struct sockaddr_in addr(const char *ip, int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

/* A kernel socket listening on 10.0.0.1:port. */
static int kernel_listener(int port)
{
	struct sockaddr_in a = addr("10.0.0.1", port);
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 8) < 0)
		perror("kernel listener");
	return s;
}

int main(void)
{
	struct sockaddr_in a, peer;
	socklen_t plen = sizeof peer;
	struct pollfd p;
	char buf[64];
	int s, s2, ks, kc, ls, n;
	struct linger lg = { 1, 0 };

	/* socket() */
	check_errno(tt_socket(AF_INET6, SOCK_STREAM, 0), EAFNOSUPPORT, "socket(AF_INET6)");
	s = tt_socket(AF_INET, SOCK_STREAM, 0);
	check(s >= 0, "socket(AF_INET, SOCK_STREAM) gives a descriptor");

	/* recv/shutdown before a connection */
	check_errno((int)tt_recv(s, buf, sizeof buf, 0), ENOTCONN, "recv() before connect()");
	check_errno(tt_shutdown(s, SHUT_WR), ENOTCONN, "shutdown() before connect()");
	check_errno((int)tt_recv(999, buf, sizeof buf, 0), EBADF, "recv() on a descriptor never opened");

	/* bind: a port taken */
	a = addr("0.0.0.0", 7000);
	check(tt_bind(s, (struct sockaddr *)&a, sizeof a) == 0, "bind() to port 7000");
	s2 = tt_socket(AF_INET, SOCK_STREAM, 0);
	check_errno(tt_bind(s2, (struct sockaddr *)&a, sizeof a), EADDRINUSE, "a second bind() to port 7000");
	a = addr("10.9.9.9", 7001);
	check_errno(tt_bind(s2, (struct sockaddr *)&a, sizeof a), EADDRNOTAVAIL, "bind() to an address not ours");
	tt_close(s2);

	/* connect: refused at once by the kernel's RST */
	a = addr("10.0.0.1", 7999);
	check_errno(tt_connect(s, (struct sockaddr *)&a, sizeof a), ECONNREFUSED, "connect() to a closed port");
	tt_close(s);

	/* connect to the kernel; poll readiness */
	ks = kernel_listener(7001);
	s = tt_socket(AF_INET, SOCK_STREAM, 0);
	a = addr("10.0.0.1", 7001);
	check(tt_connect(s, (struct sockaddr *)&a, sizeof a) == 0, "connect() to a kernel listener");
	kc = accept(ks, NULL, NULL);
	p = (struct pollfd){ .fd = s, .events = POLLIN | POLLOUT };
	n = tt_poll(&p, 1, 0);
	check(n == 1 && (p.revents & POLLOUT) && !(p.revents & POLLIN),
	      "poll(): writable, nothing to read yet");
	p = (struct pollfd){ .fd = s, .events = POLLIN };
	check(tt_poll(&p, 1, 100) == 0, "poll(POLLIN) times out with nothing to read");
	check(send(kc, "abc", 3, 0) == 3, "the kernel sends 3 bytes");
	p = (struct pollfd){ .fd = s, .events = POLLIN };
	check(tt_poll(&p, 1, 2000) == 1 && (p.revents & POLLIN), "poll(POLLIN) wakes when data arrives");
	n = (int)tt_recv(s, buf, sizeof buf, 0);
	check(n == 3 && memcmp(buf, "abc", 3) == 0, "recv() returns the 3 bytes");
	check(tt_send(s, "hello", 5, 0) == 5, "send() 5 bytes");
	n = (int)recv(kc, buf, sizeof buf, 0);
	check(n == 5 && memcmp(buf, "hello", 5) == 0, "the kernel receives them");
	close(kc);
	n = (int)tt_recv(s, buf, sizeof buf, 0);
	check(n == 0, "recv() returns 0 at the end of the stream (the kernel closed)");
	check(tt_shutdown(s, SHUT_WR) == 0, "shutdown(SHUT_WR)");
	check_errno((int)tt_send(s, "x", 1, 0), EPIPE, "send() after shutdown(SHUT_WR)");
	check(tt_close(s) == 0, "close()");
	check_errno(tt_close(s), EBADF, "a second close()");

	/* a reset from the kernel: ECONNRESET, then EPIPE */
	s = tt_socket(AF_INET, SOCK_STREAM, 0);
	check(tt_connect(s, (struct sockaddr *)&a, sizeof a) == 0, "connect() again");
	kc = accept(ks, NULL, NULL);
	setsockopt(kc, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(kc);		/* linger 0: the kernel sends RST */
	p = (struct pollfd){ .fd = s, .events = POLLIN };
	tt_poll(&p, 1, 2000);
	check(p.revents & (POLLERR | POLLHUP | POLLIN), "poll() reports the reset");
	check_errno((int)tt_recv(s, buf, sizeof buf, 0), ECONNRESET, "recv() after the kernel's RST");
	check_errno((int)tt_send(s, "x", 1, 0), EPIPE, "send() after the reset was reported");
	tt_close(s);
	close(ks);

	/* our listener; poll on it; accept gives the peer's address */
	ls = tt_socket(AF_INET, SOCK_STREAM, 0);
	a = addr("0.0.0.0", 7002);
	check(tt_bind(ls, (struct sockaddr *)&a, sizeof a) == 0 && tt_listen(ls, 4) == 0,
	      "bind() and listen() on port 7002");
	p = (struct pollfd){ .fd = ls, .events = POLLIN };
	check(tt_poll(&p, 1, 100) == 0, "poll() on the listener: nothing yet");
	kc = socket(AF_INET, SOCK_STREAM, 0);
	a = addr("10.0.0.2", 7002);
	check(connect(kc, (struct sockaddr *)&a, sizeof a) == 0, "the kernel connects to us");
	p = (struct pollfd){ .fd = ls, .events = POLLIN };
	check(tt_poll(&p, 1, 2000) == 1 && (p.revents & POLLIN), "poll() on the listener: a connection is ready");
	s = tt_accept(ls, (struct sockaddr *)&peer, &plen);
	check(s >= 0 && peer.sin_addr.s_addr == htonl(0x0a000001), "accept() names the peer 10.0.0.1");
	a = addr("0.0.0.0", 7002);
	s2 = tt_socket(AF_INET, SOCK_STREAM, 0);
	check_errno(tt_bind(s2, (struct sockaddr *)&a, sizeof a), EADDRINUSE, "bind() to a port with a listener");
	check(tt_getpeername(s, (struct sockaddr *)&peer, &plen) == 0 &&
	      ntohs(peer.sin_port) != 0, "getpeername()");
	close(kc);
	tt_close(s);
	tt_close(s2);
	tt_close(ls);
	return failed;
}
