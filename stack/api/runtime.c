/*
 * runtime.c - the one thread that does IO for the stack.
 *
 * The loop, in words:
 *   1. ask the core when its next timer is due;
 *   2. poll() the device and the wake pipe until then;
 *   3. under the lock: feed every waiting packet to net_input(), run due
 *      timers with net_tick(), then broadcast `changed`.
 * Signals are turned into bytes on the wake pipe (the only thing a signal
 * handler may safely do), and handled here: SIGUSR1 prints the counters,
 * SIGINT and SIGTERM print them and end the program.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "dev_fault.h"
#include "dev_pcap.h"
#include "dev_trace.h"
#include "dev_tun.h"
#include "icmp.h"
#include "ipv4_wire.h"
#include "tcp.h"
#include "udp.h"

static struct runtime *the_runtime;
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static int signal_pipe = -1;

uint64_t runtime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void runtime_wake(struct runtime *rt)
{
	char c = 0;

	if (write(rt->wake[1], &c, 1) < 0) {
		/* The pipe is full: the thread is already due to wake. */
	}
}

void runtime_print_stats(struct runtime *rt)
{
	char addr[16];

	pthread_mutex_lock(&rt->lock);
	fprintf(stderr, "tuntcp %s on %s:\n", ipv4_ntoa(rt->net.addr, addr),
		rt->cfg.dev);
	stats_print(&rt->net.stats, stderr, "  ");
	device_print_stats(rt->dev, stderr);
	pthread_mutex_unlock(&rt->lock);
}

static void on_signal(int sig)
{
	char c = (char)sig;
	int saved = errno;

	if (signal_pipe >= 0 && write(signal_pipe, &c, 1) < 0) {
		/* nothing safe to do in a handler */
	}
	errno = saved;
}

/* A kernel keeps delivering a closed socket's data after the program
 * exits; our stack lives in the program.  So at exit we linger (at most
 * TUNTCP_LINGER_MS) until every byte and FIN sent is acknowledged: then
 * `echo_server --once` and `echo_client`, which close and exit at once,
 * still deliver their last words through a lossy link.  Not when the exit
 * comes from the runtime thread itself (Ctrl-C): nobody would run the
 * timers. */
#define TUNTCP_LINGER_MS 5000

static void linger(struct runtime *rt)
{
	uint64_t until = runtime_now() + TUNTCP_LINGER_MS;
	struct timespec ts;

	pthread_mutex_lock(&rt->lock);
	while (tcp_has_unacked(&rt->net) && runtime_now() < until) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&rt->changed, &rt->lock, &ts);
	}
	pthread_mutex_unlock(&rt->lock);
}

static void at_exit(void)
{
	if (!the_runtime)
		return;
	if (!pthread_equal(pthread_self(), the_runtime->thread))
		linger(the_runtime);
	runtime_print_stats(the_runtime);
}

static void log_line(void *ctx, const char *line)
{
	struct runtime *rt = ctx;

	trace_line(rt->trace, "--", line);
}

/* Read the wake pipe; act on any signal that was turned into a byte. */
static void drain_wake_pipe(struct runtime *rt)
{
	char buf[64];
	ssize_t n, i;

	while ((n = read(rt->wake[0], buf, sizeof buf)) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] == SIGUSR1) {
				runtime_print_stats(rt);
			} else if (buf[i] == SIGINT || buf[i] == SIGTERM) {
				fprintf(stderr, "tuntcp: %s, stopping\n",
					buf[i] == SIGINT ? "interrupted" : "terminated");
				exit(0);	/* at_exit() prints the counters */
			}
		}
	}
}

static void *runtime_loop(void *arg)
{
	struct runtime *rt = arg;
	uint8_t pkt[DEVICE_MTU + 1];

	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = rt->dev->fd, .events = POLLIN },
			{ .fd = rt->wake[0], .events = POLLIN },
		};
		uint64_t deadline, dev_deadline, now;
		int timeout, budget;
		long n;

		pthread_mutex_lock(&rt->lock);
		now = runtime_now();
		deadline = net_next_deadline(&rt->net);
		dev_deadline = device_timer(rt->dev, now);
		if (dev_deadline < deadline)
			deadline = dev_deadline;
		pthread_mutex_unlock(&rt->lock);

		if (deadline == UINT64_MAX)
			timeout = -1;
		else if (deadline <= now)
			timeout = 0;
		else
			timeout = deadline - now > 60000 ? 60000 : (int)(deadline - now);

		if (poll(fds, 2, timeout) < 0 && errno != EINTR) {
			perror("tuntcp: poll");
			exit(1);
		}
		if (fds[1].revents & POLLIN)
			drain_wake_pipe(rt);

		pthread_mutex_lock(&rt->lock);
		now = runtime_now();
		/* A bounded batch, so timers run even under a flood. */
		for (budget = 256; budget > 0; budget--) {
			n = device_recv(rt->dev, pkt, sizeof pkt);
			if (n == 0)
				break;
			if (n < 0) {
				fprintf(stderr, "tuntcp: device %s: %s (was it removed?)\n",
					rt->cfg.dev, strerror((int)-n));
				pthread_mutex_unlock(&rt->lock);
				exit(1);
			}
			net_input(&rt->net, pkt, (size_t)n, now);
			device_note(rt->dev, NOTE_IN, rt->net.note);
		}
		if (net_next_deadline(&rt->net) <= now)
			net_tick(&rt->net, now);
		device_timer(rt->dev, now);	/* send what the fault injector held */
		pthread_cond_broadcast(&rt->changed);
		pthread_mutex_unlock(&rt->lock);
	}
	return NULL;
}

