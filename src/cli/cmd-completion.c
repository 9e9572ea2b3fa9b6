/*
 * nestor completion bash|zsh|fish, and the hidden `nestor __complete KIND`.
 *
 * The scripts are generated from the command table: every command, verb
 * and option with its summary, read from the usage strings ("--at WHEN"
 * takes a value, "[--all]" does not).  Values come from what the option or
 * the argument names: --channel the channels, --assistant, --calendar,
 * --conversation and --user the names in the database, "ID" the ids of
 * the command's group (`task done` offers open tasks with their titles),
 * KEY the config keys, FILE and PATH files, "offline|llm" its words.  What
 * lives in the database comes from `nestor __complete KIND` at the time of
 * the TAB: "value<TAB>description" lines, nothing on any error, and no
 * database created where there was none.
 */
#include "cmd.h"
#include "utf8.h"
#include "config.h"
#include "conversation.h"
#include "event.h"
#include "job.h"
#include "notify.h"
#include "reminder.h"
#include "routine.h"
#include "sbuf.h"
#include "stats.h"
#include "task.h"
#include "user.h"
#include "assistant.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_OPTS  48
#define DYN_LIMIT 200

static const char bash_driver[] =
	"_nestor_values() {\n"
	"\tlocal kind=$1 cur=$2\n"
	"\tCOMPREPLY=()\n"
	"\tcase $kind in\n"
	"\t'') return ;;\n"
	"\tfiles) COMPREPLY=($(compgen -f -- \"$cur\")); compopt -o filenames 2>/dev/null; return "
	";;\n"
	"\t'='*) kind=${kind#=}; COMPREPLY=($(compgen -W \"${kind//,/ }\" -- \"$cur\")); return "
	";;\n"
	"\tesac\n"
	"\t_nestor_pick \"$(_nestor_static \"$kind\" || command \"$_nestor_cmd\" "
	"\"${_nestor_db[@]}\" __complete \"$kind\" 2>/dev/null)\" \"$cur\"\n"
	"}\n"
	"\n"
	"# _nestor_pick LINES CUR: the \"value<TAB>description\" lines that start with\n"
	"# CUR; several show their descriptions, one is inserted alone.\n"
	"_nestor_pick() {\n"
	"\tlocal line value\n"
	"\tlocal -a values=() shown=()\n"
	"\twhile IFS= read -r line; do\n"
	"\t\t[ -n \"$line\" ] || continue\n"
	"\t\tvalue=${line%%\t*}\n"
	"\t\t[[ $value == \"$2\"* ]] || continue\n"
	"\t\tvalues+=(\"$value\")\n"
	"\t\tif [[ $line == *\"\t\"* ]]; then shown+=(\"$value  (${line#*\t})\"); else "
	"shown+=(\"$value\"); fi\n"
	"\tdone <<< \"$1\"\n"
	"\tif [ ${#values[@]} -eq 1 ]; then COMPREPLY=(\"${values[0]}\"); else "
	"COMPREPLY=(\"${shown[@]}\"); fi\n"
	"}\n"
	"\n"
	"# _nestor_words: COMP_WORDS into words, cword with \"--opt\" \"=\" \"value\"\n"
	"# (bash breaks words at '=') one word again, when nothing parts them in\n"
	"# COMP_LINE.\n"
	"_nestor_words() {\n"
	"\tlocal j n glue=0 next=1 line=$COMP_LINE\n"
	"\twords=() cword=0\n"
	"\tfor ((j = 0; j < ${#COMP_WORDS[@]}; j++)); do\n"
	"\t\tn=${#words[@]}\n"
	"\t\tif [ -n \"$COMP_LINE\" ]; then\n"
	"\t\t\tnext=1\n"
	"\t\t\t[[ $line == [[:space:]]* ]] && next=0\n"
	"\t\t\tline=${line#\"${line%%[![:space:]]*}\"}; line=${line#\"${COMP_WORDS[j]}\"}\n"
	"\t\tfi\n"
	"\t\tif ((glue && next)); then\n"
	"\t\t\twords[n-1]+=${COMP_WORDS[j]}; glue=0\n"
	"\t\telif ((n > 1 && next)) && [[ ${COMP_WORDS[j]} == = && ${words[n-1]} == --* && "
	"${words[n-1]} != *=* ]]; then\n"
	"\t\t\twords[n-1]+==; glue=1\n"
	"\t\telse\n"
	"\t\t\twords+=(\"${COMP_WORDS[j]}\"); glue=0\n"
	"\t\tfi\n"
	"\t\t((j == COMP_CWORD)) && cword=$((${#words[@]} - 1))\n"
	"\tdone\n"
	"}\n"
	"\n"
	"_nestor() {\n"
	"\tlocal cur prev= pre= cmd= verb= w kind i npos=0 cword\n"
	"\tlocal _nestor_v _nestor_o _nestor_x _nestor_p _nestor_cmd=${COMP_WORDS[0]}\n"
	"\tlocal -a _nestor_db=() verbs=() words\n"
	"\tCOMPREPLY=()\n"
	"\t_nestor_words\n"
	"\tcur=${words[cword]}\n"
	"\t[ \"$cword\" -gt 0 ] && prev=${words[cword-1]}\n"
	"\t# --opt=VALUE: the value completed as after --opt; bash replaces it alone\n"
	"\t# when it split the word at '=', else the whole word (pre put back)\n"
	"\tif [[ $cur == --*=* ]]; then\n"
	"\t\tprev=${cur%%=*}; cur=${cur#*=}\n"
	"\t\t[[ ${COMP_WORDS[COMP_CWORD]} == --*=* ]] && pre=$prev=\n"
	"\tfi\n"
	"\tfor ((i = 1; i < cword; i++)); do\n"
	"\t\tw=${words[i]}\n"
	"\t\tcase $w in\n"
	"\t\t--db|--config|--user)\n"
	"\t\t\t# its value, unless it is the word being completed\n"
	"\t\t\t((i + 1 < cword)) && _nestor_db+=(\"$w\" \"${words[i+1]}\")\n"
	"\t\t\ti=$((i + 1)); continue ;;\n"
	"\t\t--db=*|--config=*|--user=*) _nestor_db+=(\"$w\"); continue ;;\n"
	"\t\tesac\n"
	"\t\t_nestor_spec \"$cmd\" \"$verb\"\n"
	"\t\tif [[ $w == -* ]]; then\n"
	"\t\t\t[[ $_nestor_x == *\" $w=\"* ]] && i=$((i + 1))\n"
	"\t\t\tcontinue\n"
	"\t\tfi\n"
	"\t\tif [ -z \"$cmd\" ]; then\n"
	"\t\t\tcmd=$w\n"
	"\t\telif [ -z \"$verb\" ] && [ $npos -eq 0 ] && [[ $'\\n'$_nestor_v == *$'\\n'\"$w\t\"* "
	"]]; then\n"
	"\t\t\tverb=$w\n"
	"\t\telse\n"
	"\t\t\tnpos=$((npos + 1))\n"
	"\t\tfi\n"
	"\tdone\n"
	"\t_nestor_spec \"$cmd\" \"$verb\"\n"
	"\tif [[ $prev == --user ]]; then\n"
	"\t\t_nestor_values users \"$cur\"\n"
	"\telif [[ $prev == --db || $prev == --config ]]; then\n"
	"\t\t_nestor_values files \"$cur\"\n"
	"\telif [[ $prev == -* && $_nestor_x == *\" $prev=\"* ]]; then\n"
	"\t\tkind=${_nestor_x#*\" $prev=\"}\n"
	"\t\t_nestor_values \"${kind%% *}\" \"$cur\"\n"
	"\telif [[ $cur == -* ]]; then\n"
	"\t\tCOMPREPLY=($(compgen -W \"$_nestor_o\" -- \"$cur\"))\n"
	"\telif [ $npos -eq 0 ]; then\n"
	"\t\tif [ -z \"$verb\" ] && [ -n \"$_nestor_v\" ]; then\n"
	"\t\t\t_nestor_pick \"$_nestor_v\" \"$cur\"\n"
	"\t\t\tverbs=(\"${COMPREPLY[@]}\")\n"
	"\t\tfi\n"
	"\t\t_nestor_values \"$_nestor_p\" \"$cur\"\n"
	"\t\tCOMPREPLY+=(\"${verbs[@]}\")\n"
	"\tfi\n"
	"\t[ -z \"$pre\" ] || COMPREPLY=(\"${COMPREPLY[@]/#/$pre}\")\n"
	"\treturn 0\n"
	"}\n"
	"complete -F _nestor nestor\n";

