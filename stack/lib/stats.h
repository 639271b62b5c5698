/*
 * stats.h - counters: packets in and out, and every drop with its reason.
 *
 * Read this first: "parse before you trust" means every received packet is
 * either used or dropped with a named reason.  The reasons are listed once,
 * below, as an X-macro so that the enum and the printed names never drift
 * apart.  A learner sees them with `kill -USR1 <pid>` or when the program
 * exits, and in the TUNTCP_TRACE=1 output as "drop: <name>".
 */
#ifndef TUNTCP_STATS_H
#define TUNTCP_STATS_H

#include <stdint.h>
#include <stdio.h>

/*        name in code        name printed            */
#define DROP_REASONS(X)                                             \
	X(IP_TOO_SHORT,        "ip-too-short")                      \
	X(IP_NOT_V4,           "ip-version-not-4")                  \
	X(IP_BAD_IHL,          "ip-bad-header-length")              \
	X(IP_BAD_TOTAL_LEN,    "ip-bad-total-length")               \
	X(IP_TRUNCATED,        "ip-truncated")                      \
	X(IP_BAD_CHECKSUM,     "ip-bad-checksum")                   \
	X(IP_NOT_OURS,         "ip-not-for-us")                     \
	X(IP_BAD_SOURCE,       "ip-bad-source")                     \
	X(IP_TTL_ZERO,         "ip-ttl-zero")                       \
	X(IP_FRAG_BAD_SIZE,    "ip-frag-bad-size")                  \
	X(IP_FRAG_TOO_BIG,     "ip-frag-too-big")                   \
	X(IP_FRAG_BAD_END,     "ip-frag-bad-end")                   \
	X(IP_FRAG_OVERLAP,     "ip-frag-overlap")                   \
	X(IP_FRAG_DUPLICATE,   "ip-frag-duplicate")                 \
	X(IP_FRAG_TOO_MANY,    "ip-frag-too-many")                  \
	X(IP_FRAG_TIMEOUT,     "ip-frag-timeout")                   \
	X(IP_FRAG_EVICTED,     "ip-frag-evicted")                   \
	X(IP_FRAG_NO_MEMORY,   "ip-frag-no-memory")                 \
	X(IP_UNKNOWN_PROTO,    "ip-unknown-protocol")               \
	X(ICMP_TOO_SHORT,      "icmp-too-short")                    \
	X(ICMP_BAD_CHECKSUM,   "icmp-bad-checksum")                 \
	X(ICMP_UNHANDLED_TYPE, "icmp-type-not-handled")             \
	X(ICMP_REPLY_TOO_BIG,  "icmp-reply-too-big")                \
	X(ICMP_BAD_QUOTE,      "icmp-error-bad-quote")              \
	X(ICMP_NOT_OURS,       "icmp-error-not-about-us")           \
	X(ICMP_NO_HANDLER,     "icmp-error-no-protocol")            \
	X(TCP_ICMP_NO_CONN,    "tcp-icmp-no-connection")            \
	X(TCP_ICMP_BAD_SEQ,    "tcp-icmp-seq-outside-window")       \
	X(TCP_LISTEN_RST,      "tcp-rst-to-listen")                 \
	X(TCP_LISTEN_NOT_SYN,  "tcp-listen-not-syn")                \
	X(TCP_TOO_SHORT,       "tcp-too-short")                     \
	X(TCP_BAD_OFFSET,      "tcp-bad-data-offset")               \
	X(TCP_BAD_CHECKSUM,    "tcp-bad-checksum")                  \
	X(TCP_BAD_FLAGS,       "tcp-bad-flags")                     \
	X(TCP_BAD_PORT,        "tcp-port-zero")                     \
	X(TCP_NO_SOCKET,       "tcp-no-socket")                     \
	X(TCP_UNACCEPTABLE,    "tcp-unacceptable-segment")          \
	X(TCP_BAD_ACK,         "tcp-unacceptable-ack")              \
	X(TCP_RST_OUT_OF_WIN,  "tcp-rst-out-of-window")             \
	X(TCP_RST_CHALLENGED,  "tcp-rst-challenged")                \
	X(TCP_SYN_CHALLENGED,  "tcp-syn-challenged")                \
	X(TCP_BACKLOG_FULL,    "tcp-listen-backlog-full")           \
	X(TCP_NO_ACK,          "tcp-no-ack-flag")                   \
	X(TCP_OUT_OF_ORDER,    "tcp-out-of-order-no-memory")        \
	X(TCP_DUPLICATE,       "tcp-duplicate-data")                \
	X(TCP_RCV_BUFFER_FULL, "tcp-receive-buffer-full")           \
	X(TCP_RST_TIME_WAIT,   "tcp-rst-in-time-wait")              \
	X(TCP_AFTER_CLOSE,     "tcp-data-after-close")              \
	X(TCP_BEYOND_FIN,      "tcp-data-beyond-fin")                \
	X(UDP_TOO_SHORT,       "udp-too-short")                     \
	X(UDP_BAD_LENGTH,      "udp-bad-length")                    \
	X(UDP_BAD_CHECKSUM,    "udp-bad-checksum")                  \
	X(UDP_NO_SOCKET,       "udp-no-socket")                     \
	X(UDP_RCV_QUEUE_FULL,  "udp-receive-queue-full")

enum drop_reason {
	DROP_NONE = 0,
#define X(name, str) DROP_##name,
	DROP_REASONS(X)
#undef X
	DROP_COUNT
};

struct stats {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t drops[DROP_COUNT];
	uint64_t ip_frags_held;		/* fragments kept for reassembly */
	uint64_t ip_reassembled;	/* datagrams put back together */
	uint64_t ip_reass_timeouts;	/* timed out holding fragment 0: ICMP
					 * time exceeded asked for */
	uint64_t ip_fragmented;		/* datagrams we sent in fragments */
	uint64_t ip_frags_sent;		/* ... and the fragments they made */
	uint64_t icmp_echo_replied;
	uint64_t icmp_errors_sent;	/* unreachable, time exceeded, ... */
	uint64_t icmp_errors_limited;	/* not sent: the rate limit said no */
	uint64_t icmp_errors_withheld;	/* not sent: RFC 1122 3.2.2 says never */
	uint64_t icmp_errors_received;	/* checked and given to TCP or UDP */
	uint64_t tcp_icmp_aborts;	/* connection attempts ended by an ICMP error */
	uint64_t tcp_rst_sent;
	uint64_t tcp_ooo_queued;	/* out-of-order segments held for later */
	uint64_t tcp_retransmits;	/* segments sent again (timeout or fast) */
	uint64_t tcp_send_failed;	/* segments the device or IP refused */
	uint64_t tcp_fast_retransmits;
	uint64_t tcp_bad_options;	/* segments kept, malformed options skipped */
	uint64_t tcp_challenge_acks;
	uint64_t tcp_challenge_acks_limited;
	uint64_t tcp_window_probes;
	uint64_t tcp_zero_windows;	/* times the peer shut its window */
	uint64_t udp_delivered;		/* datagrams queued for a socket */
	uint64_t udp_sent;		/* datagrams handed to IPv4 */
};

const char *drop_name(enum drop_reason reason);

/* Print every non-zero counter, one per line, each prefixed by `prefix`. */
void stats_print(const struct stats *st, FILE *out, const char *prefix);

#endif
