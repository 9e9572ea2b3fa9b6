/* Terminal set-up and restore, and the signals the TUI handles. */
#include "screen.h"
#include "theme.h"

#include <errno.h>
#include <fcntl.h>
#include <ncurses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

static int sigpipe[2] = { -1, -1 };
static struct termios saved_tty;
static bool have_tty;
static char restore_seq[256]; /* what endwin would send, prepared up front */
static size_t restore_len;
static SCREEN *scr;

static const int soft_signals[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP };
static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT };
static struct sigaction old_soft[4], old_fatal[6];

static void on_soft(int sig)
{
	int saved = errno;
	char c = sig == SIGWINCH ? 'w' : sig == SIGINT ? 'i' : 'q';

	if (write(sigpipe[1], &c, 1) < 0) {
		/* the pipe is full: the loop is already awake */
	}
	errno = saved;
}

static void on_fatal(int sig)
{
	if (restore_len && write(STDOUT_FILENO, restore_seq, restore_len) < 0) {
		/* nothing more can be done from here */
	}
	if (have_tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void add_cap(const char *name)
{
	char *s = tigetstr(name);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (restore_len + n < sizeof(restore_seq)) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

static void add_raw(const char *s)
{
	size_t n = strlen(s);

	if (restore_len + n < sizeof(restore_seq)) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

static void install(const int *sigs, size_t n, void (*fn)(int), struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = fn == on_soft ? SA_RESTART : SA_RESETHAND;
	for (size_t i = 0; i < n; i++)
		sigaction(sigs[i], &sa, &old[i]);
}

static void uninstall(const int *sigs, size_t n, const struct sigaction *old)
{
	for (size_t i = 0; i < n; i++)
		sigaction(sigs[i], &old[i], NULL);
}

int screen_open(bool color, struct err *e)
{
	if (pipe2(sigpipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return err_set(e, ERR_FAIL, "pipe: %s", strerror(errno));
	have_tty = tcgetattr(STDIN_FILENO, &saved_tty) == 0;
	/* Ours before curses looks: it leaves handlers that are not SIG_DFL alone. */
	install(soft_signals, 4, on_soft, old_soft);
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		uninstall(soft_signals, 4, old_soft);
		close(sigpipe[0]);
		close(sigpipe[1]);
		return err_set(e, ERR_FAIL, "cannot start the screen on terminal type '%s'",
			       getenv("TERM") ? getenv("TERM") : "");
	}
	restore_len = 0;
	add_raw("\033[?1000l\033[?1006l"); /* mouse reporting off */
	add_cap("sgr0");
	add_cap("cnorm");
	add_cap("rmkx");
	add_cap("rmcup");
	install(fatal_signals, 6, on_fatal, old_fatal);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	theme_init(color);
	return 0;
}

void screen_close(void)
{
	if (!scr)
		return;
	endwin();
	delscreen(scr);
	scr = NULL;
	uninstall(fatal_signals, 6, old_fatal);
	uninstall(soft_signals, 4, old_soft);
	close(sigpipe[0]);
	close(sigpipe[1]);
	sigpipe[0] = sigpipe[1] = -1;
	fflush(stdout);
}

int screen_fd(void)
{
	return sigpipe[0];
}

unsigned screen_signals(void)
{
	unsigned mask = 0;
	char buf[64];
	ssize_t n;

	while ((n = read(sigpipe[0], buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			mask |= buf[i] == 'w'	? SCREEN_RESIZE
				: buf[i] == 'i' ? SCREEN_INTERRUPT
						: SCREEN_QUIT;
	return mask;
}

void screen_resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
}
