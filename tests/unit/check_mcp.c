/* The MCP server core (src/mcp.h) on a real store: what a client sees; and
 * the client (sync/mcpc.h) reading what a server says. */
#include <check.h>
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "assistant.h"
#include "childenv.h"
#include "config.h"
#include "jsoncut.h"
#include "jsonnul.h"
#include "mcp.h"
#include "mcpc.h"
#include "mcpserver.h"
#include "sbuf.h"
#include "store.h"
#include "task.h"
#include "testutil.h"
#include "user.h"
#include "utf8.h"
#include "xalloc.h"

#define NOW 1780304400 /* 2026-06-01 09:00 UTC */

static char *dir;
static struct store *st;
static struct config *cfg;

static void setup(void)
{
	dir = tu_tmpdir();
	st = tu_store_open(dir);
	cfg = tu_config_load(dir);
}

static void teardown(void)
{
	config_free(cfg);
	store_free(st);
	tu_rmrf(dir);
	free(dir);
}

/* Send msg, parse the answer (NULL when none). */
static cJSON *ask(struct mcp_session *s, const char *msg)
{
	char *reply;
	cJSON *r;

	ck_assert_int_eq(mcp_session_handle(s, msg, NOW, &reply), 0);
	if (!reply)
		return NULL;
	ck_assert_msg(!strchr(reply, '\n'), "a reply is one line: %s", reply);
	r = cJSON_Parse(reply);
	ck_assert_msg(r != NULL, "not JSON: %s", reply);
	free(reply);
	return r;
}

static const char *path_str(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v =
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, a), b);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int error_code(const cJSON *r)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(r, "error"), "code");

	return cJSON_IsNumber(c) ? c->valueint : 0;
}

#define INIT(v)                                                                                    \
	"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":" \
	"\"" v "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"0\"}}}"