static const char zsh_driver[] =
	"_nestor_values() {\n"
	"\tlocal kind=$1\n"
	"\tlocal -a cands\n"
	"\tcase $kind in\n"
	"\t'') return 1 ;;\n"
	"\tfiles) _files; return ;;\n"
	"\t'='*) kind=${kind#=}; cands=(${(s:,:)kind}); compadd -a cands; return ;;\n"
	"\tesac\n"
	"\t_nestor_describe \"$(_nestor_static $kind || command $_nestor_cmd $_nestor_db "
	"__complete $kind 2>/dev/null)\"\n"
	"}\n"
	"\n"
	"# _nestor_describe LINES: \"value<TAB>description\" lines as candidates.\n"
	"_nestor_describe() {\n"
	"\tlocal line value\n"
	"\tlocal -a cands\n"
	"\tfor line in ${(f)1}; do\n"
	"\t\tvalue=${line%%$'\\t'*}\n"
	"\t\tvalue=${value//:/\\\\:}\n"
	"\t\tif [[ $line == *$'\\t'* ]]; then cands+=(\"$value:${line#*$'\\t'}\"); else "
	"cands+=(\"$value\"); fi\n"
	"\tdone\n"
	"\t(( ${#cands} )) && _describe -t values 'nestor' cands\n"
	"}\n"
	"\n"
	"_nestor() {\n"
	"\tlocal cur=${words[CURRENT]} prev=${words[CURRENT-1]} cmd= verb= w kind i npos=0\n"
	"\tlocal _nestor_v _nestor_o _nestor_x _nestor_p _nestor_cmd=${words[1]}\n"
	"\tlocal -a _nestor_db\n"
	"\tfor ((i = 2; i < CURRENT; i++)); do\n"
	"\t\tw=${words[i]}\n"
	"\t\tcase $w in\n"
	"\t\t--db|--config|--user)\n"
	"\t\t\t# its value, unless it is the word being completed\n"
	"\t\t\t((i + 1 < CURRENT)) && _nestor_db+=(\"$w\" \"${words[i+1]}\")\n"
	"\t\t\ti=$((i + 1)); continue ;;\n"
	"\t\t--db=*|--config=*|--user=*) _nestor_db+=(\"$w\"); continue ;;\n"
	"\t\tesac\n"
	"\t\t_nestor_spec \"$cmd\" \"$verb\"\n"
	"\t\tif [[ $w == -* ]]; then\n"
	"\t\t\t[[ $_nestor_x == *\" $w=\"* ]] && i=$((i + 1))\n"
	"\t\t\tcontinue\n"
	"\t\tfi\n"
	"\t\tif [[ -z $cmd ]]; then\n"
	"\t\t\tcmd=$w\n"
	"\t\telif [[ -z $verb && $npos -eq 0 && $'\\n'$_nestor_v == *$'\\n'\"$w\"$'\\t'* ]]; then\n"
	"\t\t\tverb=$w\n"
	"\t\telse\n"
	"\t\t\tnpos=$((npos + 1))\n"
	"\t\tfi\n"
	"\tdone\n"
	"\t_nestor_spec \"$cmd\" \"$verb\"\n"
	"\tif [[ $prev == --user ]]; then\n"
	"\t\t_nestor_values users\n"
	"\telif [[ $prev == -* && $_nestor_x == *\" $prev=\"* ]]; then\n"
	"\t\tkind=${_nestor_x#*\" $prev=\"}\n"
	"\t\t_nestor_values \"${kind%% *}\"\n"
	"\telif [[ $cur == -* ]]; then\n"
	"\t\tcompadd -- ${=_nestor_o}\n"
	"\telif (( npos == 0 )); then\n"
	"\t\t[[ -z $verb && -n $_nestor_v ]] && _nestor_describe \"$_nestor_v\"\n"
	"\t\t_nestor_values \"$_nestor_p\"\n"
	"\tfi\n"
	"\treturn 0\n"
	"}\n"
	"\n"
	"if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then\n"
	"\t_nestor \"$@\"\n"
	"else\n"
	"\tcompdef _nestor nestor\n"
	"fi\n";

