/*
 * stats.c - names of drop reasons and printing of the counters.
 */
#include "stats.h"

static const char *const drop_names[DROP_COUNT] = {
	[DROP_NONE] = "none",
#define X(name, str) [DROP_##name] = str,
	DROP_REASONS(X)
#undef X
};

const char *drop_name(enum drop_reason reason)
{
	if ((unsigned)reason >= DROP_COUNT)
		return "?";
	return drop_names[reason];
}

void stats_print(const struct stats *st, FILE *out, const char *prefix)
{
	uint64_t total = 0;
	int i;

	for (i = 1; i < DROP_COUNT; i++)
		total += st->drops[i];
	fprintf(out, "%spackets: %llu in, %llu out, %llu dropped\n", prefix,
		(unsigned long long)st->rx_packets,
		(unsigned long long)st->tx_packets, (unsigned long long)total);
	for (i = 1; i < DROP_COUNT; i++)
		if (st->drops[i])
			fprintf(out, "%sdrop %-28s %llu\n", prefix,
				drop_names[i], (unsigned long long)st->drops[i]);
	if (st->ip_frags_held || st->ip_reassembled)
		fprintf(out, "%sip fragments held             %llu (%llu datagrams reassembled)\n",
			prefix, (unsigned long long)st->ip_frags_held,
			(unsigned long long)st->ip_reassembled);
	if (st->ip_reass_timeouts)
		fprintf(out, "%sip reassembly timeouts        %llu (first fragment held: ICMP time exceeded)\n",
			prefix, (unsigned long long)st->ip_reass_timeouts);
	if (st->ip_fragmented)
		fprintf(out, "%sip datagrams fragmented       %llu (%llu fragments sent)\n",
			prefix, (unsigned long long)st->ip_fragmented,
			(unsigned long long)st->ip_frags_sent);
	if (st->icmp_echo_replied)
		fprintf(out, "%sicmp echo replies sent        %llu\n", prefix,
			(unsigned long long)st->icmp_echo_replied);
	if (st->icmp_errors_sent || st->icmp_errors_limited || st->icmp_errors_withheld)
		fprintf(out, "%sicmp errors sent              %llu (%llu held back by the rate limit, %llu never allowed)\n",
			prefix, (unsigned long long)st->icmp_errors_sent,
			(unsigned long long)st->icmp_errors_limited,
			(unsigned long long)st->icmp_errors_withheld);
	if (st->icmp_errors_received)
		fprintf(out, "%sicmp errors received          %llu\n", prefix,
			(unsigned long long)st->icmp_errors_received);
	if (st->tcp_icmp_aborts)
		fprintf(out, "%stcp connects ended by icmp    %llu\n", prefix,
			(unsigned long long)st->tcp_icmp_aborts);
	if (st->tcp_rst_sent)
		fprintf(out, "%stcp resets sent               %llu\n", prefix,
			(unsigned long long)st->tcp_rst_sent);
	if (st->tcp_ooo_queued)
		fprintf(out, "%stcp out-of-order segments held %llu\n", prefix,
			(unsigned long long)st->tcp_ooo_queued);
	if (st->tcp_retransmits)
		fprintf(out, "%stcp segments retransmitted    %llu (%llu by fast retransmit)\n",
			prefix, (unsigned long long)st->tcp_retransmits,
			(unsigned long long)st->tcp_fast_retransmits);
	if (st->tcp_zero_windows)
		fprintf(out, "%stcp zero windows from peer    %llu\n", prefix,
			(unsigned long long)st->tcp_zero_windows);
	if (st->tcp_send_failed)
		fprintf(out, "%stcp segments not sent (error) %llu\n", prefix,
			(unsigned long long)st->tcp_send_failed);
	if (st->tcp_window_probes)
		fprintf(out, "%stcp zero-window probes sent   %llu\n", prefix,
			(unsigned long long)st->tcp_window_probes);
	if (st->tcp_bad_options)
		fprintf(out, "%stcp segments with bad options %llu (kept, the options skipped)\n",
			prefix, (unsigned long long)st->tcp_bad_options);
	if (st->tcp_challenge_acks || st->tcp_challenge_acks_limited)
		fprintf(out, "%stcp challenge acks sent       %llu (%llu held back by the rate limit)\n",
			prefix, (unsigned long long)st->tcp_challenge_acks,
			(unsigned long long)st->tcp_challenge_acks_limited);
	if (st->udp_delivered || st->udp_sent)
		fprintf(out, "%sudp datagrams in, out         %llu, %llu\n", prefix,
			(unsigned long long)st->udp_delivered,
			(unsigned long long)st->udp_sent);
	fflush(out);
}
