/*
 * socket.c - the blocking socket API on top of tcp/tcp_user.c and
 * udp/udp.c.
 *
 * A socket is a slot in a table.  A stream socket (TCP) holds a control
 * block once it listens or connects, and before that the address bind()
 * gave it; a datagram socket (UDP) holds its udp_pcb from socket() on.
 * Every call runs under the runtime's lock; waiting is pthread_cond_wait
 * on the runtime's `changed`, which the runtime thread broadcasts after
 * each batch of packets and timers (and these calls after changing
 * anything).  Each entry point serves both kinds; where a datagram socket
 * needs its own code (dgram_connect, tt_sendto, tt_recvfrom, ...), that
 * code sits beside the stream socket's.
 */
#include "socket.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "runtime.h"
#include "tcp.h"
#include "udp.h"

#define MAX_SOCKETS 1024
#define FIRST_FD    3	/* looks like a descriptor, as the seed expects */

struct tt_sock {
	int used;
	int type;		/* SOCK_STREAM or SOCK_DGRAM */
	uint32_t sndbuf, rcvbuf;	/* SO_SNDBUF/SO_RCVBUF; 0: the default */
	int nodelay;			/* TCP_NODELAY */
	struct tcb *tcb;	/* stream: NULL until listen() or connect() */
	struct udp_pcb *udp;	/* datagram: from socket() to close() */
	uint32_t bound_addr;	/* stream, bind(): 0 = any of ours */
	uint16_t bound_port;	/* stream, bind(): 0 = not bound */
	int shut_rd;		/* shutdown(SHUT_RD): recv() returns 0 */
	int shut_wr;		/* datagram, shutdown(SHUT_WR): send() says EPIPE */
};

static struct tt_sock socks[MAX_SOCKETS];

/* Take the lock, with net->now fresh for the core. */
static struct runtime *enter(void)
{
	struct runtime *rt = runtime_get();

	if (!rt)
		return NULL;
	pthread_mutex_lock(&rt->lock);
	rt->net.now = runtime_now();
	return rt;
}

/* Tell everyone waiting that something changed, wake the runtime thread
 * so it sees new timers, and release the lock. */
static void leave_changed(struct runtime *rt)
{
	pthread_cond_broadcast(&rt->changed);
	pthread_mutex_unlock(&rt->lock);
	runtime_wake(rt);
}

/* Sleep until the runtime reports a change; net->now fresh afterwards. */
static void wait_change(struct runtime *rt)
{
	pthread_cond_wait(&rt->changed, &rt->lock);
	rt->net.now = runtime_now();
}

static struct tt_sock *lookup(int s)
{
	if (s < FIRST_FD || s >= FIRST_FD + MAX_SOCKETS || !socks[s - FIRST_FD].used)
		return NULL;
	return &socks[s - FIRST_FD];
}

static int fail(int err)
{
	errno = err;
	return -1;
}

static int fail_unlock(struct runtime *rt, int err)
{
	pthread_mutex_unlock(&rt->lock);
	return fail(err);
}

/* The type of socket `s` (SOCK_STREAM, SOCK_DGRAM), or 0 when there is no
 * such socket: which family of calls below serves it. */
static int sock_type(int s)
{
	struct runtime *rt = enter();
	struct tt_sock *so;
	int type;

	if (!rt)
		return 0;
	so = lookup(s);
	type = so ? so->type : 0;
	pthread_mutex_unlock(&rt->lock);
	return type;
}

/* A sockaddr_in from the caller, checked as Linux's UDP checks the
 * destination of sendto() (udp_sendmsg): long enough (EINVAL), AF_INET
 * (or AF_UNSPEC, read as AF_INET; else EAFNOSUPPORT), a port (EINVAL). */
static int dest_from(const struct sockaddr *addr, socklen_t len,
		     struct udp_dest *to)
{
	struct sockaddr_in sin;

	if (len < sizeof sin)
		return -EINVAL;
	memcpy(&sin, addr, sizeof sin);
	if (sin.sin_family != AF_INET && sin.sin_family != AF_UNSPEC)
		return -EAFNOSUPPORT;
	if (sin.sin_port == 0)
		return -EINVAL;
	to->addr = ntohl(sin.sin_addr.s_addr);
	to->port = ntohs(sin.sin_port);
	return 0;
}

