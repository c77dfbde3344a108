/* metrics_http — serves /metrics and /health for the registry.
 *
 * A deliberately tiny HTTP/1.0 responder on one thread: one request per
 * connection, 1 s read timeout, nothing but two GET routes. Scrapes are rare
 * and small, so a server library would buy nothing but a dependency. */
#include "log.h"
#include "metrics_impl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void respond(int fd, int status, const char *ctype, const char *body)
{
	char head[256];
	const char *reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Service Unavailable";
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	                 "Connection: close\r\n\r\n",
	                 status, reason, ctype, strlen(body));
	if (write(fd, head, (size_t)n) == n)
		for (size_t off = 0, len = strlen(body); off < len;) {
			ssize_t w = write(fd, body + off, len - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
}

static void handle(struct metrics *m, int fd)
{
	char req[2048];
	size_t len = 0;
	struct pollfd p = {fd, POLLIN, 0};
	while (len < sizeof req - 1 && poll(&p, 1, 1000) > 0) {
		ssize_t r = read(fd, req + len, sizeof req - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[len] = '\0';
	if (strncmp(req, "GET /metrics", 12) == 0) {
		char *text = metrics_render(m);
		respond(fd, 200, "text/plain; version=0.0.4", text);
		free(text);
	} else if (strncmp(req, "GET /health", 11) == 0) {
		char msg[512] = "ok";
		int ok = m->health ? m->health(m->health_opaque, msg, sizeof msg) : 1;
		strncat(msg, "\n", sizeof msg - strlen(msg) - 1);
		respond(fd, ok ? 200 : 503, "text/plain", msg);
	} else {
		respond(fd, 404, "text/plain", "try /metrics or /health\n");
	}
}

static void *serve(void *arg)
{
	struct metrics *m = arg;
	while (!atomic_load(&m->stop)) {
		struct pollfd p = {m->listen_fd, POLLIN, 0};
		if (poll(&p, 1, 200) <= 0)
			continue;
		int fd = accept(m->listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		handle(m, fd);
		close(fd);
	}
	return NULL;
}

int metrics_serve(struct metrics *m, const char *addr, int port, metrics_health_fn health,
                  void *opaque, char *err, size_t errsize)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, addr && *addr ? addr : "0.0.0.0", &sa.sin_addr) != 1) {
		snprintf(err, errsize, "bad metrics address \"%s\"", addr);
		return -1;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 16)) {
		snprintf(err, errsize, "cannot listen on %s:%d: %s", addr, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	socklen_t sl = sizeof sa;
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	m->listen_fd = fd;
	m->health = health;
	m->health_opaque = opaque;
	atomic_store(&m->stop, 0);
	if (pthread_create(&m->thread, NULL, serve, m)) {
		snprintf(err, errsize, "cannot start the metrics thread");
		close(fd);
		m->listen_fd = -1;
		return -1;
	}
	m->serving = 1;
	return ntohs(sa.sin_port);
}

void metrics_stop(struct metrics *m)
{
	if (!m->serving)
		return;
	atomic_store(&m->stop, 1);
	pthread_join(m->thread, NULL);
	close(m->listen_fd);
	m->listen_fd = -1;
	m->serving = 0;
}
