/*
 * socket.h - a socket-like API over tuntcp: the calls of the Berkeley
 * sockets the seed's programs use, with the same arguments, results and
 * errno values, so one program runs on this stack or on the kernel's
 * sockets (see apps/sock.h).
 *
 * Read this first: each call takes the runtime's lock, asks the TCP core
 * (tcp/tcp_user.c) or the UDP core (udp/udp.c) to do what it can now, and
 * when it must wait (for a connection, data, buffer space, a datagram)
 * sleeps on the runtime's condition variable until the runtime thread has
 * processed more packets or timers.  Blocking and thread-safe: one thread
 * per connection, as in the seed.
 *
 * Two kinds of socket: AF_INET with SOCK_STREAM (TCP, the phone call) or
 * SOCK_DGRAM (UDP, the letter).  A datagram socket keeps message
 * boundaries: each recv() returns one datagram, cut to the buffer (the rest
 * is lost; MSG_TRUNC returns the whole length), and a send() of more than
 * 65507 bytes fails with EMSGSIZE.  connect() on it sets a default peer and
 * receives only from it; after an ICMP port unreachable from that peer the
 * next send() or recv() fails once with ECONNREFUSED.  Flags honoured:
 * MSG_DONTWAIT, MSG_PEEK and MSG_TRUNC on receive.
 *
 * Differences from the kernel, on purpose: descriptors are our own numbers
 * (use them only with tt_* calls) and always blocking (SOCK_NONBLOCK is
 * ignored: use MSG_DONTWAIT or tt_poll); no SIGPIPE - send() on a closed
 * connection fails with EPIPE.  A TCP port may be bound again while old
 * connections on it sit in TIME-WAIT (as if SO_REUSEADDR were always
 * set); a UDP port is shared only by sockets that all set SO_REUSEADDR,
 * as on Linux.  SO_SNDBUF and SO_RCVBUF take 1024 bytes to 64 MiB, as
 * given (Linux doubles them).
 */
#ifndef TUNTCP_SOCKET_H
#define TUNTCP_SOCKET_H

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>

/* TCP_NODELAY as Linux numbers it (<netinet/tcp.h> cannot be included
 * beside tcp.h: it names the TCP states too). */
#ifndef TCP_NODELAY
#define TCP_NODELAY 1
#endif

int tt_socket(int domain, int type, int protocol);
int tt_bind(int s, const struct sockaddr *addr, socklen_t len);
int tt_listen(int s, int backlog);
int tt_accept(int s, struct sockaddr *addr, socklen_t *len);
int tt_connect(int s, const struct sockaddr *addr, socklen_t len);
ssize_t tt_send(int s, const void *buf, size_t len, int flags);
ssize_t tt_recv(int s, void *buf, size_t len, int flags);
ssize_t tt_sendto(int s, const void *buf, size_t len, int flags,
		  const struct sockaddr *addr, socklen_t alen);
ssize_t tt_recvfrom(int s, void *buf, size_t len, int flags,
		    struct sockaddr *addr, socklen_t *alen);
int tt_shutdown(int s, int how);
int tt_close(int s);
int tt_setsockopt(int s, int level, int name, const void *val, socklen_t len);
int tt_getsockname(int s, struct sockaddr *addr, socklen_t *len);
int tt_getpeername(int s, struct sockaddr *addr, socklen_t *len);
/* poll(2) over our sockets: POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL. */
int tt_poll(struct pollfd *fds, nfds_t nfds, int timeout_ms);

#endif
