/*
 * sockapi.c - the socket API against the Linux kernel: errors as the kernel
 * reports them, and tt_poll readiness.  Run by tests/integration/test_sockapi.sh
 * inside a network namespace with tun0 made by `tools/up.sh --no-app`: our
 * stack is 10.0.0.2; the peer is the kernel of the same namespace (10.0.0.1),
 * driven from this same program through its own sockets.
 *
 * TCP's part checks our errors against the ones the kernel is known to give.
 * UDP's part plays one script twice, on the kernel's sockets and on ours
 * (struct api: the same calls through a table), and compares every result:
 * the same return value and the same errno, which must also be the one the
 * script expects.
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

/* ---------------------------------------------------------------------
 * UDP: one script, on the kernel's sockets and on ours
 * ------------------------------------------------------------------- */

/* The calls of one socket API. */
struct api {
	const char *name;
	const char *self;	/* the address its sockets have */
	int peer_port;		/* the kernel socket that talks to them */
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	int (*shutdown)(int, int);
	int (*close)(int);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*poll)(struct pollfd *, nfds_t, int);
};

static const struct api kernel_api = {
	"the kernel", "10.0.0.1", 7100, socket, bind, connect, listen, send,
	recv, sendto, recvfrom, shutdown, close, setsockopt, getsockname,
	getpeername, poll,
};

static const struct api our_api = {
	"tuntcp", "10.0.0.2", 7101, tt_socket, tt_bind, tt_connect, tt_listen,
	tt_send, tt_recv, tt_sendto, tt_recvfrom, tt_shutdown, tt_close,
	tt_setsockopt, tt_getsockname, tt_getpeername, tt_poll,
};

#define MAX_STEPS 64

/* What each step of the script gave: its name, what it should give (a
 * return value, or -errno), and what it gave. */
struct script {
	int n;
	const char *what[MAX_STEPS];
	long want[MAX_STEPS];
	long got[MAX_STEPS];
};

/* step(sc, "what", want, value): record a call's result; a negative
 * value means it failed, and errno says why (recorded as -errno). */
static void step(struct script *sc, const char *what, long want, long ret)
{
	int i = sc->n++;

	if (i >= MAX_STEPS) {
		check(0, "the script has too many steps");
		return;
	}
	sc->what[i] = what;
	sc->want[i] = want;
	sc->got[i] = ret < 0 ? -(long)errno : ret;
}

static int is_addr(const struct sockaddr_in *a, const char *ip, int port)
{
	struct sockaddr_in want = addr(ip, port);

	return a->sin_family == AF_INET && a->sin_addr.s_addr == want.sin_addr.s_addr &&
	       (port < 0 || a->sin_port == want.sin_port);
}

/* Wait (at most 2 s) until `s` has a datagram; 1 when it does. */
static int readable(const struct api *a, int s)
{
	struct pollfd p = { .fd = s, .events = POLLIN };

	return a->poll(&p, 1, 2000) == 1 && (p.revents & POLLIN);
}

/* The kernel's peer sends a datagram to `to`. */
static void peer_says(int peer, const struct sockaddr_in *to, const char *text,
		      size_t len)
{
	if (sendto(peer, text, len, 0, (const struct sockaddr *)to, sizeof *to) != (ssize_t)len)
		perror("the kernel's peer: sendto");
}

