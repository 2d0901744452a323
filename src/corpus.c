/*
 * corpus: a generated novel-shaped text. See corpus.h.
 *
 * Words come from a fixed-seed splitmix64 stream: common English words
 * picked with a Zipf-like skew, words built from English syllables, and a
 * few character names. Sentences get capitals, commas and full stops;
 * dialogue paragraphs open with a quote, and some closing quotes are
 * followed by "said Pierre." the way a novel does it.
 *
 * Layout: each paragraph draws its number of lines from a table (dialogue
 * short, narrative longer) and a length for its last line; full lines are
 * greedy-wrapped at CORPUS_WIDTH, the last line is filled up to its drawn
 * length and the sentence closed there. One empty line follows every
 * paragraph; the last paragraph is cut or stretched so the text has exactly
 * CORPUS_LINES lines. The tables below were tuned so the text lands on
 * War and Peace's figures (see corpus.h); tests/unit/test_corpus.c checks
 * them and pins the output with a hash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "util.h"

#define CORPUS_SEED	0x5761722650656163ULL	/* "War&Peac" */
#define CORPUS_WIDTH	75		/* full lines wrap at this many bytes */
#define FINAL_MAX	(CORPUS_WIDTH - 12)	/* last line of a paragraph */
#define WORD_MAX	32		/* longest word with its punctuation */
/* A line never exceeds CORPUS_WIDTH bytes: FINAL_MAX plus the two bytes a
 * closing '."' may add is well below it. */
#define LINE_MAX_BYTES	CORPUS_WIDTH

/* The commonest English words, most frequent first (roughly). */
static const char *const common[] = {
	"the", "and", "of", "to", "a", "he", "in", "his", "that", "was",
	"with", "had", "it", "her", "not", "at", "she", "him", "for", "as",
	"on", "but", "you", "is", "I", "all", "be", "by", "they", "from",
	"which", "this", "have", "so", "what", "said", "were", "one", "there",
	"would", "them", "no", "been", "an", "their", "or", "who", "me", "we",
	"now", "only", "my", "up", "when", "out", "could", "if", "into",
	"more", "will", "do", "are", "did", "man", "then", "face", "about",
	"how", "your", "some", "prince", "again", "old", "like", "very",
	"eyes", "time", "without", "though", "himself", "those", "other",
	"know", "well", "count", "can", "after", "came", "went", "room",
	"before", "its", "still", "over", "something", "say", "looked",
	"everything", "thought", "just", "here", "felt", "way", "any", "such",
	"where", "two", "see", "little", "why", "because", "even", "yes",
	"first", "our", "us", "life", "same", "asked", "should", "princess",
	"people", "day", "these", "has", "go", "hand", "much", "began", "own",
	"while", "long", "whole", "never", "always", "than", "must", "let",
	"men", "voice", "come", "French", "army", "once", "smile", "knew",
	"through", "also", "seemed", "moment", "house", "father", "young",
	"understand", "good", "great", "herself", "emperor", "each", "back",
	"quite", "nothing", "words", "table", "turned", "mother", "evening",
	"replied", "heard", "might", "ever", "love", "hussar", "battle",
	"war", "most", "yet", "door", "officer", "saw", "head", "under",
	"toward", "every", "soldiers", "general", "many", "last", "thing",
	"new", "look", "another", "away", "whom", "horse", "regiment",
	"answer", "told", "both", "wife", "son", "morning", "feeling",
	"sat", "took", "whether", "round", "against", "road", "behind",
	"having", "among", "white", "however", "tell", "since", "being",
};

/* Pieces of English words: a word is an onset, some middles, an ending. */
static const char *const syl_start[] = {
	"an", "ar", "be", "bo", "ca", "cha", "con", "cor", "de", "di", "dis",
	"en", "ex", "fa", "for", "gar", "ha", "im", "in", "la", "li", "ma",
	"mar", "mo", "na", "ob", "pa", "per", "pre", "pro", "qua", "re", "sa",
	"se", "sha", "so", "sta", "stre", "ta", "ter", "tra", "un", "ver",
	"wa", "wor", "col", "com", "gen", "lan", "mis", "mor", "pen", "por",
	"sen", "sur", "tem", "val", "win",
};
static const char *const syl_mid[] = {
	"a", "e", "i", "o", "u", "al", "an", "ar", "at", "el", "en", "er",
	"es", "i", "in", "is", "it", "ol", "on", "or", "ra", "re", "ri", "ro",
	"ta", "te", "ti", "to", "ven", "ver", "mi", "ni", "li", "di", "ca",
};
static const char *const syl_end[] = {
	"ed", "er", "ing", "ly", "tion", "ment", "ness", "ous", "al", "ance",
	"ence", "ant", "ent", "ive", "ful", "less", "ble", "ty", "ry", "ard",
	"ant", "ist", "ure", "age", "ate", "ic", "ish", "ow", "y", "on", "in",
	"es", "s", "ed", "ing", "er", "ous", "ous", "ary", "ite",
};

