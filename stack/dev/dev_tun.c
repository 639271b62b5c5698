/*
 * dev_tun.c - the Linux TUN device: IPv4 packets in and out of the kernel.
 *
 * Read this first: a TUN device is a network interface whose "wire" is a
 * file descriptor.  Whatever the kernel routes to tun0 (say, a ping from
 * the host to 10.0.0.2) we read() from the fd, one whole IPv4 packet per
 * read; whatever we write() the kernel receives as if it came in on tun0.
 * With IFF_NO_PI there is no extra header: the bytes are the IP packet.
 * See the kernel's Documentation/networking/tuntap.rst.
 */
#include "dev_tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct tun {
	struct device dev;	/* first, so a struct device * is a struct tun * */
	char name[IFNAMSIZ];
};

static int tun_send(struct device *dev, const uint8_t *pkt, size_t len)
{
	ssize_t n = write(dev->fd, pkt, len);

	if (n < 0)
		return -errno;
	return 0;
}

static long tun_recv(struct device *dev, uint8_t *buf, size_t cap)
{
	ssize_t n = read(dev->fd, buf, cap);

	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
	return n;
}

static void tun_destroy(struct device *dev)
{
	close(dev->fd);
	free(dev);
}

struct device *tun_open(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	struct tun *t;
	int fd;

	if (strlen(name) >= IFNAMSIZ) {
		snprintf(err, errlen, "device name %s is longer than %d characters",
			 name, IFNAMSIZ - 1);
		return NULL;
	}
	/* TUNSETIFF on a name that does not exist would *create* a new,
	 * unconfigured device (if we are root).  Check first, in our own
	 * network namespace (if_nametoindex asks the kernel, not /sys). */
	if (if_nametoindex(name) == 0) {
		snprintf(err, errlen, "device %s not found: run sudo tools/up.sh first",
			 name);
		return NULL;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == EACCES)
			snprintf(err, errlen, "cannot open /dev/net/tun: permission denied (it should be mode 0666; tools/up.sh sets it)");
		else
			snprintf(err, errlen, "cannot open /dev/net/tun: %s (is the tun module loaded?)",
				 strerror(errno));
		return NULL;
	}
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;

		if (e == EBUSY)
			snprintf(err, errlen, "device %s is busy: another program is attached to it",
				 name);
		else if (e == EPERM)
			snprintf(err, errlen, "no permission to use device %s: it belongs to another user (tools/up.sh gives it to the user who runs sudo)",
				 name);
		else if (e == EINVAL)
			snprintf(err, errlen, "device %s is not a TUN device made by tools/up.sh (%s)",
				 name, strerror(e));
		else
			snprintf(err, errlen, "cannot attach to device %s: %s", name,
				 strerror(e));
		close(fd);
		return NULL;
	}
	t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	memcpy(t->name, ifr.ifr_name, IFNAMSIZ);
	t->name[IFNAMSIZ - 1] = '\0';
	t->dev.name = t->name;
	t->dev.send = tun_send;
	t->dev.recv = tun_recv;
	t->dev.destroy = tun_destroy;
	t->dev.fd = fd;
	return &t->dev;
}
