/* fastpipe's core struct layouts.
 *
 * This header is the single definition of the memory layout shared by every compiled room of
 * fastpipe and by any outside extension that cimports fastpipe (it is wrapped by
 * fastpipe/structs.pxd and found through fastpipe.get_include()).
 *
 * Conventions:
 *   - every string-valued attribute is a 64-bit key into the Vocab's StringStore; 0 means
 *     "missing / not annotated", never a real string (the empty string also has key 0);
 *   - owning objects (Vocab, Doc, Tokenizer) allocate these structs from their cymem Pool;
 *     every pointer stored inside a struct is borrowed from such an owner.
 */
#ifndef FASTPIPE_STRUCTS_H
#define FASTPIPE_STRUCTS_H

#include <stdint.h>

typedef uint64_t fp_hash_t;   /* a murmurhash 64-bit key */
typedef uint64_t fp_attr_t;   /* the value of any token or lexeme attribute */
typedef uint64_t fp_flags_t;  /* a bit set of lexical flags, bit i = attribute id i */

/* Entity IOB codes kept in fp_TokenC.ent_iob. */
enum {
    FP_IOB_MISSING = 0, /* no entity annotation for this token */
    FP_IOB_I = 1,       /* inside an entity */
    FP_IOB_O = 2,       /* annotated as outside every entity */
    FP_IOB_B = 3        /* begins an entity */
};

/* One entry of the vocabulary: context-independent facts about a word form. */
typedef struct fp_LexemeC {
    fp_flags_t flags;   /* lexical flags (is_alpha, is_punct, ...), bit i = attribute id i */
    fp_attr_t orth;     /* key of the exact text of the form */
    fp_attr_t lower;    /* key of the lower-cased form */
    fp_attr_t norm;     /* key of the normalised form (language data may map, e.g. "n't" -> "not") */
    fp_attr_t shape;    /* key of the orthographic shape ("Xxxx", "dd") */
    fp_attr_t prefix;   /* key of the first character(s) */
    fp_attr_t suffix;   /* key of the last characters */
    fp_attr_t lang;     /* key of the language code of the vocab that made it */
    int32_t length;     /* length in unicode code points */
    int32_t id;         /* dense index of this lexeme in its vocab, in order of creation */
} fp_LexemeC;

/* One token of a Doc. Heads and edges are stored relative to the token's own position so that
 * slicing and concatenating token arrays keeps trees intact. */
typedef struct fp_TokenC {
    const fp_LexemeC* lex; /* borrowed: owned by the Vocab's pool, outlives every Doc */
    fp_attr_t norm;     /* token-specific norm key; 0 = use lex->norm */
    fp_attr_t lemma;    /* key of the lemma; 0 = missing */
    fp_attr_t tag;      /* key of the fine-grained tag (e.g. Penn "NN"); 0 = missing */
    fp_attr_t pos;      /* key of the coarse universal tag (e.g. "NOUN"); 0 = missing */
    fp_attr_t morph;    /* key of the morphological features string ("Number=Sing"); 0 = missing */
    fp_attr_t dep;      /* key of the dependency label; 0 = no parse annotation */
    fp_attr_t ent_type; /* key of the entity label; 0 = no entity */
    fp_attr_t ent_kb_id;/* key of a knowledge-base identifier; 0 = none */
    int32_t idx;        /* offset of the token's first character in the Doc's text */
    int32_t head;       /* position of the head minus the token's position; 0 = root or unset */
    int32_t l_kids;     /* number of children to the left */
    int32_t r_kids;     /* number of children to the right */
    int32_t l_edge;     /* position of the leftmost token of the subtree, relative */
    int32_t r_edge;     /* position of the rightmost token of the subtree, relative */
    int8_t sent_start;  /* 1 = starts a sentence, -1 = does not, 0 = unknown */
    uint8_t ent_iob;    /* one of FP_IOB_* */
    uint8_t spacy;      /* 1 if a single space follows the token in the text */
    uint8_t _pad;       /* keeps the struct size a multiple of 8 on every platform */
} fp_TokenC;

/* A span of tokens [start, end) with a label, as stored by entity lists and span groups. */
typedef struct fp_SpanC {
    int32_t start;      /* index of the first token */
    int32_t end;        /* index one past the last token */
    int32_t start_char; /* character offset of the first token */
    int32_t end_char;   /* character offset just past the last token */
    fp_attr_t label;    /* key of the label; 0 = unlabelled */
    fp_attr_t kb_id;    /* key of a knowledge-base identifier; 0 = none */
} fp_SpanC;

#endif /* FASTPIPE_STRUCTS_H */