static const char fish_driver[] =
	"# The command and verb typed so far: the words that are not options.\n"
	"function __nestor_words\n"
	"\tset -l out\n"
	"\tset -l skip 0\n"
	"\tfor w in (commandline -opc)[2..-1]\n"
	"\t\tif test $skip = 1\n"
	"\t\t\tset skip 0\n"
	"\t\t\tcontinue\n"
	"\t\tend\n"
	"\t\tswitch $w\n"
	"\t\t\tcase --db --config --user\n"
	"\t\t\t\tset skip 1\n"
	"\t\t\tcase '-*'\n"
	"\t\t\tcase '*'\n"
	"\t\t\t\tset out $out $w\n"
	"\t\tend\n"
	"\tend\n"
	"\tfor w in $out\n"
	"\t\techo $w\n"
	"\tend\n"
	"end\n"
	"\n"
	"# Exactly these words so far (__nestor_at), or these first (__nestor_in).\n"
	"function __nestor_at\n"
	"\tset -l w (__nestor_words)\n"
	"\ttest (count $w) -eq (count $argv); or return 1\n"
	"\ttest \"$w\" = \"$argv\"\n"
	"end\n"
	"\n"
	"function __nestor_in\n"
	"\tset -l w (__nestor_words)\n"
	"\tset -l n (count $argv)\n"
	"\ttest $n -eq 0; and return 0\n"
	"\ttest (count $w) -ge $n; or return 1\n"
	"\ttest \"$w[1..$n]\" = \"$argv\"\n"
	"end\n"
	"\n"
	"# Ids and names from the database: \"value<TAB>description\" lines.\n"
	"function __nestor_dyn\n"
	"\t__nestor_static $argv[1]; and return\n"
	"\tset -l db\n"
	"\tset -l words (commandline -opc)\n"
	"\tfor i in (seq (count $words))\n"
	"\t\tswitch $words[$i]\n"
	"\t\t\tcase --db --config --user\n"
	"\t\t\t\ttest $i -lt (count $words); and set db $db $words[$i] $words[(math $i + 1)]\n"
	"\t\tend\n"
	"\tend\n"
	"\tcommand $words[1] $db __complete $argv[1] 2>/dev/null\n"
	"end\n"
	"\n"
	"complete -c nestor -f\n";

