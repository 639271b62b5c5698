/*
 * runtime.h - the thread that owns the device, the clock and the timers.
 *
 * Read this first: the protocol code (ip/net.h) is sans-IO; this is the IO.
 * One thread loops on poll(device fd, time until the next timer), feeds
 * each received packet to net_input() with the current time, runs due
 * timers with net_tick(), and then wakes every API caller blocked on the
 * condition variable so it can look again.  All of the stack's state is
 * guarded by one mutex, `lock`: simple to reason about and to step in gdb.
 *
 * Only this thread reads the device.  An API call (socket.c) that makes
 * the core send - connect's SYN, send's data - writes through the device
 * from the caller's thread, holding the same lock, rather than handing the
 * packet over and waking this thread: one copy and one wake-up fewer.
 */
#ifndef TUNTCP_RUNTIME_H
#define TUNTCP_RUNTIME_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "net.h"

struct runtime {
	struct net net;
	struct config cfg;
	struct device *dev;	/* the stack of devices: trace(pcap(tun)) */
	pthread_mutex_t lock;	/* guards net and everything in it */
	pthread_cond_t changed;	/* broadcast whenever the stack's state moved */
	pthread_t thread;
	int wake[2];		/* a pipe: a byte written wakes the poll() */
	FILE *trace;		/* NULL unless TUNTCP_TRACE=1 */
};

/* Start the stack described by the TUNTCP_* variables (config.h).  On
 * failure prints one clear sentence to stderr and returns NULL. */
struct runtime *runtime_start(void);

/* The running stack, starting it on first use; NULL if it cannot start. */
struct runtime *runtime_get(void);

/* Wake the runtime thread, so it recomputes its next deadline.  Call after
 * an API call armed a timer.  Safe with or without the lock held. */
void runtime_wake(struct runtime *rt);

/* Milliseconds on a monotonic clock: the `now` the core is given. */
uint64_t runtime_now(void);

/* Print the counters to stderr (also on SIGUSR1 and at exit). */
void runtime_print_stats(struct runtime *rt);

#endif
