/*
 * dev_tun.h - the Linux TUN device driver.
 */
#ifndef TUNTCP_DEV_TUN_H
#define TUNTCP_DEV_TUN_H

#include <stddef.h>

#include "device.h"

/* Attach to the TUN device `name`, which tools/up.sh made persistent and
 * gave to this user, so no root is needed here.  On failure returns NULL
 * and writes a sentence a learner can act on into `err`. */
struct device *tun_open(const char *name, char *err, size_t errlen);

#endif
