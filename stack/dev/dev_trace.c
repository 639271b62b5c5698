/*
 * dev_trace.c - print every packet in and out, one line each (TUNTCP_TRACE=1).
 */
#include "dev_trace.h"

#include <stdlib.h>
#include <time.h>

#include "print.h"

struct trace_dev {
	struct device dev;	/* first: a struct device * is a struct trace_dev * */
	FILE *out;
};

void trace_line(FILE *out, const char *dir, const char *text)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	fprintf(out, "%02d:%02d:%02d.%06ld %-4s %s\n", tm.tm_hour, tm.tm_min,
		tm.tm_sec, ts.tv_nsec / 1000, dir, text);
	fflush(out);
}

static void trace_packet(struct trace_dev *td, const char *dir,
			 const uint8_t *pkt, size_t len)
{
	char line[512];

	packet_summary(line, sizeof line, pkt, len);
	trace_line(td->out, dir, line);
}

static int trace_send(struct device *dev, const uint8_t *pkt, size_t len)
{
	trace_packet((struct trace_dev *)dev, "out", pkt, len);
	return device_send(dev->lower, pkt, len);
}

static long trace_recv(struct device *dev, uint8_t *buf, size_t cap)
{
	long n = device_recv(dev->lower, buf, cap);

	if (n > 0)
		trace_packet((struct trace_dev *)dev, "in", buf, (size_t)n);
	return n;
}

static void trace_destroy(struct device *dev)
{
	device_destroy(dev->lower);
	free(dev);
}

struct device *trace_wrap(struct device *lower, FILE *out)
{
	struct trace_dev *td = calloc(1, sizeof *td);

	if (!td)
		return NULL;
	td->out = out;
	td->dev = (struct device){ .name = lower->name, .send = trace_send,
				   .recv = trace_recv, .destroy = trace_destroy,
				   .fd = lower->fd, .lower = lower };
	return &td->dev;
}