START_TEST(test_negotiation)
{
	struct err e = { 0, "" };
	struct mcp_session *s = mcp_session_new(st, cfg, store_user(st), NULL, &e);
	cJSON *r;

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(mcp_session_version(s));
	r = ask(s, INIT("2025-06-18"));
	ck_assert_str_eq(path_str(r, "result", "protocolVersion"), "2025-06-18");
	ck_assert_str_eq(mcp_session_version(s), "2025-06-18");
	cJSON_Delete(r);
	r = ask(s, INIT("1999-01-01"));
	ck_assert_str_eq(path_str(r, "result", "protocolVersion"), MCP_VERSION_LATEST);
	cJSON_Delete(r);
	r = ask(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\",\"params\":{}}");
	ck_assert_int_eq(error_code(r), -32602);
	cJSON_Delete(r);
	ck_assert_ptr_null(
		ask(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
	ck_assert_ptr_null(ask(s, "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}"));
	r = ask(s, "[]");
	ck_assert_int_eq(error_code(r), -32600); /* no batches after 2025-03-26 */
	cJSON_Delete(r);
	r = ask(s, "{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}");
	ck_assert_int_eq(error_code(r), -32600);
	cJSON_Delete(r);
	mcp_session_free(s);
	ck_assert(mcp_version_supported("2025-03-26") && !mcp_version_supported("2024-11-05"));
}
END_TEST

/* What is no valid request is refused, nothing of it run: an id that
 * could not come back as sent, jsonrpc not "2.0", more after the value, a
 * member name twice; a batch unless 2025-03-26 was agreed.  The ids that
 * can come back do, digit for digit. */
START_TEST(test_invalid_requests)
{
	static const char *const refused[][3] = {
		{ "{\"jsonrpc\":\"2.0\",\"id\":9223372036854775807,\"method\":\"ping\"}", "null",
		  "-32600" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":9007199254740993,\"method\":\"ping\"}", "null",
		  "-32600" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1e999,\"method\":\"ping\"}", "null", "-32600" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", "null", "-32600" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":-0,\"method\":\"ping\"}", "null", "-32600" },
		{ "{\"id\":4,\"method\":\"ping\"}", "4", "-32600" },
		{ "{\"jsonrpc\":\"1.0\",\"id\":4,\"method\":\"ping\"}", "4", "-32600" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"} xyz", "null", "-32700" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}{}", "null", "-32700" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\",\"id\":4}", "null", "-32600" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"method\":\"ping\"}",
		  "5", "-32600" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":"
		  "\"task_add\",\"arguments\":{\"title\":\"a\",\"title\":\"b\"}}}",
		  "6", "-32602" },
		{ "[{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":"
		  "\"task_add\",\"arguments\":{\"title\":\"c\"}}}]",
		  "null", "-32600" },
	};
	static const char *const echoed[] = { "9007199254740991", "-9007199254740991", "0",
					      "\"9223372036854775808\"" };
	struct err e = { 0, "" };
	struct mcp_session *s = mcp_session_new(st, cfg, store_user(st), NULL, &e);
	struct task *ts;
	size_t n;
	char *reply, *want;
	cJSON *r;

	ck_assert_ptr_nonnull(s);
	cJSON_Delete(ask(s, INIT("2025-06-18")));
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		mcp_session_handle(s, refused[i][0], NOW, &reply);
		want = xasprintf("{\"jsonrpc\":\"2.0\",\"id\":%s,\"error\":{\"code\":%s,",
				 refused[i][1], refused[i][2]);
		ck_assert_msg(reply && !strncmp(reply, want, strlen(want)), "%s: %s", refused[i][0],
			      reply);
		free(want);
		free(reply);
	}
	r = ask(s, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":"
		   "\"task_add\",\"arguments\":{\"title\":\"a\",\"title\":\"b\"}}}");
	ck_assert_str_eq(path_str(r, "error", "message"),
			 "params.arguments.title: given twice (a member name once per object)");
	cJSON_Delete(r);
	for (size_t i = 0; i < sizeof(echoed) / sizeof(echoed[0]); i++) {
		char *msg = xasprintf("{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"ping\"} \r\n",
				      echoed[i]);

		mcp_session_handle(s, msg, NOW, &reply);
		want = xasprintf("{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{}}", echoed[i]);
		ck_assert_str_eq(reply, want);
		free(want);
		free(reply);
		free(msg);
	}
	ck_assert_int_eq(task_list(st, false, &ts, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	task_list_free(ts, n);
	/* 2025-03-26 has batches */
	cJSON_Delete(ask(s, INIT("2025-03-26")));
	r = ask(s, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
		   "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}]");
	ck_assert_int_eq(cJSON_GetArraySize(r), 2);
	cJSON_Delete(r);
	r = ask(s, "[]");
	ck_assert_int_eq(error_code(r->child), -32600);
	cJSON_Delete(r);
	mcp_session_free(s);
}
END_TEST

/* A method or tool name with control characters is echoed quoted and
 * escaped; a message that is not UTF-8 (in a name, the id, a member name)
 * or a raw control character in a string, is refused whole, with no id,
 * naming the byte: the reply is UTF-8 with no raw control character. */
START_TEST(test_hostile_names_echoed_escaped)
{
	static const char *const msgs[][2] = {
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\\u001b]0;x\\u0007\"}",
		  "method not found: \"\\x1b]0;x\\x07\"" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
		  "\"no\\u001b[2J\"}}",
		  "unknown tool: \"no\\x1b[2J\"" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\xfe\x1b]0;x\x07\"}",
		  "parse error: message: not valid UTF-8 (byte 35)" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":\"a\xff\x62\",\"method\":\"ping\"}",
		  "parse error: message: not valid UTF-8 (byte 25)" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":"
		  "\"task_add\",\"arguments\":{\"\xff\":\"\\u0000\"}}}",
		  "parse error: message: not valid UTF-8 (byte 89)" },
		/* raw, not escaped: no JSON text (RFC 8259) */
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\x1b]0;x\x07\"}",
		  "parse error: not JSON (at byte 34: a control character (U+001B) in a string, "
		  "not escaped)" },
	};
	struct err e = { 0, "" };
	struct mcp_session *s = mcp_session_new(st, cfg, store_user(st), NULL, &e);

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		char *reply;
		cJSON *r;

		ck_assert_int_eq(mcp_session_handle(s, msgs[i][0], NOW, &reply), 0);
		ck_assert_msg(utf8_valid(reply, strlen(reply)), "not UTF-8: %s", reply);
		r = cJSON_Parse(reply);
		ck_assert_str_eq(path_str(r, "error", "message"), msgs[i][1]);
		ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r, "id")) == (i >= 2));
		cJSON_Delete(r);
		free(reply);
	}
	mcp_session_free(s);
}
END_TEST

