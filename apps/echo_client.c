/*
 * echo_client - the tutorial's TCP client, in C.
 *
 *   echo_client SERVER_IP PORT MESSAGE
 *
 * As in the seed: connect to the server, send one line, receive up to 1024
 * bytes, print them, close.  Arguments left out are asked for, as the
 * seed's input() prompts do.
 *
 * The same source runs on tuntcp (build/echo_client) and on the kernel's
 * sockets (build/kernel/echo_client); apps/sock.h is the only difference.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sock.h"

/* input(prompt): one line from stdin, without its newline. */
static char *ask(const char *prompt, char *buf, size_t len)
{
	printf("%s", prompt);
	fflush(stdout);
	if (!fgets(buf, (int)len, stdin)) {
		fprintf(stderr, "\necho_client: no input\n");
		exit(2);
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	char ipbuf[64], portbuf[16], msgbuf[1024], reply[1024];
	const char *ip, *msg;
	struct sockaddr_in addr;
	int port, s;
	ssize_t n;

	/* server_ip = input('请输入服务器ip:') and so on */
	ip = argc > 1 ? argv[1] : ask("请输入服务器ip (server ip): ", ipbuf, sizeof ipbuf);
	port = atoi(argc > 2 ? argv[2] : ask("请输入服务器port (server port): ", portbuf, sizeof portbuf));
	msg = argc > 3 ? argv[3] : ask("请输入要发送的数据 (message): ", msgbuf, sizeof msgbuf);

	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (port <= 0 || port > 65535 || inet_pton(AF_INET, ip, &addr.sin_addr) != 1) {
		fprintf(stderr, "echo_client: expected an IPv4 address and a port, got %s %s\n",
			ip, argc > 2 ? argv[2] : portbuf);
		return 2;
	}

	/* tcp_client_socket = socket(AF_INET, SOCK_STREAM) */
	s = tt_socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0) {
		perror("echo_client: socket");
		return 1;
	}
	/* tcp_client_socket.connect((server_ip, server_port)) */
	if (tt_connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
		fprintf(stderr, "echo_client: connect to %s:%d: %s\n", ip, port, strerror(errno));
		return 1;
	}
	/* tcp_client_socket.send(send_data) */
	if (tt_send(s, msg, strlen(msg), MSG_NOSIGNAL) < 0) {
		perror("echo_client: send");
		return 1;
	}
	/* recvData = tcp_client_socket.recv(1024) */
	n = tt_recv(s, reply, sizeof reply, 0);
	if (n < 0) {
		perror("echo_client: recv");
		return 1;
	}
	printf("接收到的数据为 (received): %.*s\n", (int)n, reply);
	tt_close(s);	/* tcp_client_socket.close() */
	return 0;
}
