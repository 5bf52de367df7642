/*
 * hello.c - libmicrohttpd hello world: the baseline that bench/ measures
 * secflow's server against.
 *
 * Deliberately standalone (no secflow code) but set up like
 * src/http/server.c: internal polling threads with epoll, a pool of one
 * thread per online CPU, the response queued on the second call of the
 * access handler (queueing on the first costs the keep-alive, see
 * docs BASELINES.md), and SIGTERM/SIGINT taken with sigwait in the main
 * thread after blocking them before the daemon starts.
 *
 * Usage: hello PORT [THREADS]   (listens on 127.0.0.1)
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fixed JSON body of exactly 208 bytes. */
static const char body[] =
    "{\"status\":\"ok\",\"service\":\"secflow-bench\",\"message\":"
    "\"hello, world\",\"items\":[{\"id\":1,\"name\":\"alpha\"},"
    "{\"id\":2,\"name\":\"beta\"},{\"id\":3,\"name\":\"gamma\"}],"
    "\"padding\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}";
_Static_assert(sizeof(body) - 1 == 208, "body must be 208 bytes");


/* A marker whose address tells the first call from the later ones. */
static int first_seen;

static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url,
       const char *method, const char *version, const char *upload_data,
       size_t *upload_data_size, void **req_cls)
{
	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	if (*req_cls == NULL) {
		/* First call: headers only; queueing now would close the
		 * connection after the response. */
		*req_cls = &first_seen;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0; /* drop any body */
		return MHD_YES;
	}
	/* A response made for each request, as in libmicrohttpd's own hello
	 * world and as any server that answers with data must. */
	{
		struct MHD_Response *r = MHD_create_response_from_buffer(
		    sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
		enum MHD_Result ret;

		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					"application/json; charset=utf-8");
		ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
		MHD_destroy_response(r);
		return ret;
	}
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || *out > max ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	unsigned long port, threads;
	unsigned int flags;
	sigset_t set;
	int sig;

	if (argc < 2 || parse_uint(argv[1], 65535, &port)) {
		fprintf(stderr, "usage: hello PORT [THREADS]\n");
		return 2;
	}
	threads = (unsigned long)sysconf(_SC_NPROCESSORS_ONLN);
	if (argc > 2 && parse_uint(argv[2], 1024, &threads)) {
		fprintf(stderr, "hello: bad thread count '%s'\n", argv[2]);
		return 2;
	}
	if (threads == 0)
		threads = 1;

	/* Before the daemon: its threads inherit the mask, so the signals
	 * only ever reach sigwait below. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);


	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
	flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) ? MHD_USE_EPOLL
							     : MHD_USE_AUTO;
	d = MHD_start_daemon(
	    flags, 0, NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned int)threads, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
	    MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "hello: cannot listen on 127.0.0.1:%lu: %s\n",
			port, errno ? strerror(errno) : "cannot start");
		return 1;
	}
	printf("listening on 127.0.0.1:%u\n",
	       (unsigned int)MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)
		   ->port);
	fflush(stdout);

	do {
		if (sigwait(&set, &sig))
			sig = 0;
	} while (sig != SIGTERM && sig != SIGINT);

	MHD_stop_daemon(d);
	return 0;
}
