/*
 * corpus: a built-in text with the shape of War and Peace (Project
 * Gutenberg #2600): about 3.36 MB in 66,000 lines, 21% of them empty,
 * non-empty lines mostly 60 to 76 bytes, each paragraph ending in a shorter
 * line and followed by a blank line; English-like words. Generated the same
 * every time from a fixed seed.
 */
#ifndef SB_CORPUS_H
#define SB_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#define CORPUS_LINES	66000

/* Generate the corpus into a malloc'd buffer of *len bytes ("\n" ends every
 * line). Returns NULL when out of memory. */
char	*corpus_generate(size_t *len);

#endif
