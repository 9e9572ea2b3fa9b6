/* Colour pairs on the terminal's default background, or attributes only. */
#include "theme.h"

#include <stdlib.h>

static attr_t attrs[TH_COUNT];

bool theme_want_color(bool cfg_color)
{
	const char *nc = getenv("NO_COLOR");

	return cfg_color && !(nc && *nc);
}

void theme_init(bool color)
{
	static const struct {
		short fg;
		attr_t extra, plain;
	} def[TH_COUNT] = {
		[TH_USER] = { COLOR_CYAN, A_BOLD, A_BOLD },
		[TH_ASSISTANT] = { COLOR_GREEN, A_BOLD, A_BOLD },
		[TH_TOOL] = { COLOR_YELLOW, 0, A_DIM },
		[TH_INFO] = { COLOR_BLUE, 0, 0 },
		[TH_ERROR] = { COLOR_RED, A_BOLD, A_BOLD },
		[TH_STATUS] = { -1, A_REVERSE, A_REVERSE },
		[TH_HEADING] = { COLOR_MAGENTA, A_BOLD, A_UNDERLINE },
		[TH_TIME] = { COLOR_CYAN, 0, A_BOLD },
		[TH_POPUP] = { COLOR_YELLOW, A_BOLD, A_BOLD },
		[TH_BORDER] = { -1, A_DIM, 0 },
	};

	if (color && has_colors() && start_color() == OK) {
		use_default_colors();
		for (int i = 0; i < TH_COUNT; i++) {
			if (def[i].fg < 0) {
				attrs[i] = def[i].extra;
				continue;
			}
			init_pair((short)(i + 1), def[i].fg, -1);
			attrs[i] = COLOR_PAIR(i + 1) | def[i].extra;
		}
		return;
	}
	for (int i = 0; i < TH_COUNT; i++)
		attrs[i] = def[i].plain;
}

attr_t theme_attr(enum theme_item item)
{
	return attrs[item];
}
