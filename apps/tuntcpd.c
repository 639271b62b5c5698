/*
 * tuntcpd - the stack on its own: attach to the TUN device and answer
 * whatever the host sends (ping, and TCP once connections exist) until
 * Ctrl-C.
 *
 *   sudo tools/up.sh --app tuntcpd        then, on the host:  ping 10.0.0.2
 *
 * Settings come from the TUNTCP_* variables (see stack/api/config.h).
 */
#include <stdio.h>
#include <unistd.h>

#include "ipv4_wire.h"
#include "runtime.h"

int main(void)
{
	struct runtime *rt = runtime_start();
	char addr[16];

	if (!rt)
		return 1;
	printf("tuntcpd: answering as %s on %s; Ctrl-C stops, kill -USR1 %d prints counters\n",
	       ipv4_ntoa(rt->cfg.addr, addr), rt->cfg.dev, (int)getpid());
	fflush(stdout);
	for (;;)
		pause();	/* the runtime thread does the work */
}
