/*
 * net.c - setting up a stack instance, its timers and its log.
 */
#include "net.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tcp.h"


void net_init(struct net *net, struct device *dev, uint32_t addr)
{
	memset(net, 0, sizeof *net);
	net->dev = dev;
	net->addr = addr;
	net->ip_id = 1;
	tcp_layer_init(net);
}

void net_free(struct net *net)
{
	tcp_layer_free(net);
}

void net_tick(struct net *net, uint64_t now)
{
	net->now = now;
	tcp_tick(net, now);
}

uint64_t net_next_deadline(const struct net *net)
{
	return tcp_next_deadline(net);
}

void net_logf(struct net *net, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (!net->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	net->log(net->log_ctx, line);
}

void net_drop(struct net *net, enum drop_reason reason, const char *detail)
{
	net->stats.drops[reason]++;
	snprintf(net->note, sizeof net->note, "dropped: %s%s%s%s", drop_name(reason),
		 detail ? " (" : "", detail ? detail : "", detail ? ")" : "");
	if (detail)
		net_logf(net, "drop: %s (%s)", drop_name(reason), detail);
	else
		net_logf(net, "drop: %s", drop_name(reason));
}