/* tools/call runs as the session's user, whoever the store acts as. */
START_TEST(test_call_as_user)
{
	struct err e = { 0, "" };
	struct user bob = { 0 };
	struct mcp_session *s;
	struct task *ts;
	size_t n;
	long long me = store_user(st);
	cJSON *r;

	bob.name = xstrdup("bob");
	ck_assert_int_eq(user_add(st, &bob, &e), 0);
	s = mcp_session_new(st, cfg, bob.id, NULL, &e);
	ck_assert_ptr_nonnull(s);
	r = ask(s,
		"{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"tools/call\",\"params\":{\"name\":"
		"\"task_add\",\"arguments\":{\"title\":\"bob's\",\"due\":\"tomorrow 17:00\"}}}");
	ck_assert_str_eq(cJSON_GetObjectItem(r, "id")->valuestring, "x");
	ck_assert_str_eq(
		cJSON_GetObjectItem(
			cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "result"),
								"structuredContent"),
					    "task"),
			"due")
			->valuestring,
		"2026-06-02T17:00:00+00:00");
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "result"), "isError"));
	cJSON_Delete(r);
	ck_assert_int_eq(store_user(st), me); /* put back */
	ck_assert_int_eq(task_list(st, false, &ts, &n, &e), 0);
	ck_assert_uint_eq(n, 0); /* not the first user's */
	task_list_free(ts, n);
	store_set_user(st, bob.id);
	ck_assert_int_eq(task_list(st, false, &ts, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ts[0].title, "bob's");
	task_list_free(ts, n);
	mcp_session_free(s);
	user_release(&bob);
}
END_TEST

/* A tools/call the client cancelled before it started is not run and is
 * answered nothing (in a batch, left out); a cancel naming another request
 * changes nothing. */
START_TEST(test_cancelled_before_start)
{
	struct err e = { 0, "" };
	struct mcp_session *s = mcp_session_new(st, cfg, store_user(st), NULL, &e);
	struct task *ts;
	size_t n;
	cJSON *r;

	ck_assert_ptr_nonnull(s);
	cJSON_Delete(ask(s, INIT("2025-03-26")));
	mcp_session_cancel(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
			      "\"params\":{\"requestId\":7}}");
	mcp_session_cancel(s,
			   "[{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
			   "\"params\":{\"requestId\":\"b\"}},{\"jsonrpc\":\"2.0\",\"id\":9,"
			   "\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":8}}]");
	ck_assert_ptr_null(
		ask(s, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
		       "\"params\":{\"name\":\"task_add\",\"arguments\":{\"title\":\"a\"}}}"));
	r = ask(s, "[{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"tools/call\",\"params\":"
		   "{\"name\":\"task_add\",\"arguments\":{\"title\":\"b\"}}},{\"jsonrpc\":\"2.0\","
		   "\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"task_add\","
		   "\"arguments\":{\"title\":\"c\"}}}]");
	/* only the request with an id is a notification: 8 was not cancelled */
	ck_assert_int_eq(cJSON_GetArraySize(r), 1);
	ck_assert_int_eq(cJSON_GetObjectItem(r->child, "id")->valueint, 8);
	cJSON_Delete(r);
	ck_assert_int_eq(task_list(st, false, &ts, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ts[0].title, "c");
	task_list_free(ts, n);
	mcp_session_free(s);
}
END_TEST

static char *tool_names(struct mcp_session *s)
{
	cJSON *r = ask(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}"), *t;
	char *names = xstrdup("");

	cJSON_ArrayForEach(t, cJSON_GetObjectItem(cJSON_GetObjectItem(r, "result"), "tools")) {
		char *more = xasprintf("%s%s%s", names, *names ? "," : "",
				       cJSON_GetObjectItem(t, "name")->valuestring);

		ck_assert(cJSON_IsObject(cJSON_GetObjectItem(t, "inputSchema")));
		free(names);
		names = more;
	}
	cJSON_Delete(r);
	return names;
}

