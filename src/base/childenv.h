/*
 * childenv.h - the environment a program nestor starts gets: its own,
 * without the secrets.
 *
 * NESTOR_SECRET_* variables stand in for the Secret Service (secret.h); a
 * program nestor runs (a notify command, an MCP server) is not theirs to
 * read.  Build the list before fork(): the child of a threaded process may
 * not allocate.
 *
 *	char **env = childenv_new(NULL);
 *	pid = fork();
 *	if (pid == 0)
 *		execvpe(argv[0], argv, env);
 *	free(env);
 */
#ifndef NESTOR_CHILDENV_H
#define NESTOR_CHILDENV_H

/* extra ("NAME=value" strings, NULL-terminated, or NULL) followed by
 * environ without its NESTOR_SECRET_* entries and without the variables
 * extra sets (each is the child's once, with extra's value);
 * NULL-terminated.  The array
 * is the caller's to free() (not the strings: they stay environ's and
 * extra's). */
char **childenv_new(char *const extra[]);

#endif
