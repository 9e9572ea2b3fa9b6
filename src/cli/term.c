/*
 * term.c - the executable's side of the terminal module (term.so): the
 * full-screen TUI (tui/, ncurses) and the chat REPL (repl.c, readline).
 * A command that draws no screen and edits no line maps neither library.
 * These stubs are the module's whole interface (src/base/module.h); the
 * first call loads it, and when it cannot be loaded the command fails with
 * "cannot load .../term.so: ...".
 */
#include "cmd.h"
#include "module.h"

int tui_main(struct ctx *ctx, int argc, char **argv)
{
	MODULE_CALL("term", tui_main, &ctx->err, ctx, argc, argv);
}

int cmd_chat(struct ctx *ctx, int argc, char **argv)
{
	MODULE_CALL("term", cmd_chat, &ctx->err, ctx, argc, argv);
}