static int new_slot(void)
{
	int i;

	for (i = 0; i < MAX_SOCKETS; i++) {
		if (!socks[i].used) {
			memset(&socks[i], 0, sizeof socks[i]);
			socks[i].used = 1;
			return i + FIRST_FD;
		}
	}
	return -1;
}

static void fill_addr(struct sockaddr *addr, socklen_t *len, uint32_t ip,
		      uint16_t port)
{
	struct sockaddr_in sin;

	if (!addr || !len)
		return;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(ip);
	sin.sin_port = htons(port);
	memcpy(addr, &sin, *len < sizeof sin ? *len : sizeof sin);
	*len = sizeof sin;
}

/* Is `port` taken by a listener or a bound socket (other than `self`)? */
static int port_taken(struct runtime *rt, uint16_t port, struct tt_sock *self)
{
	struct tcb *t;
	int i;

	for (t = rt->net.tcp->tcbs; t; t = t->next)
		if (t->state == TCP_LISTEN && t->local_port == port)
			return 1;
	for (i = 0; i < MAX_SOCKETS; i++)
		if (socks[i].used && &socks[i] != self && socks[i].bound_port == port)
			return 1;
	return 0;
}

/* Give a new block the socket's options. */
static void apply_options(struct runtime *rt, struct tt_sock *so, struct tcb *tcb)
{
	uint32_t snd = so->sndbuf ? so->sndbuf : rt->net.tcp->sndbuf_size;
	uint32_t rcv = so->rcvbuf ? so->rcvbuf : rt->net.tcp->rcvbuf_size;

	if (snd != tcb->sndbuf.cap || rcv != tcb_rcvbuf_size(tcb))
		tcb_set_buffers(tcb, snd, rcv);
	tcb->nodelay = (uint8_t)so->nodelay;
}