static uint64_t clock_ms(void *ctx)
{
	(void)ctx;
	return runtime_now();
}

/* The device stack, from the wire up: tun, fault injector, capture, trace.
 * The capture sits above the fault injector, so it shows the stack's own
 * view: what it sent (even if the "network" then lost it) and what reached
 * it. */
static struct device *open_devices(const struct config *cfg, FILE *trace)
{
	char err[256];
	struct device *dev, *wrapped;

	dev = tun_open(cfg->dev, err, sizeof err);
	if (!dev)
		goto fail;
	if (cfg->faults) {
		struct fault_cfg in, out;

		if (fault_parse(cfg->faults, &in, &out, err, sizeof err) < 0) {
			device_destroy(dev);
			goto fail;
		}
		dev = fault_wrap(dev, &in, &out, clock_ms, NULL, trace);
	}
	if (cfg->pcap) {
		wrapped = pcap_wrap(dev, cfg->pcap, err, sizeof err);
		if (!wrapped) {
			device_destroy(dev);
			goto fail;
		}
		dev = wrapped;
	}
	if (trace)
		dev = trace_wrap(dev, trace);
	return dev;
fail:
	fprintf(stderr, "tuntcp: %s\n", err);
	return NULL;
}

struct runtime *runtime_start(void)
{
	struct sigaction sa;
	struct runtime *rt;
	char err[256];
	char addr[16];

	rt = calloc(1, sizeof *rt);
	if (!rt)
		return NULL;
	if (config_from_env(&rt->cfg, err, sizeof err) < 0) {
		fprintf(stderr, "tuntcp: %s\n", err);
		free(rt);
		return NULL;
	}
	rt->trace = rt->cfg.trace ? stderr : NULL;
	rt->dev = open_devices(&rt->cfg, rt->trace);
	if (!rt->dev) {
		free(rt);
		return NULL;
	}
	if (pipe(rt->wake) < 0) {
		perror("tuntcp: pipe");
		device_destroy(rt->dev);
		free(rt);
		return NULL;
	}
	fcntl(rt->wake[0], F_SETFL, O_NONBLOCK);
	fcntl(rt->wake[1], F_SETFL, O_NONBLOCK);
	pthread_mutex_init(&rt->lock, NULL);
	pthread_cond_init(&rt->changed, NULL);
	/* The stack: IPv4 on the device, then the protocols above it. */
	net_init(&rt->net, rt->dev, rt->cfg.addr);
	rt->net.reass.timeout_ms = rt->cfg.frag_timeout_ms;
	rt->net.reass.mem_max = rt->cfg.frag_mem;
	icmp_layer_init(&rt->net);
	tcp_layer_init(&rt->net);
	udp_layer_init(&rt->net);
	rt->net.now = runtime_now();
	icmp_ratelimit_init(&rt->net, rt->cfg.icmp_rate, rt->cfg.icmp_burst);
	/* RFC 6528: the ISN's secret key, fresh for each run. */
	if (getrandom(rt->net.tcp->isn_key, sizeof rt->net.tcp->isn_key, 0) < 0)
		rt->net.tcp->isn_key[0] = (uint32_t)rt->net.now ^ (uint32_t)getpid();
	rt->net.tcp->isn_fixed = (uint8_t)rt->cfg.isn_fixed;
	rt->net.tcp->isn_value = rt->cfg.isn;
	rt->net.tcp->msl_ms = rt->cfg.msl_ms;
	rt->net.tcp->rto_min_ms = rt->cfg.rto_min_ms;
	rt->net.tcp->ack_delay_ms = rt->cfg.delack_ms;
	rt->net.tcp->sndbuf_size = rt->cfg.sndbuf;
	rt->net.tcp->rcvbuf_size = rt->cfg.rcvbuf;
	/* Ephemeral ports start somewhere random in 49152-65535 (RFC 6056). */
	rt->net.tcp->next_port = (uint16_t)(49152 + rt->net.tcp->isn_key[1] % 16384);
	rt->net.udp->next_port = (uint16_t)(49152 + rt->net.tcp->isn_key[2] % 16384);
	/* A UDP socket's receive queue: TUNTCP_RCVBUF too (SO_RCVBUF). */
	rt->net.udp->rcvbuf_size = rt->cfg.rcvbuf;
	rt->net.udp->sndbuf_size = rt->cfg.sndbuf;
	if (rt->trace) {
		rt->net.log = log_line;
		rt->net.log_ctx = rt;
	}

	signal_pipe = rt->wake[1];
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	the_runtime = rt;
	atexit(at_exit);

	if (pthread_create(&rt->thread, NULL, runtime_loop, rt) != 0) {
		fprintf(stderr, "tuntcp: cannot start the runtime thread\n");
		exit(1);
	}
	if (rt->trace)
		fprintf(stderr, "tuntcp: %s on %s%s%s\n",
			ipv4_ntoa(rt->cfg.addr, addr), rt->cfg.dev,
			rt->cfg.pcap ? ", capturing to " : "",
			rt->cfg.pcap ? rt->cfg.pcap : "");
	return rt;
}

struct runtime *runtime_get(void)
{
	pthread_mutex_lock(&start_lock);
	if (!the_runtime)
		runtime_start();
	pthread_mutex_unlock(&start_lock);
	return the_runtime;
}
