/*
 * util: macros any module may use.
 */
#ifndef SB_UTIL_H
#define SB_UTIL_H

/* Number of elements of an array (not a pointer). */
#define nitems(x)	(sizeof(x) / sizeof((x)[0]))

#endif
