/*
 * dbyml: the connection settings of one environment in Rails'
 * config/database.yml: the small YAML subset Rails generates (block
 * mappings, comments, quoted and plain scalars, "&anchor" and
 * "<<: *alias" merges, a multi-database "primary:" level) after the ERB
 * Rails runs first, in the forms Rails writes: <%= ENV["X"] %>,
 * <%= ENV.fetch("X") { 5 } %>, <%= ENV.fetch("X", "d") %>,
 * <%= ENV["X"] || "d" %> and literals; <% %> and <%# %> tags are dropped.
 * Pure: no I/O, no allocation; the environment comes through a callback.
 */
#ifndef SB_DBYML_H
#define SB_DBYML_H

#include <stddef.h>

#define DBYML_VAL	256

struct dbyml {
	char	 adapter[64];
	char	 host[DBYML_VAL];
	char	 port[16];
	char	 socket[DBYML_VAL];
	char	 database[128];
	char	 username[64];
	char	 url[1024];
	char	 block[64];	/* "development", or "development.primary" */
	char	 erb_unknown[80];	/* the first ERB tag not understood */
};

/* The environment variable name, or NULL if unset. */
typedef const char *(*dbyml_getenv)(const char *name, void *arg);

/*
 * Read the block of environment env (e.g. "development") from the
 * database.yml text[0..len) into y; getenv answers the ERB's ENV lookups.
 * An ERB tag it does not understand leaves its value empty and is named
 * in y->erb_unknown. Returns 0, or -1 with a message in err (no block for
 * env, ENV.fetch of an unset variable with no default, a malformed tag).
 */
int	dbyml_parse(const char *text, size_t len, const char *env,
	    dbyml_getenv getenv, void *arg, struct dbyml *y, char *err,
	    size_t errlen);

#endif