/* The assistant's tools are offered; a change of them is noticed once. */
START_TEST(test_tools_follow_assistant)
{
	struct err e = { 0, "" };
	struct assistant a = { 0 };
	struct mcp_session *s;
	char *names, *note;
	cJSON *r;

	a.name = "helper";
	a.backend = ASSISTANT_OFFLINE;
	a.tools = xstrdup("task_add,task_list");
	ck_assert_int_eq(assistant_add(st, &a, NOW, &e), 0);
	ck_assert_ptr_null(mcp_session_new(st, cfg, 1, "nobody", &e));
	ck_assert_str_eq(e.msg, "no assistant named 'nobody'");
	s = mcp_session_new(st, cfg, 1, "helper", &e);
	ck_assert(!mcp_session_tools_changed(s, &note)); /* nothing listed yet */
	names = tool_names(s);
	ck_assert_str_eq(names, "task_add,task_list");
	free(names);
	ck_assert(!mcp_session_tools_changed(s, &note));
	ck_assert_ptr_null(note);
	/* a tool outside the set is unknown */
	r = ask(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":"
		   "\"time_now\",\"arguments\":{}}}");
	ck_assert_int_eq(error_code(r), -32602);
	cJSON_Delete(r);
	free(a.tools);
	a.tools = xstrdup("task_list");
	ck_assert_int_eq(assistant_update(st, &a, false, &e), 0);
	ck_assert(mcp_session_tools_changed(s, &note));
	ck_assert_str_eq(note,
			 "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}");
	free(note);
	ck_assert(!mcp_session_tools_changed(s, &note)); /* told once */
	names = tool_names(s);
	ck_assert_str_eq(names, "task_list");
	free(names);
	free(a.tools);
	mcp_session_free(s);
}
END_TEST

/* Only the message whose id is the request's answers it: not an id that
 * rounds to it, nor one no integer holds (skipped, as a notification). */
START_TEST(test_client_matches_ids_exactly)
{
	static const char out[] =
		"{\"jsonrpc\":\"2.0\",\"id\":1e300,\"result\":{}}\n"
		"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"result\":{\"serverInfo\":{\"name\":\"wrong\"}}}"
		"\n"
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"serverInfo\":{\"name\":\"right\"}}}\n"
		"{\"jsonrpc\":\"2.0\",\"id\":-9.3e18,\"result\":{\"tools\":[]}}\n"
		"{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[{\"name\":\"echo\"}]}}\n";
	int fd = memfd_create("server", MFD_CLOEXEC), in = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct err e = { 0, "" };
	struct mcpc *c;
	cJSON *tools = NULL;
	const cJSON *name;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(in, 0);
	ck_assert_int_eq(write(fd, out, sizeof(out) - 1), (ssize_t)(sizeof(out) - 1));
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	c = mcpc_new_fd("srv", in, fd, 5000);
	ck_assert_msg(mcpc_list_tools(c, &tools, &e) == 0, "%s", e.msg);
	name = cJSON_GetObjectItem(mcpc_server_info(c), "name");
	ck_assert_str_eq(cJSON_GetStringValue(name), "right");
	ck_assert_int_eq(cJSON_GetArraySize(tools), 1);
	cJSON_Delete(tools);
	/* the server's output ends: the transport is broken, and stays so */
	ck_assert_int_eq(mcpc_call(c, "echo", NULL, NULL, &tools, &e), -1);
	ck_assert(mcpc_dead(c));
	ck_assert_int_eq(mcpc_list_tools(c, &tools, &e), -1);
	ck_assert_str_eq(e.msg, "srv: the server is gone");
	mcpc_free(c);
}
END_TEST

#define ANSWER(id, text)                                                                           \
	"{\"jsonrpc\":\"2.0\",\"id\":" id ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":" \
	"\"" text "\"}]}}\n"

/* A client of a server on pipes: *to is what the client sends, *from
 * what the server says (the test writes it); initialize and one page of
 * tools answered. */
static struct mcpc *piped_client(long timeout_ms, int *to, int *from)
{
	static const char hello[] =
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"serverInfo\":{\"name\":\"s\"}}}\n"
		"{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[{\"name\":\"slow\"}]}}\n";
	int a[2], b[2];
	struct err e = { 0, "" };
	struct mcpc *c;
	cJSON *tools;

	ck_assert_int_eq(pipe2(a, O_CLOEXEC | O_NONBLOCK), 0);
	ck_assert_int_eq(pipe2(b, O_CLOEXEC), 0);
	ck_assert_int_eq(write(b[1], hello, sizeof(hello) - 1), (ssize_t)(sizeof(hello) - 1));
	c = mcpc_new_fd("srv", a[1], b[0], timeout_ms);
	*to = a[0];
	*from = b[1];
	ck_assert_msg(mcpc_list_tools(c, &tools, &e) == 0, "%s", e.msg);
	cJSON_Delete(tools);
	return c;
}

