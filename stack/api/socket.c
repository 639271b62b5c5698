/*
 * socket.c - the blocking socket API on top of tcp/tcp_user.c.
 *
 * A socket is a slot in a table: a control block once it listens or
 * connects, and before that the address bind() gave it.  Every call runs
 * under the runtime's lock; waiting is pthread_cond_wait on the runtime's
 * `changed`, which the runtime thread broadcasts after each batch of
 * packets and timers (and these calls after changing anything).
 */
#include "socket.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "runtime.h"
#include "tcp.h"

#define MAX_SOCKETS 1024
#define FIRST_FD    3	/* looks like a descriptor, as the seed expects */

struct tt_sock {
	int used;
	uint32_t sndbuf, rcvbuf;	/* SO_SNDBUF/SO_RCVBUF; 0: the default */
	int nodelay;			/* TCP_NODELAY */
	struct tcb *tcb;	/* NULL until listen() or connect() */
	uint32_t bound_addr;	/* bind(): 0 = any of ours */
	uint16_t bound_port;	/* bind(): 0 = not bound */
	int shut_rd;		/* shutdown(SHUT_RD): recv() returns 0 */
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
	int s;

	if (domain != AF_INET)
		return fail(EAFNOSUPPORT);
	if ((type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) != SOCK_STREAM)
		return fail(EPROTONOSUPPORT);
	if (protocol != 0 && protocol != IPPROTO_TCP)
		return fail(EPROTONOSUPPORT);
	rt = enter();
	if (!rt)
		return fail(ENODEV);	/* runtime_get() said why */
	s = new_slot();
	pthread_mutex_unlock(&rt->lock);
	return s < 0 ? fail(EMFILE) : s;
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
	if (so->bound_port || so->tcb)
		return fail_unlock(rt, EINVAL);
	ip = ntohl(sin.sin_addr.s_addr);
	port = ntohs(sin.sin_port);
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

int tt_connect(int s, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_in sin;
	struct runtime *rt;
	struct tt_sock *so;
	struct tcb *tcb;
	uint16_t lport;
	int err;

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
	struct runtime *rt = enter();
	struct tt_sock *so;
	size_t done = 0;
	long n;

	(void)flags;		/* MSG_NOSIGNAL: we never raise SIGPIPE */
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
	struct runtime *rt = enter();
	struct tt_sock *so;
	long n;

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
	memset(so, 0, sizeof *so);
	leave_changed(rt);
	return 0;
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
	if (level == SOL_SOCKET && (name == SO_REUSEADDR || name == SO_REUSEPORT)) {
		/* Accepted, and already how we behave: see socket.h. */
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

/* What poll() would say of one socket now. */
static short readiness(struct tt_sock *so, short events)
{
	struct tcb *t = so ? so->tcb : NULL;
	short r = 0;

	if (!so)
		return POLLNVAL;
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