int tt_socket(int domain, int type, int protocol)
{
	struct runtime *rt;
	struct udp_pcb *pcb = NULL;
	int s;

	if (domain != AF_INET)
		return fail(EAFNOSUPPORT);
	type &= ~(SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (type == SOCK_STREAM) {
		if (protocol != 0 && protocol != IPPROTO_TCP)
			return fail(EPROTONOSUPPORT);
	} else if (type == SOCK_DGRAM) {
		if (protocol != 0 && protocol != IPPROTO_UDP)
			return fail(EPROTONOSUPPORT);
	} else {
		return fail(ESOCKTNOSUPPORT);	/* as Linux for SOCK_SEQPACKET */
	}
	rt = enter();
	if (!rt)
		return fail(ENODEV);	/* runtime_get() said why */
	s = new_slot();
	if (s < 0)
		return fail_unlock(rt, EMFILE);
	if (type == SOCK_DGRAM) {
		pcb = udp_pcb_new(&rt->net);
		if (!pcb) {
			socks[s - FIRST_FD].used = 0;
			return fail_unlock(rt, ENOBUFS);
		}
	}
	socks[s - FIRST_FD].type = type;
	socks[s - FIRST_FD].udp = pcb;
	pthread_mutex_unlock(&rt->lock);
	return s;
}

int tt_bind(int s, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_in sin;
	struct runtime *rt;
	struct tt_sock *so;
	uint32_t ip;
	uint16_t port;

	if (!addr || len < sizeof sin)
		return fail(EINVAL);
	memcpy(&sin, addr, sizeof sin);
	if (sin.sin_family != AF_INET)
		return fail(EAFNOSUPPORT);
	rt = enter();
	if (!rt)
		return fail(ENODEV);
	so = lookup(s);
	if (!so)
		return fail_unlock(rt, EBADF);
	ip = ntohl(sin.sin_addr.s_addr);
	port = ntohs(sin.sin_port);
	if (so->type == SOCK_DGRAM) {
		int err = udp_bind(&rt->net, so->udp, ip, port);

		pthread_mutex_unlock(&rt->lock);
		return err < 0 ? fail(-err) : 0;
	}
	if (so->bound_port || so->tcb)
		return fail_unlock(rt, EINVAL);
	if (ip != 0 && ip != rt->net.addr)
		return fail_unlock(rt, EADDRNOTAVAIL);
	if (port == 0)
		port = tcp_ephemeral_port(&rt->net);
	if (port == 0 || port_taken(rt, port, so))
		return fail_unlock(rt, EADDRINUSE);
	so->bound_addr = ip;
	so->bound_port = port;
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

int tt_listen(int s, int backlog)
{
	struct runtime *rt = enter();
	struct tt_sock *so;
	struct tcb *tcb;

	if (!rt)
		return fail(ENODEV);
	so = lookup(s);
	if (!so)
		return fail_unlock(rt, EBADF);
	if (so->type == SOCK_DGRAM)
		return fail_unlock(rt, EOPNOTSUPP);	/* no connections to wait for */
	if (so->tcb) {
		if (so->tcb->state == TCP_LISTEN) {	/* a new backlog */
			so->tcb->backlog = backlog < 1 ? 1 : backlog;
			pthread_mutex_unlock(&rt->lock);
			return 0;
		}
		return fail_unlock(rt, EINVAL);
	}
	if (!so->bound_port)
		so->bound_port = tcp_ephemeral_port(&rt->net);
	tcb = tcb_new(&rt->net, TCP_CLOSED);
	if (!tcb)
		return fail_unlock(rt, ENOBUFS);
	tcb->user = 1;
	so->tcb = tcb;
	apply_options(rt, so, tcb);
	tcp_user_listen(&rt->net, tcb, so->bound_addr, so->bound_port, backlog);
	leave_changed(rt);
	return 0;
}

int tt_accept(int s, struct sockaddr *addr, socklen_t *len)
{
	struct runtime *rt = enter();
	struct tt_sock *so;
	struct tcb *t;
	int ns;

	if (!rt)
		return fail(ENODEV);
	so = lookup(s);
	if (!so)
		return fail_unlock(rt, EBADF);
	if (so->type == SOCK_DGRAM)
		return fail_unlock(rt, EOPNOTSUPP);
	if (!so->tcb || so->tcb->state != TCP_LISTEN)
		return fail_unlock(rt, EINVAL);
	while (!so->tcb->accept_head) {
		wait_change(rt);
		if (!lookup(s) || !so->tcb || so->tcb->state != TCP_LISTEN)
			return fail_unlock(rt, EBADF);	/* closed meanwhile */
	}
	ns = new_slot();
	if (ns < 0)
		return fail_unlock(rt, EMFILE);
	t = tcp_user_accept(&rt->net, so->tcb);
	socks[ns - FIRST_FD].tcb = t;
	fill_addr(addr, len, t->remote_addr, t->remote_port);
	pthread_mutex_unlock(&rt->lock);
	return ns;
}

/* connect() on a datagram socket: no packet is sent, it only sets the
 * default peer (and filters what is received: udp_lookup()).  AF_UNSPEC
 * forgets the peer again (POSIX, and Linux's inet_dgram_connect). */
static int dgram_connect(int s, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_in sin;
	struct runtime *rt;
	struct tt_sock *so;
	sa_family_t family;
	int err;

	if (!addr || len < sizeof family)
		return fail(EINVAL);
	memcpy(&family, &addr->sa_family, sizeof family);
	rt = enter();
	if (!rt)
		return fail(ENODEV);
	so = lookup(s);
	if (!so || so->type != SOCK_DGRAM)
		return fail_unlock(rt, EBADF);
	if (family == AF_UNSPEC) {
		udp_disconnect(&rt->net, so->udp);
		pthread_mutex_unlock(&rt->lock);
		return 0;
	}
	if (len < sizeof(struct sockaddr_in))
		return fail_unlock(rt, EINVAL);
	if (family != AF_INET)
		return fail_unlock(rt, EAFNOSUPPORT);
	memcpy(&sin, addr, sizeof sin);
	err = udp_connect(&rt->net, so->udp, ntohl(sin.sin_addr.s_addr),
			  ntohs(sin.sin_port));
	pthread_mutex_unlock(&rt->lock);
	return err < 0 ? fail(-err) : 0;
}

int tt_connect(int s, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_in sin;
	struct runtime *rt;
	struct tt_sock *so;
	struct tcb *tcb;
	uint16_t lport;
	int err;

	if (sock_type(s) == SOCK_DGRAM)
		return dgram_connect(s, addr, len);
	if (!addr || len < sizeof sin)
		return fail(EINVAL);
	memcpy(&sin, addr, sizeof sin);
	if (sin.sin_family != AF_INET)
		return fail(EAFNOSUPPORT);
	if (sin.sin_port == 0 || sin.sin_addr.s_addr == 0)
		return fail(ECONNREFUSED);
	rt = enter();
	if (!rt)
		return fail(ENODEV);
	so = lookup(s);
	if (!so)
		return fail_unlock(rt, EBADF);
	if (so->tcb)
		return fail_unlock(rt, so->tcb->state == TCP_LISTEN ? EINVAL : EISCONN);
	lport = so->bound_port ? so->bound_port : tcp_ephemeral_port(&rt->net);
	tcb = tcb_new(&rt->net, TCP_CLOSED);
	if (!tcb)
		return fail_unlock(rt, ENOBUFS);
	tcb->user = 1;
	so->tcb = tcb;
	apply_options(rt, so, tcb);
	so->bound_port = 0;	/* the connection holds the port now */
	err = tcp_user_connect(&rt->net, tcb, ntohl(sin.sin_addr.s_addr),
			       ntohs(sin.sin_port), lport);
	if (err < 0) {
		so->tcb = NULL;
		tcb->user = 0;
		tcb_free(&rt->net, tcb);
		return fail_unlock(rt, -err);
	}
	pthread_cond_broadcast(&rt->changed);
	runtime_wake(rt);
	/* Wait for the handshake: ESTABLISHED, or a reset / timeout. */
	while (tcb->state == TCP_SYN_SENT || tcb->state == TCP_SYN_RECEIVED) {
		wait_change(rt);
		if (!lookup(s) || so->tcb != tcb)
			return fail_unlock(rt, EBADF);	/* closed meanwhile */
	}
	if (tcb->state == TCP_CLOSED) {
		err = tcb->error ? tcb->error : ECONNREFUSED;
		return fail_unlock(rt, err);
	}
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

ssize_t tt_send(int s, const void *buf, size_t len, int flags)
{
	const uint8_t *p = buf;
	struct runtime *rt;
	struct tt_sock *so;
	size_t done = 0;
	long n;

	if (sock_type(s) == SOCK_DGRAM)
		return tt_sendto(s, buf, len, flags, NULL, 0);
	/* flags: MSG_NOSIGNAL is how we always behave (no SIGPIPE). */
	rt = enter();
	if (!rt)
		return fail(ENODEV);
	so = lookup(s);
	if (!so)
		return fail_unlock(rt, EBADF);
	if (!so->tcb)
		return fail_unlock(rt, ENOTCONN);
	while (done < len) {
		n = tcp_user_send(&rt->net, so->tcb, p + done, len - done);
		if (n < 0) {
			if (done)
				break;	/* report what was sent; the error comes next time */
			pthread_cond_broadcast(&rt->changed);
			return fail_unlock(rt, (int)-n);
		}
		done += (size_t)n;
		if (done < len) {
			if (n)
				runtime_wake(rt);
			wait_change(rt);	/* for buffer space */
			if (!lookup(s) || !so->tcb)
				return fail_unlock(rt, EBADF);	/* closed meanwhile */
		}
	}
	leave_changed(rt);
	return (ssize_t)done;
}

ssize_t tt_recv(int s, void *buf, size_t len, int flags)
{
	struct runtime *rt;
	struct tt_sock *so;
	long n;

	if (sock_type(s) == SOCK_DGRAM)
		return tt_recvfrom(s, buf, len, flags, NULL, NULL);
	rt = enter();
	if (!rt)
		return fail(ENODEV);
	so = lookup(s);
	if (!so)
		return fail_unlock(rt, EBADF);
	if (!so->tcb || so->tcb->state == TCP_LISTEN)
		return fail_unlock(rt, ENOTCONN);
	if (so->shut_rd || len == 0) {
		pthread_mutex_unlock(&rt->lock);
		return 0;
	}
	while ((n = tcp_user_recv(&rt->net, so->tcb, buf, len)) == -EAGAIN) {
		if (flags & MSG_DONTWAIT)
			return fail_unlock(rt, EAGAIN);
		wait_change(rt);
		if (!lookup(s))
			return fail_unlock(rt, EBADF);
	}
	if (n < 0)
		return fail_unlock(rt, (int)-n);
	leave_changed(rt);
	return (ssize_t)n;
}

/* sendto() on a datagram socket: one datagram, sent at once or not at
 * all; it never waits (nothing is queued for sending).  The checks come
 * in the order Linux makes them (inet_sendmsg, udp_sendmsg), so the same
 * mistake gets the same errno. */
ssize_t tt_sendto(int s, const void *buf, size_t len, int flags,
		  const struct sockaddr *addr, socklen_t alen)
{
	struct runtime *rt;
	struct tt_sock *so;
	struct udp_dest to;
	long n;
	int err;

	if (sock_type(s) == SOCK_STREAM)
		return tt_send(s, buf, len, flags);	/* TCP ignores the address */
	rt = enter();
	if (!rt)
		return fail(ENODEV);
	so = lookup(s);
	if (!so)
		return fail_unlock(rt, EBADF);
	/* inet_sendmsg binds an unbound socket to an ephemeral port first,
	 * even if the send then fails. */
	err = udp_autobind(&rt->net, so->udp);
	if (err < 0)
		return fail_unlock(rt, -err);
	if (len > UDP_MAX_DATA)
		return fail_unlock(rt, EMSGSIZE);
	if (flags & MSG_OOB)
		return fail_unlock(rt, EOPNOTSUPP);	/* no urgent data in UDP */
	if (addr) {
		err = dest_from(addr, alen, &to);
		if (err < 0)
			return fail_unlock(rt, -err);
	}
	if (so->shut_wr)
		return fail_unlock(rt, EPIPE);
	n = udp_send(&rt->net, so->udp, addr ? &to : NULL, buf, len);
	pthread_mutex_unlock(&rt->lock);
	return n < 0 ? fail((int)-n) : (ssize_t)n;
}

/* recvfrom() on a datagram socket: one whole datagram per call, or what
 * of it fits in `len` bytes (the rest is lost; MSG_TRUNC returns its whole
 * length), as Linux's udp_recvmsg.  A 0-byte datagram returns 0. */
ssize_t tt_recvfrom(int s, void *buf, size_t len, int flags,
		    struct sockaddr *addr, socklen_t *alen)
{
	struct runtime *rt;
	struct tt_sock *so;
	struct udp_pcb *pcb;
	struct udp_dest from;
	long n;

	if (sock_type(s) == SOCK_STREAM) {
		/* TCP names no sender: Linux sets the length to 0. */
		ssize_t r = tt_recv(s, buf, len, flags);

		if (r >= 0 && addr && alen)
			*alen = 0;
		return r;
	}
	rt = enter();
	if (!rt)
		return fail(ENODEV);
	so = lookup(s);
	if (!so)
		return fail_unlock(rt, EBADF);
	pcb = so->udp;
	while ((n = udp_recv(&rt->net, pcb, buf, len, flags & MSG_PEEK,
			     &from)) == -EAGAIN) {
		if (so->shut_rd) {
			pthread_mutex_unlock(&rt->lock);
			return 0;	/* shut down, and nothing left */
		}
		if (flags & MSG_DONTWAIT)
			return fail_unlock(rt, EAGAIN);
		wait_change(rt);
		if (!lookup(s) || so->udp != pcb)
			return fail_unlock(rt, EBADF);	/* closed meanwhile */
	}
	if (n < 0)
		return fail_unlock(rt, (int)-n);
	fill_addr(addr, alen, from.addr, from.port);
	pthread_mutex_unlock(&rt->lock);
	if (!(flags & MSG_TRUNC) && (size_t)n > len)
		n = (long)len;
	return (ssize_t)n;
}

/* shutdown() on a datagram socket: Linux allows it on a connected one
 * (an unconnected one says ENOTCONN).  Nothing is sent: there is no FIN. */
static int dgram_shutdown(struct runtime *rt, struct tt_sock *so, int how)
{
	if (!so->udp->connected)
		return fail_unlock(rt, ENOTCONN);
	if (how != SHUT_WR)
		so->shut_rd = 1;
	if (how != SHUT_RD)
		so->shut_wr = 1;
	leave_changed(rt);	/* a recv() waiting returns 0 */
	return 0;
}

int tt_shutdown(int s, int how)
{
	struct runtime *rt = enter();
	struct tt_sock *so;
	int err = 0;

	if (!rt)
		return fail(ENODEV);
	so = lookup(s);
	if (!so)
		return fail_unlock(rt, EBADF);
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return fail_unlock(rt, EINVAL);
	if (so->type == SOCK_DGRAM)
		return dgram_shutdown(rt, so, how);
	if (!so->tcb || so->tcb->state == TCP_LISTEN ||
	    so->tcb->state == TCP_CLOSED || so->tcb->state == TCP_SYN_SENT)
		return fail_unlock(rt, ENOTCONN);
	if (how != SHUT_WR)
		so->shut_rd = 1;
	if (how != SHUT_RD)
		err = tcp_user_shutdown(&rt->net, so->tcb);
	leave_changed(rt);
	return err < 0 ? fail(-err) : 0;
}

int tt_close(int s)
{
	struct runtime *rt = enter();
	struct tt_sock *so;

	if (!rt)
		return fail(ENODEV);
	so = lookup(s);
	if (!so)
		return fail_unlock(rt, EBADF);
	if (so->tcb)
		tcp_user_close(&rt->net, so->tcb);
	if (so->udp)
		udp_pcb_free(&rt->net, so->udp);	/* its queue goes with it */
	memset(so, 0, sizeof *so);
	leave_changed(rt);
	return 0;
}

/* The options of a datagram socket, applied at once to its pcb. */
static int dgram_setsockopt(struct tt_sock *so, int level, int name, int v)
{
	if (level != SOL_SOCKET)
		return -ENOPROTOOPT;	/* Linux: TCP_NODELAY on UDP, too */
	switch (name) {
	case SO_REUSEADDR:
		so->udp->reuse = v != 0;	/* both sockets must set it */
		return 0;
	case SO_REUSEPORT:
		return 0;	/* accepted; ports are shared only by SO_REUSEADDR */
	case SO_BROADCAST:
		so->udp->broadcast = v != 0;
		return 0;
	case SO_SNDBUF:
	case SO_RCVBUF:
		/* The same bounds as a stream socket's (Linux would clamp and
		 * double instead).  A smaller SO_RCVBUF keeps what is queued
		 * and refuses what comes next. */
		if (v < 1024 || v > (64 << 20))
			return -EINVAL;
		if (name == SO_SNDBUF)
			so->udp->sndbuf = (uint32_t)v;
		else
			so->udp->rcvbuf = (uint32_t)v;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int tt_setsockopt(int s, int level, int name, const void *val, socklen_t len)
{
	struct runtime *rt = enter();
	struct tt_sock *so;
	int v = 0;

	if (!rt)
		return fail(ENODEV);
	so = lookup(s);
	if (!so)
		return fail_unlock(rt, EBADF);
	if (!val || len < sizeof v)
		return fail_unlock(rt, EINVAL);
	memcpy(&v, val, sizeof v);
	if (so->type == SOCK_DGRAM) {
		int err = dgram_setsockopt(so, level, name, v);

		pthread_mutex_unlock(&rt->lock);
		return err < 0 ? fail(-err) : 0;
	}
	if (level == SOL_SOCKET && (name == SO_REUSEADDR || name == SO_REUSEPORT)) {
		/* Accepted, and already how we behave: see socket.h. */
	} else if (level == SOL_SOCKET && name == SO_BROADCAST) {
		/* Accepted and without effect, as on Linux's TCP. */
	} else if (level == IPPROTO_TCP && name == TCP_NODELAY) {
		so->nodelay = v != 0;
		if (so->tcb)
			so->tcb->nodelay = (uint8_t)(v != 0);
	} else if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_RCVBUF)) {
		/* Sizes apply to connections made after this call. */
		if (v < 1024 || v > (64 << 20))
			return fail_unlock(rt, EINVAL);
		if (name == SO_SNDBUF)
			so->sndbuf = (uint32_t)v;
		else
			so->rcvbuf = (uint32_t)v;
		if (so->tcb && so->tcb->state == TCP_LISTEN)
			apply_options(rt, so, so->tcb);
	} else {
		return fail_unlock(rt, ENOPROTOOPT);
	}
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

static int sock_name(int s, struct sockaddr *addr, socklen_t *len, int peer)
{
	struct runtime *rt = enter();
	struct tt_sock *so;

	if (!rt)
		return fail(ENODEV);
	so = lookup(s);
	if (!so)
		return fail_unlock(rt, EBADF);
	if (so->type == SOCK_DGRAM) {
		struct udp_pcb *u = so->udp;

		if (peer && !u->connected)
			return fail_unlock(rt, ENOTCONN);
		if (peer)
			fill_addr(addr, len, u->remote_addr, u->remote_port);
		else
			fill_addr(addr, len, u->local_addr, u->local_port);
		pthread_mutex_unlock(&rt->lock);
		return 0;
	}
	if (peer) {
		if (!so->tcb || so->tcb->state == TCP_LISTEN ||
		    so->tcb->state == TCP_CLOSED)
			return fail_unlock(rt, ENOTCONN);
		fill_addr(addr, len, so->tcb->remote_addr, so->tcb->remote_port);
	} else if (so->tcb) {
		fill_addr(addr, len, so->tcb->local_addr, so->tcb->local_port);
	} else {
		fill_addr(addr, len, so->bound_addr, so->bound_port);
	}
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

int tt_getsockname(int s, struct sockaddr *addr, socklen_t *len)
{
	return sock_name(s, addr, len, 0);
}

int tt_getpeername(int s, struct sockaddr *addr, socklen_t *len)
{
	return sock_name(s, addr, len, 1);
}

/* What poll() would say of a datagram socket now (Linux's datagram_poll):
 * readable when a datagram waits (or reading was shut down), always
 * writable, an error when one is pending. */
static short dgram_readiness(struct tt_sock *so, short events)
{
	const struct udp_pcb *u = so->udp;
	short r = POLLOUT;

	if (u->rcv_count || so->shut_rd)
		r |= POLLIN;
	if (u->error)
		r |= POLLERR;
	if (so->shut_rd && so->shut_wr)
		r |= POLLHUP;
	return (short)(r & (events | POLLERR | POLLHUP));
}

/* What poll() would say of one socket now. */
static short readiness(struct tt_sock *so, short events)
{
	struct tcb *t = so ? so->tcb : NULL;
	short r = 0;

	if (!so)
		return POLLNVAL;
	if (so->type == SOCK_DGRAM)
		return dgram_readiness(so, events);
	if (!t)
		return (short)(events & POLLOUT ? POLLOUT : 0) | POLLHUP;
	if (t->state == TCP_LISTEN)
		return t->accept_head ? (short)(events & POLLIN) : 0;
	if (t->rcvbuf.len || t->fin_received || t->error || t->state == TCP_CLOSED)
		r |= POLLIN;
	if ((t->state == TCP_ESTABLISHED || t->state == TCP_CLOSE_WAIT) &&
	    !t->fin_queued && rb_space(&t->sndbuf) > 0)
		r |= POLLOUT;
	if (t->error)
		r |= POLLERR;
	if (t->state == TCP_CLOSED)
		r |= POLLHUP;
	return (short)(r & (events | POLLERR | POLLHUP));
}

int tt_poll(struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
	struct runtime *rt = enter();
	struct timespec until;
	nfds_t i;
	int ready;

	if (!rt)
		return fail(ENODEV);
	if (timeout_ms > 0) {
		clock_gettime(CLOCK_REALTIME, &until);	/* the condvar's clock */
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
	}
	for (;;) {
		ready = 0;
		for (i = 0; i < nfds; i++) {
			fds[i].revents = fds[i].fd < 0 ? 0 :
				readiness(lookup(fds[i].fd), fds[i].events);
			if (fds[i].revents)
				ready++;
		}
		if (ready || timeout_ms == 0)
			break;
		if (timeout_ms < 0) {
			pthread_cond_wait(&rt->changed, &rt->lock);
		} else if (pthread_cond_timedwait(&rt->changed, &rt->lock, &until) ==
			   ETIMEDOUT) {
			timeout_ms = 0;	/* one last look, then return */
		}
	}
	pthread_mutex_unlock(&rt->lock);
	return ready;
}