static void udp_script(const struct api *a, struct script *sc)
{
	struct sockaddr_in me, them, got, bcast = addr("255.255.255.255", 9);
	struct sockaddr_in peer_addr = addr("10.0.0.1", a->peer_port), v6;
	static char big[65508];
	socklen_t len;
	char buf[64];
	int s, u, b, peer, stranger, one = 1, port;
	struct pollfd p;
	long n;

	peer = socket(AF_INET, SOCK_DGRAM, 0);
	stranger = socket(AF_INET, SOCK_DGRAM, 0);
	if (bind(peer, (struct sockaddr *)&peer_addr, sizeof peer_addr) < 0)
		perror("the kernel's peer: bind");

	step(sc, "socket(SOCK_DGRAM, IPPROTO_TCP)", -EPROTONOSUPPORT,
	     a->socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
	step(sc, "socket(SOCK_SEQPACKET)", -ESOCKTNOSUPPORT,
	     a->socket(AF_INET, SOCK_SEQPACKET, 0));
	s = a->socket(AF_INET, SOCK_DGRAM, 0);
	step(sc, "socket(AF_INET, SOCK_DGRAM) gives a descriptor", 1, s >= 0);
	len = sizeof got;
	step(sc, "getsockname() before bind(): 0.0.0.0:0", 1,
	     a->getsockname(s, (struct sockaddr *)&got, &len) == 0 && is_addr(&got, "0.0.0.0", 0));
	step(sc, "getpeername() when not connected", -ENOTCONN,
	     a->getpeername(s, (struct sockaddr *)&got, &len));
	step(sc, "recv(MSG_DONTWAIT) with nothing queued", -EAGAIN,
	     a->recv(s, buf, sizeof buf, MSG_DONTWAIT));
	u = a->socket(AF_INET, SOCK_DGRAM, 0);
	step(sc, "send() without an address, not connected", -EDESTADDRREQ,
	     a->send(u, "x", 1, 0));
	len = sizeof got;
	step(sc, "... yet it bound the socket to an ephemeral port", 1,
	     a->getsockname(u, (struct sockaddr *)&got, &len) == 0 && got.sin_port != 0);
	a->close(u);

	/* bind(): port 0 picks one */
	me = addr("0.0.0.0", 0);
	step(sc, "bind(0.0.0.0:0)", 0, a->bind(s, (struct sockaddr *)&me, sizeof me));
	len = sizeof got;
	step(sc, "getsockname() after bind() to port 0: an ephemeral port", 1,
	     a->getsockname(s, (struct sockaddr *)&got, &len) == 0 &&
	     is_addr(&got, "0.0.0.0", -1) && got.sin_port != 0);
	port = ntohs(got.sin_port);
	step(sc, "bind() a second time", -EINVAL, a->bind(s, (struct sockaddr *)&me, sizeof me));
	u = a->socket(AF_INET, SOCK_DGRAM, 0);
	me = addr("0.0.0.0", port);
	step(sc, "another socket bind()s the same port", -EADDRINUSE,
	     a->bind(u, (struct sockaddr *)&me, sizeof me));
	a->setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	a->setsockopt(u, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	step(sc, "... it may, when both set SO_REUSEADDR", 0,
	     a->bind(u, (struct sockaddr *)&me, sizeof me));
	a->close(u);

	/* sendto(): what is refused */
	them = addr("10.0.0.1", a->peer_port);
	step(sc, "sendto() 65508 bytes (one more than IPv4 carries)", -EMSGSIZE,
	     a->sendto(s, big, sizeof big, 0, (struct sockaddr *)&them, sizeof them));
	step(sc, "sendto() port 0", -EINVAL,
	     a->sendto(s, "x", 1, 0, (struct sockaddr *)&(struct sockaddr_in){
			     .sin_family = AF_INET, .sin_addr = them.sin_addr }, sizeof them));
	step(sc, "sendto() with an address too short", -EINVAL,
	     a->sendto(s, "x", 1, 0, (struct sockaddr *)&them, 8));
	v6 = them;
	v6.sin_family = AF_INET6;
	step(sc, "sendto() an address of family AF_INET6", -EAFNOSUPPORT,
	     a->sendto(s, "x", 1, 0, (struct sockaddr *)&v6, sizeof v6));
	step(sc, "sendto(MSG_OOB)", -EOPNOTSUPP,
	     a->sendto(s, "x", 1, MSG_OOB, (struct sockaddr *)&them, sizeof them));
	b = a->socket(AF_INET, SOCK_DGRAM, 0);
	me = addr(a->self, 0);
	a->bind(b, (struct sockaddr *)&me, sizeof me);
	step(sc, "sendto(255.255.255.255) without SO_BROADCAST", -EACCES,
	     a->sendto(b, "x", 1, 0, (struct sockaddr *)&bcast, sizeof bcast));
	a->setsockopt(b, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
	step(sc, "sendto(255.255.255.255) with SO_BROADCAST", 1,
	     a->sendto(b, "x", 1, 0, (struct sockaddr *)&bcast, sizeof bcast));
	a->close(b);

	/* Readiness, and message boundaries: three datagrams, three reads */
	p = (struct pollfd){ .fd = s, .events = POLLIN | POLLOUT };
	step(sc, "poll(): writable, nothing to read", POLLOUT,
	     a->poll(&p, 1, 0) == 1 ? p.revents : -1);
	me = addr(a->self, port);
	peer_says(peer, &me, "one", 3);
	peer_says(peer, &me, "two", 3);
	peer_says(peer, &me, "three", 5);
	step(sc, "poll(): POLLIN when a datagram waits", 1, readable(a, s));
	step(sc, "recv() takes one datagram: \"one\"", 3, a->recv(s, buf, sizeof buf, 0));
	step(sc, "... \"two\"", 3, readable(a, s) ? a->recv(s, buf, sizeof buf, 0) : -99);
	n = readable(a, s) ? a->recv(s, buf, sizeof buf, 0) : -99;
	step(sc, "... \"three\": message boundaries kept", 5, n == 5 && !memcmp(buf, "three", 5) ? 5 : n);

	/* A buffer too short: the rest of the datagram is gone */
	peer_says(peer, &me, "abcdefghij", 10);
	peer_says(peer, &me, "next", 4);
	n = readable(a, s) ? a->recv(s, buf, 4, 0) : -99;
	step(sc, "recv() of a 10-byte datagram into 4 bytes returns 4", 4, n);
	n = readable(a, s) ? a->recv(s, buf, sizeof buf, 0) : -99;
	step(sc, "... and the next recv() is the next datagram", 4,
	     n == 4 && !memcmp(buf, "next", 4) ? 4 : n);
	peer_says(peer, &me, "abcdefghij", 10);
	step(sc, "recv(MSG_TRUNC) into 4 bytes returns the whole length", 10,
	     readable(a, s) ? a->recv(s, buf, 4, MSG_TRUNC) : -99);
	peer_says(peer, &me, "peek", 4);
	step(sc, "recv(MSG_PEEK) leaves the datagram", 4,
	     readable(a, s) ? a->recv(s, buf, sizeof buf, MSG_PEEK) : -99);
	step(sc, "... for the next recv()", 4, a->recv(s, buf, sizeof buf, MSG_DONTWAIT));

	/* Empty datagrams, both ways */
	peer_says(peer, &me, "", 0);
	step(sc, "recv() of a 0-byte datagram returns 0", 0,
	     readable(a, s) ? a->recv(s, buf, sizeof buf, 0) : -99);
	step(sc, "sendto() a 0-byte datagram", 0,
	     a->sendto(s, "", 0, 0, (struct sockaddr *)&them, sizeof them));
	step(sc, "... the kernel's peer receives 0 bytes", 0,
	     readable(&kernel_api, peer) ? recv(peer, buf, sizeof buf, 0) : -99);

	/* Who sent it, and who we are to the peer */
	peer_says(peer, &me, "hi", 2);
	len = sizeof got;
	n = readable(a, s) ? a->recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&got, &len) : -99;
	step(sc, "recvfrom() names the sender", 1,
	     n == 2 && len == sizeof got && is_addr(&got, "10.0.0.1", a->peer_port));
	step(sc, "sendto() \"hello\"", 5,
	     a->sendto(s, "hello", 5, 0, (struct sockaddr *)&them, sizeof them));
	len = sizeof got;
	n = readable(&kernel_api, peer) ?
	    recvfrom(peer, buf, sizeof buf, 0, (struct sockaddr *)&got, &len) : -99;
	step(sc, "... the peer receives it from our address and port", 1,
	     n == 5 && !memcmp(buf, "hello", 5) && is_addr(&got, a->self, port));

	/* connect(): a default peer, and a filter */
	step(sc, "connect() to the peer", 0, a->connect(s, (struct sockaddr *)&them, sizeof them));
	len = sizeof got;
	step(sc, "getpeername() names it", 1,
	     a->getpeername(s, (struct sockaddr *)&got, &len) == 0 &&
	     is_addr(&got, "10.0.0.1", a->peer_port));
	len = sizeof got;
	step(sc, "getsockname(): the address is now ours", 1,
	     a->getsockname(s, (struct sockaddr *)&got, &len) == 0 && is_addr(&got, a->self, port));
	peer_says(stranger, &me, "stranger", 8);
	peer_says(peer, &me, "friend", 6);
	n = readable(a, s) ? a->recv(s, buf, sizeof buf, 0) : -99;
	step(sc, "only the peer's datagrams are received", 6,
	     n == 6 && !memcmp(buf, "friend", 6) ? 6 : n);
	step(sc, "send() to the peer without an address", 1, a->send(s, "x", 1, 0));
	step(sc, "... it arrives", 1, readable(&kernel_api, peer) ? recv(peer, buf, sizeof buf, 0) : -99);
	step(sc, "connect(AF_UNSPEC) forgets the peer", 0,
	     a->connect(s, (struct sockaddr *)&(struct sockaddr_in){ .sin_family = AF_UNSPEC },
			sizeof(struct sockaddr_in)));
	step(sc, "... getpeername()", -ENOTCONN, a->getpeername(s, (struct sockaddr *)&got, &len));
	len = sizeof got;
	step(sc, "... getsockname(): 0.0.0.0:0, as bind() named no port", 1,
	     a->getsockname(s, (struct sockaddr *)&got, &len) == 0 && is_addr(&got, "0.0.0.0", 0));
	step(sc, "... send() without an address", -EDESTADDRREQ, a->send(s, "x", 1, 0));

	/* What a datagram socket does not do */
	step(sc, "listen()", -EOPNOTSUPP, a->listen(s, 1));
	step(sc, "shutdown() when not connected", -ENOTCONN, a->shutdown(s, SHUT_RD));
	step(sc, "setsockopt(TCP_NODELAY)", -ENOPROTOOPT,
	     a->setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
	step(sc, "close()", 0, a->close(s));
	step(sc, "close() again", -EBADF, a->close(s));
	close(peer);
	close(stranger);
}

static void udp_against_the_kernel(void)
{
	static struct script k, o;
	char line[300], kv[64], ov[64];
	int i;

	udp_script(&kernel_api, &k);
	udp_script(&our_api, &o);
	check(k.n == o.n, "UDP: both runs of the script took the same steps");
	for (i = 0; i < k.n && i < o.n; i++) {
		if (k.got[i] < 0)
			snprintf(kv, sizeof kv, "%s", strerror((int)-k.got[i]));
		else
			snprintf(kv, sizeof kv, "%ld", k.got[i]);
		if (o.got[i] < 0)
			snprintf(ov, sizeof ov, "%s", strerror((int)-o.got[i]));
		else
			snprintf(ov, sizeof ov, "%ld", o.got[i]);
		snprintf(line, sizeof line, "UDP: %s: tuntcp %s, the kernel %s", o.what[i], ov, kv);
		check(o.got[i] == k.got[i] && k.got[i] == k.want[i], line);
	}
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

	udp_against_the_kernel();
	return failed;
}
