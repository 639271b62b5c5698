/*
 * sock.h - the one difference between an app on tuntcp and the same app on
 * the kernel's sockets.
 *
 * Apps call tt_socket(), tt_connect(), ...  Built normally they get tuntcp's
 * socket API (stack/api/socket.h); built with -DTUNTCP_KERNEL (make puts those
 * in build/kernel/) the names become the kernel's own calls.
 */
#ifndef TUNTCP_APPS_SOCK_H
#define TUNTCP_APPS_SOCK_H

#ifdef TUNTCP_KERNEL
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#define tt_socket      socket
#define tt_bind        bind
#define tt_listen      listen
#define tt_accept      accept
#define tt_connect     connect
#define tt_send        send
#define tt_recv        recv
#define tt_sendto      sendto
#define tt_recvfrom    recvfrom
#define tt_shutdown    shutdown
#define tt_close       close
#define tt_setsockopt  setsockopt
#define tt_getsockname getsockname
#define tt_getpeername getpeername
#define tt_poll        poll
#define STACK_NAME "the kernel's sockets"
#else
#include <arpa/inet.h>
#include "socket.h"
#define STACK_NAME "tuntcp"
#endif

#endif