/* An option of a usage string and the kind of its value ("" for none,
 * NULL when it takes no value). */
struct opt {
	char name[40];
	const char *kind;
	char choices[64]; /* kind "=a,b" lives here */
};

/* "offline|llm": a word list; true when every part is lowercase. */
static bool choices(const char *meta, char *out, size_t len)
{
	if (!strchr(meta, '|'))
		return false;
	for (const char *p = meta; *p; p++)
		if (!islower((unsigned char)*p) && *p != '|' && *p != '-')
			return false;
	snprintf(out, len, "=%s", meta);
	for (char *p = out; *p; p++)
		if (*p == '|')
			*p = ',';
	return true;
}

/* The kind of values a metavariable names after an option or alone. */
static const char *meta_kind(const char *group, const char *option, const char *meta, char *buf,
			     size_t len)
{
	static const struct {
		const char *group, *meta, *kind;
	} ids[] = {
		{ "task", "ID", "tasks" },
		{ "remind", "ID", "reminders" },
		{ "routine", "ID", "routines" },
		{ "event", "ID", "events" },
		{ "history", "ID", "conversations" },
		{ "jobs", "ID", "jobs" },
		{ "assistant", "NAME", "assistants" },
		{ "config", "KEY", "keys" },
		{ NULL, "COMMAND", "commands" },
	};
	static const struct {
		const char *option, *kind;
	} opts[] = {
		{ "--assistant", "assistants" }, { "--calendar", "calendars" },
		{ "--channel", "channels" },	 { "--conversation", "conversations" },
		{ "--user", "users" },
	};

	for (size_t i = 0; option && i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strcmp(option, opts[i].option))
			return opts[i].kind;
	if (!strncmp(meta, "FILE", 4) || !strncmp(meta, "PATH", 4))
		return "files";
	if (choices(meta, buf, len))
		return buf;
	for (size_t i = 0; !option && i < sizeof(ids) / sizeof(ids[0]); i++)
		if ((!ids[i].group || (group && !strcmp(group, ids[i].group))) &&
		    !strcmp(meta, ids[i].meta))
			return ids[i].kind;
	return "";
}

/* A usage token without its brackets and a trailing "...". */
static void bare(const char *tok, size_t n, char *out, size_t len)
{
	while (n && (*tok == '[' || *tok == '(')) {
		tok++;
		n--;
	}
	while (n && (tok[n - 1] == ']' || tok[n - 1] == ')' || tok[n - 1] == '.'))
		n--;
	snprintf(out, len, "%.*s", (int)n, tok);
}