/* Characters who speak, and how they speak. */
static const char *const names[] = {
	"Pierre", "Natasha", "Andrew", "Nicholas", "Mary", "Sonya", "Anna",
	"Boris", "Helene", "Dolokhov", "Kutuzov", "Napoleon", "Denisov",
	"Vasili", "Petya", "Hippolyte", "Bagration", "Rostov", "Anatole",
	"Julie", "Berg", "Vera", "Tikhon", "Platon", "Bilibin", "Dron",
};
static const char *const said[] = {
	"said", "said", "said", "asked", "replied", "cried", "answered",
	"whispered", "continued", "added", "exclaimed", "muttered",
};
static const char *const speaker[] = { "he", "she", "he", "she" };
#define SPEAKER_MAX	10	/* "Hippolyte." */

/*
 * Lines per paragraph, as weights for 1, 2, 3, ... lines. Dialogue is
 * short; narrative runs longer, with a tail.
 */
static const unsigned char dialogue_lines[] = { 45, 30, 14, 7, 3, 1 };
static const unsigned char narrative_lines[] = {
	6, 10, 12, 13, 12, 10, 8, 7, 6, 5, 4, 3, 2, 2,
};
#define DIALOGUE_PCT	52	/* share of paragraphs that are dialogue */

struct gen {
	uint64_t	 g_rng;
	int		 g_cap;		/* next word starts a sentence */
	int		 g_open;	/* next word opens a quote */
	int		 g_in_quote;	/* inside "..." */
	int		 g_dialogue;	/* this paragraph is dialogue */
	int		 g_sent_left;	/* words left in this sentence */
	int		 g_quote_left;	/* sentences left before the quote closes */
	int		 g_attrib;	/* next: 1 the verb, 2 the speaker */
	int		 g_since_comma;	/* words since the last comma */
};

/*
 * splitmix64 (Steele, Lea, Flood): tiny, fast, and good enough that the
 * text has no visible pattern. Returns the next 64 random bits.
 */
