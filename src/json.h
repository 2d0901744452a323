/*
 * json: the little JSON writing that doctor and ls need.
 */
#ifndef SB_JSON_H
#define SB_JSON_H

#include <stdio.h>

/* Write s as a JSON string, quotes included; control characters and
 * bytes that are not ASCII are escaped. */
void	json_str(FILE *, const char *s);

#endif