static bool is_option(const char *it)
{
	return it[0] == '-' && (isalpha((unsigned char)it[1]) || it[1] == '-');
}

/* The options of usage (plus --json and --help) and the kind of its first
 * positional argument (*pos, "" when none). */
static size_t parse_usage(const char *group, const char *usage, struct opt *o, char *pos,
			  size_t poslen)
{
	const char *p = usage ? usage : "";
	char items[64][96];
	bool opened[64];
	size_t tokof[64], ntok = 0; /* the token each item comes from */
	size_t n = 0, no = 0;

	*pos = '\0';
	/* split on spaces, and "TEXT|--prompt-file" on its "|--" */
	while (*p && n < 64) {
		size_t len = strcspn(p, " ");
		char tok[96], *alt;

		bare(p, len, tok, sizeof(tok));
		for (char *t = tok; t && n < 64; t = alt) {
			alt = strstr(t, "|-");
			if (alt)
				*alt++ = '\0';
			snprintf(items[n], sizeof(items[n]), "%s", t);
			tokof[n] = ntok;
			opened[n++] = *p == '[' && t == tok;
		}
		ntok++;
		p += len;
		p += strspn(p, " ");
	}
	for (size_t i = 0; i < n; i++) {
		char *it = items[i];

		if (is_option(it) && no < MAX_OPTS) {
			size_t j = i;
			bool value;

			/* "-o|--output FILE": the spellings of one option share its value */
			while (j + 1 < n && tokof[j + 1] == tokof[i] && is_option(items[j + 1]))
				j++;
			value = j + 1 < n && items[j + 1][0] && items[j + 1][0] != '-' &&
				strcmp(items[j + 1], "|") && !opened[j + 1];
			for (; i <= j && no < MAX_OPTS; i++) {
				struct opt *op = &o[no++];

				snprintf(op->name, sizeof(op->name), "%s", items[i]);
				/* kind may point into op->choices */
				op->kind = value ? meta_kind(group, items[i], items[j + 1],
							     op->choices, sizeof(op->choices))
						 : NULL;
			}
			i = j + value;
		} else if (!*pos && it[0] && strcmp(it, "|")) {
			char buf[64];
			const char *k = meta_kind(group, NULL, it, buf, sizeof(buf));

			snprintf(pos, poslen, "%s", *k ? k : "-");
		}
	}
	if (!strcmp(pos, "-"))
		*pos = '\0';
	for (size_t k = 0; k < 2 && no < MAX_OPTS; k++) {
		const char *name = k ? "--help" : "--json";
		bool seen = false;

		for (size_t i = 0; i < no; i++)
			seen |= !strcmp(o[i].name, name);
		if (!seen) {
			snprintf(o[no].name, sizeof(o[no].name), "%s", name);
			o[no++].kind = NULL;
		}
	}
	return no;
}

/* text inside single quotes for sh */
static void add_quoted(struct sbuf *sb, const char *text)
{
	sbuf_adds(sb, "'");
	for (const char *t = text; *t; t++) {
		if (*t == '\'')
			sbuf_adds(sb, "'\\''");
		else
			sbuf_add(sb, t, 1);
	}
	sbuf_adds(sb, "'");
}

/* One case of _nestor_spec for bash and zsh. */
static void spec_case(struct sbuf *sb, const char *key, const struct cmd *verbs, const char *group,
		      const char *usage, bool global)
{
	struct opt o[MAX_OPTS];
	struct sbuf v = SBUF_INIT, opts = SBUF_INIT, vals = SBUF_INIT;
	char pos[64];
	size_t no = parse_usage(group, usage, o, pos, sizeof(pos));

	for (const struct cmd *c = verbs; c && c->name; c++)
		if (!(c->flags & CMD_HIDDEN))
			sbuf_addf(&v, "%s%s\t%s", v.len ? "\n" : "", c->name, c->summary);
	if (global) {
		sbuf_adds(&opts, "--db --config --user --version ");
		sbuf_adds(&vals, " --db=files --config=files --user=users");
	}
	for (size_t i = 0; i < no; i++) {
		sbuf_addf(&opts, "%s%s", i ? " " : "", o[i].name);
		if (o[i].kind)
			sbuf_addf(&vals, " %s=%s", o[i].name, o[i].kind);
	}
	sbuf_addf(sb, "\t%s)", key);
	if (v.len) {
		sbuf_adds(sb, " _nestor_v=");
		add_quoted(sb, v.buf);
	}
	sbuf_addf(sb, " _nestor_o='%s'", opts.buf ? opts.buf : "");
	if (vals.len)
		sbuf_addf(sb, " _nestor_x='%s '", vals.buf);
	if (*pos)
		sbuf_addf(sb, " _nestor_p='%s'", pos);
	sbuf_adds(sb, " ;;\n");
	sbuf_release(&v);
	sbuf_release(&opts);
	sbuf_release(&vals);
}