static uint64_t
gen_next(struct gen *g)
{
	uint64_t z;

	z = (g->g_rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Return a uniform integer in [0, n), n > 0 and below 2^32. */
static uint32_t
gen_below(struct gen *g, uint32_t n)
{
	return (uint32_t)(((gen_next(g) >> 32) * n) >> 32);
}

/* Return an index into a table of weights, drawn by weight. */
static size_t
gen_weighted(struct gen *g, const unsigned char *w, size_t n)
{
	uint32_t total = 0, r;
	size_t i;

	for (i = 0; i < n; i++)
		total += w[i];
	r = gen_below(g, total);
	for (i = 0; i < n - 1; i++) {
		if (r < w[i])
			break;
		r -= w[i];
	}
	return i;
}

/* Append s to the word at w[*len], never past WORD_MAX - 1 bytes. */
static void
put(char *w, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n > WORD_MAX - 1)
		n = WORD_MAX - 1 - *len;
	memcpy(w + *len, s, n);
	*len += n;
}

/* Start a sentence: capital next, and how many words it will have. */
static void
gen_sentence(struct gen *g)
{
	g->g_cap = 1;
	g->g_sent_left = 3 + (int)gen_below(g, 12) + (int)gen_below(g, 12);
	g->g_since_comma = 0;
}

/* Open a quote at the next word, to close after 1 to 3 sentences. */
static void
gen_quote(struct gen *g)
{
	g->g_open = 1;
	g->g_quote_left = 1 + (int)gen_below(g, 3);
}

/* Reset for a new paragraph; dialogue paragraphs open with a quote. */
static void
gen_paragraph(struct gen *g, int dialogue)
{
	g->g_in_quote = 0;
	g->g_open = 0;
	g->g_attrib = 0;
	g->g_dialogue = dialogue;
	gen_sentence(g);
	if (dialogue)
		gen_quote(g);
}

/* Return whether c is a vowel. */
static int
vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/*
 * Append a word piece; where a vowel would meet a vowel ("bo" + "ence"),
 * put a consonant between them ("borence") so the word stays pronounceable.
 */
static void
put_piece(struct gen *g, char *w, size_t *len, const char *s)
{
	static const char glue[] = "nrlstmdv";
	char c[2] = { 0, 0 };

	if (*len > 0 && vowel(w[*len - 1]) && vowel(s[0])) {
		c[0] = glue[gen_below(g, sizeof(glue) - 1)];
		put(w, len, c);
	}
	put(w, len, s);
}

/* Write an English-looking made-up word of 2 to 4 pieces. */
static void
gen_made_up(struct gen *g, char *w, size_t *len)
{
	int mids;

	put(w, len, syl_start[gen_below(g, nitems(syl_start))]);
	mids = (int)gen_below(g, 10);
	mids = mids < 5 ? 0 : mids < 9 ? 1 : 2;
	while (mids-- > 0)
		put_piece(g, w, len, syl_mid[gen_below(g, nitems(syl_mid))]);
	put_piece(g, w, len, syl_end[gen_below(g, nitems(syl_end))]);
}

/*
 * Write the next word, with any quote and punctuation attached, into w
 * (WORD_MAX bytes, not terminated) and advance the sentence state.
 * Returns its length.
 */
static size_t
gen_word(struct gen *g, char *w)
{
	size_t len = 0, body;
	uint32_t r, u;
	int end = 0, speaker_done = 0;

	if (g->g_open) {
		put(w, &len, "\"");
		g->g_open = 0;
		g->g_in_quote = 1;
	}
	body = len;

	if (g->g_attrib == 1) {
		put(w, &len, said[gen_below(g, nitems(said))]);
		g->g_attrib = 2;
	} else if (g->g_attrib == 2) {
		if (gen_below(g, 3) == 0)
			put(w, &len, speaker[gen_below(g, nitems(speaker))]);
		else
			put(w, &len, names[gen_below(g, nitems(names))]);
		g->g_attrib = 0;
		end = speaker_done = 1;	/* "...," said Pierre. */
	} else {
		r = gen_below(g, 100);
		if (r < 78) {
			/* Zipf-like: squaring favours the top of the list. */
			u = gen_below(g, 1u << 16);
			put(w, &len, common[((uint64_t)u * u *
			    nitems(common)) >> 32]);
		} else if (r < 98)
			gen_made_up(g, w, &len);
		else
			put(w, &len, names[gen_below(g, nitems(names))]);
		end = --g->g_sent_left <= 0;
	}
	if (g->g_cap && w[body] >= 'a' && w[body] <= 'z')
		w[body] = (char)(w[body] - 'a' + 'A');
	g->g_cap = 0;

	if (!end) {
		/* A comma now and then, not right after another. */
		if (++g->g_since_comma >= 3 && g->g_sent_left >= 2 &&
		    g->g_attrib == 0 && gen_below(g, 100) < 10) {
			put(w, &len, gen_below(g, 12) ? "," : ";");
			g->g_since_comma = 0;
		}
		return len;
	}

	/* The sentence ends here. */
	r = gen_below(g, 100);
	if (speaker_done)
		put(w, &len, ".");
	else if (g->g_in_quote && --g->g_quote_left <= 0) {
		/* Close the quote; often a speaker follows, in lower case. */
		g->g_in_quote = 0;
		if (gen_below(g, 100) < 55) {
			put(w, &len, r < 12 ? "?\"" : r < 18 ? "!\"" : ",\"");
			g->g_attrib = 1;
			return len;
		}
		put(w, &len, r < 12 ? "?\"" : r < 18 ? "!\"" : ".\"");
	} else if (g->g_in_quote)
		put(w, &len, r < 10 ? "?" : r < 15 ? "!" : ".");
	else	/* the narrator rarely asks or exclaims */
		put(w, &len, r < 2 ? "?" : r < 3 ? "!" : ".");
	gen_sentence(g);
	/* After "said Pierre." the speaker may go on; narrative may quote. */
	if (!g->g_in_quote && gen_below(g, 100) < (g->g_dialogue ? 30 : 3))
		gen_quote(g);
	return len;
}

/*
 * End a paragraph's last line, line[0..*llen), with a finished sentence:
 * a trailing comma becomes a full stop, an open quote is closed. Adds at
 * most two bytes.
 */
static void
close_line(const struct gen *g, char *line, size_t *llen)
{
	size_t n = *llen;
	char c = line[n - 1];

	if (c == '"') {
		/* Closed already; '," said' without the speaker becomes '."'. */
		if (n >= 2 && line[n - 2] == ',')
			line[n - 2] = '.';
		return;
	}
	if (c == ',' || c == ';')
		n--;
	c = line[n - 1];
	if (c != '.' && c != '?' && c != '!')
		line[n++] = '.';
	if (g->g_in_quote)
		line[n++] = '"';
	*llen = n;
}

/*
 * Write one paragraph of nlines lines (its last one about last_len bytes)
 * at out, each line ending in '\n', and return the bytes written.
 */
static size_t
gen_lines(struct gen *g, char *out, int nlines, size_t last_len)
{
	struct gen before;
	uint64_t rng;
	char w[WORD_MAX];
	size_t wlen = 0, llen = 0, limit, pos = 0;
	int have = 0, done = 0, last;

	for (;;) {
		last = done == nlines - 1;
		if (!have) {
			before = *g;
			wlen = gen_word(g, w);
			have = 1;
		}
		limit = CORPUS_WIDTH;
		if (last) {
			/* The speaker may stretch the line up to FINAL_MAX; a
			 * verb goes in only if the speaker will fit after it. */
			limit = last_len;
			if (before.g_attrib == 2)
				limit = FINAL_MAX;
			else if (before.g_attrib == 1 &&
			    limit > FINAL_MAX - 1 - SPEAKER_MAX)
				limit = FINAL_MAX - 1 - SPEAKER_MAX;
		}
		if (llen == 0 || llen + 1 + wlen <= limit) {
			if (llen > 0)
				out[pos + llen++] = ' ';
			memcpy(out + pos + llen, w, wlen);
			llen += wlen;
			have = 0;
			continue;
		}
		if (!last) {
			/* Full: the word waits for the next line. */
			out[pos + llen] = '\n';
			pos += llen + 1;
			llen = 0;
			done++;
			continue;
		}
		/*
		 * The last line is long enough: drop the word, end here. Its
		 * quote or speaker never happened, so take back the sentence
		 * state, but not the random stream: rewound, it would replay
		 * the draws of a word known to be long into the next
		 * paragraph's choices.
		 */
		rng = g->g_rng;
		*g = before;
		g->g_rng = rng;
		close_line(g, out + pos, &llen);
		out[pos + llen] = '\n';
		return pos + llen + 1;
	}
}

/*
 * Generate the corpus: see corpus.h. Same bytes on every call.
 */
char *
corpus_generate(size_t *len)
{
	struct gen g;
	char *buf, *shrunk;
	size_t pos = 0, last_len;
	int lines = 0, left, n, dialogue;

	buf = malloc((size_t)CORPUS_LINES * (LINE_MAX_BYTES + 1));
	if (buf == NULL)
		return NULL;
	memset(&g, 0, sizeof(g));
	g.g_rng = CORPUS_SEED;

	while (lines < CORPUS_LINES) {
		left = CORPUS_LINES - lines;
		dialogue = gen_below(&g, 100) < DIALOGUE_PCT;
		if (dialogue)
			n = 1 + (int)gen_weighted(&g, dialogue_lines,
			    nitems(dialogue_lines));
		else
			n = 1 + (int)gen_weighted(&g, narrative_lines,
			    nitems(narrative_lines));
		/* Leave room for a whole paragraph and its blank, or none. */
		if (left - (n + 1) < 2)
			n = left - 1;
		/* The last line: a random share of the width, at least 16. */
		last_len = 16 + gen_below(&g, FINAL_MAX - 16 + 1);

		gen_paragraph(&g, dialogue);
		pos += gen_lines(&g, buf + pos, n, last_len);
		buf[pos++] = '\n';
		lines += n + 1;
	}

	/* Give back the slack; keep the big buffer if realloc says no. */
	shrunk = realloc(buf, pos);
	if (shrunk != NULL)
		buf = shrunk;
	*len = pos;
	return buf;
}
