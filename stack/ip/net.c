/*
 * net.c - setting up a stack instance, its table of protocols, their
 * timers, and the log.
 *
 * Read this first: nothing here knows which protocols exist.  Each one
 * registers a struct net_proto (net.h); net_tick() and net_next_deadline()
 * ask every registered protocol in turn, as BSD's pfslowtimo() walks its
 * protosw table.  IPv4 is not a registered protocol, but it has a timer of
 * its own, reassembly's (ipv4_frag.c), which they run first.
 */
#include "net.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void net_init(struct net *net, struct device *dev, uint32_t addr)
{
	memset(net, 0, sizeof *net);
	net->dev = dev;
	net->addr = addr;
	net->ip_id = 1;
	ip_reass_init(&net->reass);
	/* Comments on packets are worth writing only if a device in the
	 * stack keeps them (dev_pcap.c, with TUNTCP_PCAP). */
	for (; dev; dev = dev->lower)
		if (dev->note)
			net->notes = 1;
}

void net_free(struct net *net)
{
	while (net->nprotos > 0) {
		const struct net_proto *p = net->protos[--net->nprotos];

		if (p->free)
			p->free(net);
	}
	ip_reass_free(net);
}

int net_add_proto(struct net *net, const struct net_proto *proto)
{
	if (net_find_proto(net, proto->number))
		return -EEXIST;
	if (net->nprotos == NET_MAX_PROTOS)
		return -ENOSPC;
	net->protos[net->nprotos++] = proto;
	return 0;
}

const struct net_proto *net_find_proto(const struct net *net, uint8_t number)
{
	int i;

	for (i = 0; i < net->nprotos; i++)
		if (net->protos[i]->number == number)
			return net->protos[i];
	return NULL;
}

void net_tick(struct net *net, uint64_t now)
{
	int i;

	net->now = now;
	ip_reass_tick(net, now);
	for (i = 0; i < net->nprotos; i++)
		if (net->protos[i]->tick)
			net->protos[i]->tick(net, now);
}

uint64_t net_next_deadline(const struct net *net)
{
	uint64_t next = ip_reass_next_deadline(net), t;
	int i;

	for (i = 0; i < net->nprotos; i++) {
		if (!net->protos[i]->next_deadline)
			continue;
		t = net->protos[i]->next_deadline(net);
		if (t < next)
			next = t;
	}
	return next;
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