/* _nestor_spec CMD VERB (bash and zsh): the verbs, options, options with
 * a value and the first argument's kind there; _nestor_static KIND: the
 * values that never change. */
static void sh_tables(struct sbuf *sb)
{
	sbuf_adds(sb, "_nestor_spec() {\n\t_nestor_v= _nestor_o= _nestor_x= _nestor_p=\n"
		      "\tcase \"$1/$2\" in\n");
	spec_case(sb, "/", cmd_table, NULL, NULL, true);
	for (const struct cmd *c = cmd_table; c->name; c++) {
		char key[80];

		if (c->flags & CMD_HIDDEN)
			continue;
		snprintf(key, sizeof(key), "%s/", c->name);
		spec_case(sb, key, c->sub, c->name, c->exec ? c->usage : NULL, false);
		for (const struct cmd *v = c->sub; v && v->name; v++) {
			snprintf(key, sizeof(key), "%s/%s", c->name, v->name);
			spec_case(sb, key, NULL, c->name, v->usage, false);
		}
	}
	sbuf_adds(sb, "\tesac\n}\n\n_nestor_static() {\n\tcase $1 in\n\tchannels) printf '%s\\n'");
	for (const char *const *ch = notify_channels; *ch; ch++)
		sbuf_addf(sb, " %s", *ch);
	sbuf_adds(sb, " ;;\n\tkeys) printf '%s\\n'");
	for (const struct config_key *k = config_keys; k->key; k++)
		sbuf_addf(sb, " %s", k->key);
	sbuf_adds(sb, " ;;\n\tcommands) printf '%s\\n'");
	for (const struct cmd *c = cmd_table; c->name; c++)
		if (!(c->flags & CMD_HIDDEN))
			sbuf_addf(sb, " %s", c->name);
	sbuf_adds(sb, " ;;\n\t*) return 1 ;;\n\tesac\n}\n\n");
}

/* "a,b,c" as "a b c" */
static void add_words(struct sbuf *sb, const char *list)
{
	for (const char *p = list; *p; p++)
		sbuf_add(sb, *p == ',' ? " " : p, 1);
}

/* fish: one `complete` line per command, verb, option and argument. */
static void fish_option(struct sbuf *sb, const char *cond, const struct opt *o)
{
	sbuf_addf(sb, "complete -c nestor -n '%s' ", cond);
	if (o->name[1] == '-')
		sbuf_addf(sb, "-l %s", o->name + 2);
	else
		sbuf_addf(sb, "-s %s", o->name + 1);
	if (!o->kind)
		sbuf_adds(sb, "\n");
	else if (!strcmp(o->kind, "files"))
		sbuf_adds(sb, " -r -F\n");
	else if (o->kind[0] == '=') {
		sbuf_adds(sb, " -x -a '");
		add_words(sb, o->kind + 1);
		sbuf_adds(sb, "'\n");
	} else if (*o->kind)
		sbuf_addf(sb, " -x -a '(__nestor_dyn %s)'\n", o->kind);
	else
		sbuf_adds(sb, " -x\n");
}

static void fish_usage(struct sbuf *sb, const char *group, const char *words, const char *usage)
{
	struct opt o[MAX_OPTS];
	char pos[64], cond[96];
	size_t no = parse_usage(group, usage, o, pos, sizeof(pos));

	snprintf(cond, sizeof(cond), "__nestor_in %s", words);
	for (size_t i = 0; i < no; i++)
		fish_option(sb, cond, &o[i]);
	snprintf(cond, sizeof(cond), "__nestor_at %s", words);
	if (!strcmp(pos, "files"))
		sbuf_addf(sb, "complete -c nestor -n '%s' -F\n", cond);
	else if (pos[0] == '=') {
		sbuf_addf(sb, "complete -c nestor -n '%s' -a '", cond);
		add_words(sb, pos + 1);
		sbuf_adds(sb, "'\n");
	} else if (*pos)
		sbuf_addf(sb, "complete -c nestor -n '%s' -a '(__nestor_dyn %s)'\n", cond, pos);
}

