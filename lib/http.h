/* http — a libcurl client for Elasticsearch, Kibana and webhooks.
 *
 * One easy handle per client, so the connection is kept alive between
 * requests; timeouts on connect and on the whole request; TLS verified with
 * an optional CA file; basic auth or an API key ("Authorization: ApiKey ...").
 * base_url may carry a path prefix (a cloud deployment behind a proxy):
 * request paths are appended to it. Not thread-safe: one client per thread. */
#ifndef TP_HTTP_H
#define TP_HTTP_H

#include <stddef.h>

struct http_opts {
	const char *base_url;  /* http(s)://host:port[/prefix] */
	const char *ca_file;   /* NULL: the system's CA store */
	const char *user;      /* basic auth, with password */
	const char *password;
	const char *api_key;   /* sent as "Authorization: ApiKey <api_key>" */
	long connect_timeout_ms;
	long timeout_ms;
	int insecure;          /* skip TLS verification: tests only, logged loudly */
};

struct http_resp {
	long status;  /* HTTP status, or 0 when no response arrived */
	char *body;   /* NUL-terminated, owned by the client, valid until the next request */
	size_t len;
	char error[256]; /* transport error text when status is 0 */
};

struct http_client;

struct http_client *http_client_new(const struct http_opts *o, char *err, size_t errsize);
void http_client_free(struct http_client *c);

/* Sends method path with an optional body (content type JSON unless given).
 * Returns the status (0 on a transport failure, with resp->error set). */
long http_request(struct http_client *c, const char *method, const char *path,
                  const char *content_type, const char *body, size_t len,
                  struct http_resp *resp);

/* 1 for statuses worth retrying with backoff: 0 (no answer), 429, 5xx. */
int http_is_retryable(long status);

#endif
