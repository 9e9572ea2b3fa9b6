/* httpd.h on libmicrohttpd: in the network module (net.so) only. */
#include "httpd.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* One request in progress: its body as it arrives. */
struct httpd_conn {
	struct sbuf body;
	bool too_large;
	struct MHD_Connection *mc;
};

static const char *conn_header(const struct httpd_req *rq, const char *name)
{
	struct httpd_conn *c = rq->conn;

	return MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, name);
}

static const char *conn_query(const struct httpd_req *rq, const char *name)
{
	struct httpd_conn *c = rq->conn;

	return MHD_lookup_connection_value(c->mc, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result send_resp(struct MHD_Connection *mc, struct httpd_resp *rs)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		rs->body.len, rs->body.buf ? rs->body.buf : (char *)"", MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				*rs->content_type ? rs->content_type : "application/json");
	for (int i = 0; i < rs->nheaders; i++)
		MHD_add_response_header(r, rs->names[i], rs->values[i]);
	ret = MHD_queue_response(mc, (unsigned)rs->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	const struct httpd_opts *o = cls;
	struct httpd_conn *c = *con_cls;
	struct httpd_req rq;
	struct httpd_resp rs;
	enum MHD_Result ret;

	(void)version;
	if (!c) {
		const char *len = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
							      MHD_HTTP_HEADER_CONTENT_LENGTH);

		c = xcalloc(1, sizeof(*c));
		sbuf_init(&c->body);
		c->mc = mc;
		if (len && strtoull(len, NULL, 10) > o->max_body)
			c->too_large = true;
		*con_cls = c;
		if (!c->too_large)
			return MHD_YES;
	}
	if (*upload_size) {
		if (!c->too_large && c->body.len + *upload_size > o->max_body) {
			c->too_large = true;
			sbuf_release(&c->body);
		}
		if (!c->too_large)
			sbuf_add(&c->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.path = url;
	rq.body = c->body.buf ? c->body.buf : "";
	rq.body_len = c->body.len;
	rq.too_large = c->too_large;
	rq.header = conn_header;
	rq.query = conn_query;
	rq.conn = c;
	httpd_resp_init(&rs);
	o->handle(o->arg, &rq, &rs);
	ret = send_resp(mc, &rs);
	httpd_resp_release(&rs);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct httpd_conn *c = *con_cls;

	(void)cls;
	(void)mc;
	(void)toe;
	if (!c)
		return;
	sbuf_release(&c->body);
	free(c);
	*con_cls = NULL;
}

/* libmicrohttpd's own messages (a client that went away...) are not ours
 * to show. */
static void quiet_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap;
}

int httpd_run(const struct httpd_opts *o, struct err *e)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	struct pollfd p;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, o->addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)o->port);
	} else if (inet_pton(AF_INET6, o->addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)o->port);
		flags |= MHD_USE_IPv6;
	} else {
		return err_set(e, ERR_USAGE, "cannot listen on \"%s\": not an IP address", o->addr);
	}
	if (o->cert_pem)
		flags |= MHD_USE_TLS;
	errno = 0;
	if (o->cert_pem)
		d = MHD_start_daemon(
			flags, (uint16_t)o->port, NULL, NULL, on_request, (void *)o,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT,
			o->timeout_s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			MHD_OPTION_EXTERNAL_LOGGER, quiet_log, NULL, MHD_OPTION_HTTPS_MEM_CERT,
			o->cert_pem, MHD_OPTION_HTTPS_MEM_KEY, o->key_pem, MHD_OPTION_END);
	else
		d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, (void *)o,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				     MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				     MHD_OPTION_EXTERNAL_LOGGER, quiet_log, NULL, MHD_OPTION_END);
	if (!d)
		return err_set(e, ERR_FAIL, "cannot listen on %s:%u: %s", o->addr, o->port,
			       errno ? strerror(errno)
				     : (o->cert_pem ? "bad certificate or key" : "failed"));
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (o->ready)
		o->ready(o->arg, info ? info->port : o->port);
	p.fd = o->stop_fd;
	p.events = POLLIN;
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	MHD_stop_daemon(d);
	return 0;
}