static void fish_line(struct sbuf *sb, const char *cond, const char *name, const char *desc)
{
	sbuf_addf(sb, "complete -c nestor -n '%s' -a %s -d ", cond, name);
	add_quoted(sb, desc);
	sbuf_adds(sb, "\n");
}

static void fish_tables(struct sbuf *sb)
{
	sbuf_adds(sb, "complete -c nestor -l db -r -F -d 'the database file'\n"
		      "complete -c nestor -l config -r -F -d 'the configuration file'\n"
		      "complete -c nestor -l user -x -a '(__nestor_dyn users)' -d 'act as a user'\n"
		      "complete -c nestor -l json -d 'output JSON'\n"
		      "complete -c nestor -l version -d 'print the version'\n");
	for (const struct cmd *c = cmd_table; c->name; c++) {
		char cond[96];

		if (c->flags & CMD_HIDDEN)
			continue;
		fish_line(sb, "__nestor_at", c->name, c->summary);
		snprintf(cond, sizeof(cond), "__nestor_at %s", c->name);
		for (const struct cmd *v = c->sub; v && v->name; v++) {
			char words[80];

			fish_line(sb, cond, v->name, v->summary);
			snprintf(words, sizeof(words), "%s %s", c->name, v->name);
			fish_usage(sb, c->name, words, v->usage);
		}
		if (c->exec)
			fish_usage(sb, c->name, c->name, c->usage);
	}
	/* values that never change, for __nestor_dyn */
	sbuf_adds(sb, "\nfunction __nestor_static\n\tswitch $argv[1]\n\t\tcase "
		      "channels\n\t\t\tprintf '%s\\n'");
	for (const char *const *ch = notify_channels; *ch; ch++)
		sbuf_addf(sb, " %s", *ch);
	sbuf_adds(sb, "\n\t\tcase keys\n\t\t\tprintf '%s\\n'");
	for (const struct config_key *k = config_keys; k->key; k++)
		sbuf_addf(sb, " %s", k->key);
	sbuf_adds(sb, "\n\t\tcase commands\n\t\t\tprintf '%s\\n'");
	for (const struct cmd *c = cmd_table; c->name; c++)
		if (!(c->flags & CMD_HIDDEN))
			sbuf_addf(sb, " %s", c->name);
	sbuf_adds(sb, "\n\t\tcase '*'\n\t\t\treturn 1\n\tend\nend\n");
}

int cmd_completion(struct ctx *ctx, int argc, char **argv)
{
	struct sbuf sb = SBUF_INIT;
	const char *shell;

	if (argc != 2)
		return cmd_usage(ctx,
				 argc < 2 ? "missing SHELL (bash, zsh or fish)"
					  : "unexpected argument \"%s\"",
				 argv[argc < 2 ? 0 : 2]);
	shell = argv[1];
	if (!strcmp(shell, "bash")) {
		sbuf_adds(&sb,
			  "# bash completion for nestor, made by `nestor completion bash`\n\n");
		sh_tables(&sb);
		sbuf_adds(&sb, bash_driver);
	} else if (!strcmp(shell, "zsh")) {
		sbuf_adds(&sb, "#compdef nestor\n# zsh completion for nestor, made by `nestor"
			       " completion zsh`\n\n");
		sh_tables(&sb);
		sbuf_adds(&sb, zsh_driver);
	} else if (!strcmp(shell, "fish")) {
		sbuf_adds(&sb,
			  "# fish completion for nestor, made by `nestor completion fish`\n\n");
		sbuf_adds(&sb, fish_driver);
		fish_tables(&sb);
	} else {
		return cmd_usage(ctx, "unknown shell %s (bash, zsh or fish)", utf8_q(shell));
	}
	fputs(sb.buf, ctx->out);
	sbuf_release(&sb);
	return 0;
}

/* One "value<TAB>description" line; tabs and newlines in the description
 * become spaces. */
static void line(struct ctx *ctx, const char *value, const char *desc)
{
	fputs(value, ctx->out);
	if (desc && *desc) {
		fputc('\t', ctx->out);
		for (const char *d = desc; *d; d++)
			fputc(*d == '\t' || *d == '\n' ? ' ' : *d, ctx->out);
	}
	fputc('\n', ctx->out);
}

static void id_line(struct ctx *ctx, long long id, const char *desc)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", id);
	line(ctx, buf, desc);
}