static void say(int fd, const char *text)
{
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

/* What the client sent so far. */
static char *sent(int fd)
{
	static char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static const char *call_text(struct mcpc *c, const atomic_int *cancel, struct err *e)
{
	static char text[64];
	cJSON *r = NULL;

	if (mcpc_call(c, "slow", NULL, cancel, &r, e) < 0)
		return NULL;
	snprintf(text, sizeof(text), "%s",
		 cJSON_GetStringValue(cJSON_GetObjectItem(
			 cJSON_GetArrayItem(cJSON_GetObjectItem(r, "content"), 0), "text")));
	cJSON_Delete(r);
	return text;
}

/* A call the user cancelled: the server is told, and the answer it sends
 * late anyway, before or after the next call's, is no call's answer. */
START_TEST(test_client_skips_late_answers)
{
	struct err e = { 0, "" };
	atomic_int cancel = 1;
	int to, from;
	struct mcpc *c = piped_client(5000, &to, &from);

	ck_assert_ptr_null(call_text(c, &cancel, &e));
	ck_assert_str_eq(e.msg, "srv: cancelled");
	ck_assert_ptr_nonnull(strstr(sent(to), "\"method\":\"notifications/cancelled\","
					       "\"params\":{\"requestId\":3,"));
	say(from, ANSWER("3", "late") ANSWER("4", "fourth"));
	ck_assert_str_eq(call_text(c, NULL, &e), "fourth");
	atomic_store(&cancel, 1);
	ck_assert_ptr_null(call_text(c, &cancel, &e));
	say(from, ANSWER("6", "sixth") ANSWER("5", "late"));
	ck_assert_str_eq(call_text(c, NULL, &e), "sixth");
	say(from, ANSWER("7", "seventh"));
	ck_assert_str_eq(call_text(c, NULL, &e), "seventh");
	ck_assert(!mcpc_dead(c));
	mcpc_free(c);
	close(to);
	close(from);
}
END_TEST

/* A call with no answer within the timeout: the server is told it is
 * cancelled (it may stop the work), and its late answer is skipped. */
START_TEST(test_client_cancels_on_timeout)
{
	struct err e = { 0, "" };
	int to, from;
	struct mcpc *c = piped_client(1, &to, &from);

	(void)sent(to);
	ck_assert_ptr_null(call_text(c, NULL, &e));
	ck_assert_str_eq(e.msg, "srv: no answer within 1 s");
	ck_assert_ptr_nonnull(strstr(sent(to), "\"method\":\"notifications/cancelled\","
					       "\"params\":{\"requestId\":3,"));
	say(from, ANSWER("3", "late") ANSWER("4", "fourth"));
	ck_assert_str_eq(call_text(c, NULL, &e), "fourth");
	mcpc_free(c);
	close(to);
	close(from);
}
END_TEST

/* What the stdio reader may answer itself while a call runs: a ping alone,
 * answered as mcp_session_handle answers it; anything else is left. */
START_TEST(test_ping_aside)
{
	static const char *const left[] = {
		"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
		"{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}",
		"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\","
		"\"params\":{\"x\":\"ping\"}}",
		"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"",
		"{\"jsonrpc\":\"2.0\",\"id\":\"ping\",\"result\":{}}",
		NULL,
	};
	static const char *const pings[] = {
		"{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}",
		"{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\",\"params\":{}}",
		"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\",\"params\":[1]}",
		"{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}",
		NULL,
	};
	struct err e = { 0, "" };
	struct mcp_session *s = mcp_session_new(st, cfg, store_user(st), NULL, &e);
	char *reply, *handled;

	ck_assert_ptr_nonnull(s);
	for (int i = 0; left[i]; i++) {
		ck_assert_msg(!mcp_session_ping(s, left[i], &reply), "answered %s", left[i]);
		ck_assert_ptr_null(reply);
	}
	for (int i = 0; pings[i]; i++) {
		ck_assert_msg(mcp_session_ping(s, pings[i], &reply), "left %s", pings[i]);
		mcp_session_handle(s, pings[i], NOW, &handled);
		ck_assert_str_eq(reply, handled);
		free(reply);
		free(handled);
	}
	mcp_session_ping(s, pings[0], &reply);
	ck_assert_str_eq(reply, "{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{}}");
	free(reply);
	mcp_session_free(s);
}
END_TEST

/* A server whose listing of tools goes round (a cursor sent before comes
 * back): the client stops there with the tools so far, asks no more. */
START_TEST(test_client_stops_at_a_repeated_cursor)
{
	static const char out[] =
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"serverInfo\":{\"name\":\"s\"}}}\n"
		"{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[{\"name\":\"a\"}],"
		"\"nextCursor\":\"x\"}}\n"
		"{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"tools\":[{\"name\":\"b\"}],"
		"\"nextCursor\":\"y\"}}\n"
		"{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{\"tools\":[{\"name\":\"c\"}],"
		"\"nextCursor\":\"x\"}}\n";
	int fd = memfd_create("server", MFD_CLOEXEC), a[2];
	struct err e = { 0, "" };
	struct mcpc *c;
	cJSON *tools = NULL;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pipe2(a, O_CLOEXEC | O_NONBLOCK), 0);
	ck_assert_int_eq(write(fd, out, sizeof(out) - 1), (ssize_t)(sizeof(out) - 1));
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	c = mcpc_new_fd("srv", a[1], fd, 5000);
	ck_assert_msg(mcpc_list_tools(c, &tools, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(cJSON_GetArraySize(tools), 3);
	ck_assert_str_eq(
		cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(tools, 2), "name")),
		"c");
	cJSON_Delete(tools);
	/* the requests: ids 2, 3 and 4 of tools/list, no fifth */
	ck_assert_ptr_null(strstr(sent(a[0]), "\"id\":5"));
	mcpc_free(c);
	close(a[0]);
}
END_TEST

/* A server that stops reading its stdin and sends requests (pings): the
 * client's answers fill the pipe, and the call fails, naming the server,
 * when its time is up, instead of hanging in write(). */
START_TEST(test_client_server_stops_reading)
{
	struct sbuf out = SBUF_INIT;
	int fd = memfd_create("server", MFD_CLOEXEC), a[2];
	struct err e = { 0, "" };
	struct mcpc *c;
	cJSON *r = NULL;

	ck_assert_int_ge(fd, 0);
	sbuf_adds(&out,
		  "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"serverInfo\":{\"name\":\"s\"}}}\n"
		  "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[{\"name\":\"x\"}]}}\n");
	for (int i = 0; i < 1000; i++)
		sbuf_addf(&out, "{\"jsonrpc\":\"2.0\",\"id\":\"p%d\",\"method\":\"ping\"}\n", i);
	ck_assert_int_eq(write(fd, out.buf, out.len), (ssize_t)out.len);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	sbuf_release(&out);
	/* a blocking pipe of one page, as a child's stdin is */
	ck_assert_int_eq(pipe2(a, O_CLOEXEC), 0);
	ck_assert_int_ge(fcntl(a[1], F_SETPIPE_SZ, 4096), 4096);
	c = mcpc_new_fd("srv", a[1], fd, 1);
	ck_assert_msg(mcpc_list_tools(c, &r, &e) == 0, "%s", e.msg);
	cJSON_Delete(r);
	(void)sent(a[0]);
	ck_assert_int_eq(mcpc_call(c, "x", NULL, NULL, &r, &e), -1);
	ck_assert_str_eq(e.msg, "srv: the server stopped reading its input");
	ck_assert(mcpc_dead(c));
	mcpc_free(c);
	close(a[0]);
}
END_TEST

/* A server's variables and headers are kept by name, with the secrets'
 * names, and come back as given; what would reach another program or a
 * request badly is refused before it is kept. */
START_TEST(test_server_creds_kept_by_name)
{
	char *argv[] = { "srv", NULL };
	struct mcp_cred env[] = { { "API_KEY", "api-key", false, false },
				  { "OTHER", "other.key", false, false } };
	struct mcp_cred hdr[] = { { "X-Api-Key", "k", true, false },
				  { "Authorization", "tok", true, true } };
	struct mcp_server a = { .name = "a", .argv = argv, .creds = env, .ncreds = 2 };
	struct mcp_server b = {
		.name = "b", .url = "https://127.0.0.1:9/mcp", .creds = hdr, .ncreds = 2
	};
	struct mcp_server got;
	struct err e = { 0, "" };

	ck_assert_int_eq(mcp_server_add(st, &a, NOW, &e), 0);
	ck_assert_int_eq(mcp_server_add(st, &b, NOW, &e), 0);
	ck_assert_int_eq(mcp_server_get(st, "a", &got, &e), 0);
	ck_assert_uint_eq(got.ncreds, 2);
	ck_assert_str_eq(got.creds[1].name, "OTHER");
	ck_assert_str_eq(got.creds[1].secret, "other.key");
	ck_assert(!got.creds[0].header && !got.creds[0].bearer);
	mcp_server_release(&got);
	ck_assert_int_eq(mcp_server_get(st, "b", &got, &e), 0);
	ck_assert_uint_eq(got.ncreds, 2);
	ck_assert_str_eq(got.creds[1].name, "Authorization");
	ck_assert(got.creds[1].header && got.creds[1].bearer && !got.creds[0].bearer);
	mcp_server_release(&got);

	b.name = "c";
	hdr[1] = (struct mcp_cred){ "x-api-key", "k2", true, false };
	ck_assert_int_eq(mcp_server_add(st, &b, NOW, &e), -1);
	ck_assert_str_eq(e.msg, "header 'x-api-key' given twice");
	hdr[1] = (struct mcp_cred){ "Bad\r\nHost", "k2", true, false };
	ck_assert_int_eq(mcp_server_add(st, &b, NOW, &e), -1);
	ck_assert(strstr(e.msg, "bad header name") != NULL);
	a.name = "d";
	env[1] = (struct mcp_cred){ "LD_PRELOAD", "k", false, false };
	ck_assert_int_eq(mcp_server_add(st, &a, NOW, &e), -1);
	env[1] = (struct mcp_cred){ "A=B", "k", false, false };
	ck_assert_int_eq(mcp_server_add(st, &a, NOW, &e), -1);
	ck_assert(strstr(e.msg, "bad variable name") != NULL);
	ck_assert_int_eq(mcp_server_get(st, "c", &got, &e), -1);
	ck_assert_int_eq(mcp_server_get(st, "d", &got, &e), -1);
}
END_TEST

/* A variable given to a child replaces the one nestor has: one entry. */
START_TEST(test_childenv_gives_once)
{
	char *extra[] = { "MCP_TEST_VAR=given", NULL };
	char **env;
	int n = 0;

	setenv("MCP_TEST_VAR", "nestor's", 1);
	setenv("MCP_TEST_VARX", "kept", 1);
	env = childenv_new(extra);
	for (char **p = env; *p; p++)
		if (!strncmp(*p, "MCP_TEST_VAR", 12)) {
			n++;
			ck_assert_msg(!strcmp(*p, "MCP_TEST_VAR=given") ||
					      !strcmp(*p, "MCP_TEST_VARX=kept"),
				      "%s", *p);
		}
	ck_assert_int_eq(n, 2);
	free(env);
	unsetenv("MCP_TEST_VAR");
	unsetenv("MCP_TEST_VARX");
}
END_TEST

/* A result over the limit: its largest list cut to whole items with a
 * note, exactly at the limit when it can be; none to cut is NULL. */
START_TEST(test_result_cut_whole_items)
{
	char item[101], wide[601], *json, *text, *note;
	cJSON *v, *flat = cJSON_Parse("{\"text\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"),
		  *cut, *big, *small;
	size_t whole, at;
	char why[JSON_WHY_MAX];
	cJSON *v2;

	memset(item, 'x', 100);
	item[100] = '\0';
	memset(wide, 'y', 600);
	wide[600] = '\0';
	json = xasprintf("{\"n\":1,\"few\":[1],\"tasks\":[\"%s\",\"%s\",\"%s\"]}", item, item,
			 item);
	v = cJSON_Parse(json);
	text = json_print_max(v, 1000, &whole);
	ck_assert_str_eq(text, json);
	ck_assert_uint_eq(whole, strlen(json));
	free(text);
	text = json_print_max(v, 250, &whole);
	ck_assert_uint_le(strlen(text), 250);
	cut = cJSON_Parse(text);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cut, "tasks")), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cut, "few")), 1);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cut, "truncated")->valuestring,
			 "1 of 3 tasks shown: the result is 336 bytes, more than 250");
	cJSON_Delete(cut);
	free(text);
	ck_assert_ptr_null(json_print_max(flat, 30, &whole));
	ck_assert_ptr_null(json_print_max(v, 60, &whole));
	free(json);
	cJSON_Delete(v);
	/* two large lists: both cut, both named; a member "truncated" kept */
	json = xasprintf("{\"truncated\":[1],\"open\":[\"%s\",\"%s\",\"%s\"],"
			 "\"done\":[\"%s\",\"%s\",\"%s\"]}",
			 item, item, item, item, item, item);
	v = cJSON_Parse(json);
	text = json_print_max(v, 400, &whole);
	ck_assert_uint_le(strlen(text), 400);
	cut = cJSON_Parse(text);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cut, "open")), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cut, "done")), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cut, "truncated")), 1);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cut, "_truncated")->valuestring,
			 "1 of 3 open shown, 1 of 3 done shown: the result is 653 bytes, more "
			 "than 400");
	cJSON_Delete(cut);
	free(text);
	/* one item too large on its own: not an empty list */
	ck_assert_ptr_null(json_print_max(v, 200, &whole));
	cJSON_Delete(v);
	free(json);
	/* a list down to one large item stays; the other, larger one is cut */
	v = cJSON_CreateObject();
	big = cJSON_AddArrayToObject(v, "big");
	cJSON_AddItemToArray(big, cJSON_CreateString(wide));
	small = cJSON_AddArrayToObject(v, "small");
	for (int i = 0; i < 40; i++)
		cJSON_AddItemToArray(small, cJSON_CreateString("zzzzzzzzzzzzzzzzzzzz"));
	text = json_print_max(v, 1000, &whole);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_le(strlen(text), 1000);
	cut = cJSON_Parse(text);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cut, "big")), 1);
	ck_assert_int_gt(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cut, "small")), 0);
	ck_assert_int_lt(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cut, "small")), 40);
	note = cJSON_GetObjectItemCaseSensitive(cut, "truncated")->valuestring;
	ck_assert_ptr_nonnull(strstr(note, " of 40 small shown: the result is "));
	ck_assert_ptr_null(strstr(note, "big"));
	cJSON_Delete(cut);
	free(text);
	json = NULL;
	ck_assert(json_bad_byte("\f{}", 3, &at, why) && at == 0);
	ck_assert_str_eq(why, "white space is only space, tab, CR and LF");
	ck_assert(json_bad_byte("{\"a\":1}\v", 8, &at, why) && at == 7);
	ck_assert(!json_bad_byte("{\"\\f\":\" \\t\\u001f\"} \t\r\n", 22, &at, why));
	/* raw in a string, a name's too: RFC 8259 has them escaped */
	ck_assert(json_bad_byte("{\"a\":\"x\ty\"}", 12, &at, why) && at == 7);
	ck_assert_str_eq(why, "a control character (U+0009) in a string, not escaped");
	ck_assert(json_bad_byte("{\"\f\":1}", 7, &at, why) && at == 2);
	ck_assert(json_bad_byte("[\"\\\"\x1f\"]", 7, &at, why) && at == 4);
	/* the parse every server's answer goes through */
	v2 = json_parse_text("{\"a\":\"x\\ty\"}", 12, &at);
	ck_assert(cJSON_IsObject(v2));
	cJSON_Delete(v2);
	ck_assert_ptr_null(json_parse_text("{\"a\":\"x\ty\"}", 11, &at));
	ck_assert_uint_eq(at, 7);
	ck_assert_ptr_null(json_parse_text("{\"a\":}", 6, &at));
	ck_assert_uint_eq(at, 5);
	ck_assert_ptr_null(json_parse_text(NULL, 0, &at));
	/* what follows the value is let be (a server's trailing NUL, a form
	 * feed); in it, white space stays the four bytes */
	v2 = json_parse_text("{\"a\":1}\0", 8, &at);
	ck_assert(cJSON_IsObject(v2));
	cJSON_Delete(v2);
	v2 = json_parse_text("[1] \f\x01", 6, &at);
	ck_assert(cJSON_IsArray(v2));
	cJSON_Delete(v2);
	ck_assert_ptr_null(json_parse_text("\f{}", 3, &at));
	ck_assert_uint_eq(at, 0);
	ck_assert_ptr_null(json_parse_text("[1,\v2]", 6, &at));
	ck_assert_uint_eq(at, 3);
	cJSON_Delete(v);
	cJSON_Delete(flat);
	free(json);
}
END_TEST

Suite *mcp_suite(void)
{
	Suite *s = suite_create("mcp");
	TCase *tc = tcase_create("mcp");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_negotiation);
	tcase_add_test(tc, test_invalid_requests);
	tcase_add_test(tc, test_call_as_user);
	tcase_add_test(tc, test_tools_follow_assistant);
	tcase_add_test(tc, test_cancelled_before_start);
	tcase_add_test(tc, test_ping_aside);
	tcase_add_test(tc, test_hostile_names_echoed_escaped);
	tcase_add_test(tc, test_result_cut_whole_items);
	tcase_add_test(tc, test_server_creds_kept_by_name);
	suite_add_tcase(s, tc);
	tc = tcase_create("client");
	tcase_add_test(tc, test_client_matches_ids_exactly);
	tcase_add_test(tc, test_client_skips_late_answers);
	tcase_add_test(tc, test_client_cancels_on_timeout);
	tcase_add_test(tc, test_client_stops_at_a_repeated_cursor);
	tcase_add_test(tc, test_client_server_stops_reading);
	tcase_add_test(tc, test_childenv_gives_once);
	suite_add_tcase(s, tc);
	return s;
}