static int dyn_tasks(struct ctx *ctx, struct err *e)
{
	struct task *ts;
	size_t n;

	if (task_list(ctx->store, false, &ts, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && i < DYN_LIMIT; i++)
		id_line(ctx, ts[i].id, ts[i].title);
	task_list_free(ts, n);
	return 0;
}

static int dyn_reminders(struct ctx *ctx, struct err *e)
{
	struct reminder *rs;
	size_t n;

	if (reminder_list(ctx->store, false, ctx->now, &rs, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && i < DYN_LIMIT; i++)
		id_line(ctx, rs[i].id, rs[i].text);
	reminder_list_free(rs, n);
	return 0;
}

static int dyn_routines(struct ctx *ctx, struct err *e)
{
	struct routine *rs;
	size_t n;

	if (routine_list(ctx->store, true, ctx->now, &rs, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && i < DYN_LIMIT; i++)
		id_line(ctx, rs[i].id, rs[i].request);
	routine_list_free(rs, n);
	return 0;
}

static int dyn_jobs(struct ctx *ctx, struct err *e)
{
	struct job *js;
	size_t n;

	if (job_list(ctx->store, NULL, true, &js, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && i < DYN_LIMIT; i++)
		id_line(ctx, js[i].id, js[i].kind);
	job_list_free(js, n);
	return 0;
}

/* Events of the coming month, each once. */
static int dyn_events(struct ctx *ctx, struct err *e)
{
	struct event_list l;
	size_t shown = 0;

	if (event_occurrences(ctx->store, ctx->now - 86400, ctx->now + 31 * 86400, NULL, &l, e) < 0)
		return -1;
	for (size_t i = 0; i < l.nocc && shown < DYN_LIMIT; i++) {
		bool seen = false;

		for (size_t k = 0; k < i && !seen; k++)
			seen = l.occ[k].ev->id == l.occ[i].ev->id;
		if (!seen) {
			id_line(ctx, l.occ[i].ev->id, l.occ[i].summary);
			shown++;
		}
	}
	event_list_release(&l);
	return 0;
}

static int dyn_conversations(struct ctx *ctx, struct err *e)
{
	struct conversation *cs;
	size_t n;

	if (conversation_list(ctx->store, CONV_ANY, DYN_LIMIT, &cs, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		id_line(ctx, cs[i].id, cs[i].title);
	conversation_list_free(cs, n);
	return 0;
}

static int dyn_assistants(struct ctx *ctx, struct err *e)
{
	char **names = assistant_names(ctx->store, e);

	if (!names)
		return -1;
	for (size_t i = 0; names[i]; i++)
		line(ctx, names[i], NULL);
	assistant_names_free(names);
	return 0;
}

static int dyn_names(struct ctx *ctx, const char *table, struct err *e)
{
	char **names = stats_names(ctx->store, table, e);

	if (!names)
		return -1;
	for (size_t i = 0; names[i]; i++)
		line(ctx, names[i], NULL);
	stats_names_free(names);
	return 0;
}

int cmd_complete(struct ctx *ctx, int argc, char **argv)
{
	static const struct {
		const char *kind;
		int (*fn)(struct ctx *ctx, struct err *e);
	} kinds[] = {
		{ "tasks", dyn_tasks },		  { "reminders", dyn_reminders },
		{ "routines", dyn_routines },	  { "jobs", dyn_jobs },
		{ "events", dyn_events },	  { "conversations", dyn_conversations },
		{ "assistants", dyn_assistants },
	};
	struct err e = { 0, "" };
	int rc = -1;

	if (argc != 2)
		return cmd_usage(ctx, "expected one KIND");
	/* a TAB never creates a database */
	if (access(ctx->db_path, F_OK) != 0)
		return 0;
	ctx->store = store_open(ctx->db_path, &e);
	if (!ctx->store)
		return 0;
	/* --user NAME: that user's rows, and none for a user not there */
	if (ctx->user && *ctx->user) {
		struct user u;

		if (user_get(ctx->store, ctx->user, &u, &e) < 0)
			return 0;
		store_set_user(ctx->store, u.id);
		user_release(&u);
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(argv[1], kinds[i].kind))
			rc = kinds[i].fn(ctx, &e);
	if (!strcmp(argv[1], "calendars") || !strcmp(argv[1], "users"))
		rc = dyn_names(ctx, argv[1], &e);
	(void)rc; /* on an error there is nothing to offer, and the shell shows none */
	return 0;
}
