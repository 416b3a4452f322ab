/* The state of fastpipe's transition-based parser and entity recognizer, and the gold
 * annotation its oracles score moves against.
 *
 * Everything here is plain C++ that runs without the GIL: it is wrapped for Cython by
 * fastpipe/pipeline/_parser_internals/_state.pxd. A state reads a Doc's token array (borrowed:
 * the Doc must outlive the state) and owns everything else in std::vectors, so copying a state
 * is a plain C++ copy.
 *
 * Dependency parsing (arc-eager): the buffer is the tokens [b0, length) followed by a virtual
 * root at position `length`. A token whose head is `length` is a root of the analysis; every
 * final state attaches each token either to a real token or to the virtual root, so sentence
 * boundaries are the spans of the roots' subtrees. A BREAK move ends a sentence before B0 by
 * emptying the stack (its lowest headless token becomes the root; see arc_eager.pyx for the
 * others). Sentence starts already on the Doc
 * (sent_start == 1, set by an earlier component) cut the tokens into preset sentences
 * (`sent_of`); the arc-eager system makes no arc between two of them.
 *
 * Entity recognition (BILUO): the same buffer pointer walks the tokens; an open entity is
 * (ent_start, ent_label) and closed entities are appended to `ents`.
 *
 * Context features (set_context_tokens): token positions, -1 where absent.
 *   parser set (FP_FEATS_PARSER, 13 slots, prefixes allowed; the most useful first, so a
 *   model reading the first 8 gets both stack tops, the buffer front and the nearest children):
 *     0 S0, 1 S1             the top two stack tokens
 *     2 B0, 3 B1             the first two buffer tokens (the virtual root is never a feature)
 *     4 S0L1, 5 S0R1         leftmost and rightmost child of S0
 *     6 B0L1                 leftmost child of B0
 *     7 S2, 8 B2             the third stack and buffer tokens
 *     9 S0L2, 10 S0R2        second leftmost and second rightmost child of S0
 *     11 S1L1, 12 S1R1       leftmost and rightmost child of S1
 *   entity set (FP_FEATS_NER, 4 slots, the default model uses the first 3):
 *     0 B0                   the token being labelled
 *     1 E0                   the first token of the open entity
 *     2 B-1                  the token before B0
 *     3 B1                   the token after B0
 */
#ifndef FASTPIPE_PARSER_STATE_H
#define FASTPIPE_PARSER_STATE_H

#include <stdint.h>
#include <vector>

#include "fastpipe/structs.h"

enum {
    FP_FEATS_PARSER = 0,   /* feature set of the dependency parser */
    FP_FEATS_NER = 1       /* feature set of the entity recognizer */
};

enum {
    FP_N_PARSER_FEATS = 13, /* slots of the parser feature set */
    FP_N_NER_FEATS = 4      /* slots of the entity feature set */
};

/* BILUO actions, also the gold entity tag of a token (FP_NER_MISSING = no gold tag). */
enum {
    FP_NER_MISSING = 0, /* gold only: the token's entity annotation is unknown */
    FP_NER_BEGIN = 1,   /* first token of a multi-token entity */
    FP_NER_IN = 2,      /* inside a multi-token entity */
    FP_NER_LAST = 3,    /* last token of a multi-token entity */
    FP_NER_UNIT = 4,    /* a one-token entity */
    FP_NER_OUT = 5      /* outside every entity */
};

/* Arc-eager actions. */
enum {
    FP_AE_SHIFT = 0,  /* push B0 onto the stack */
    FP_AE_REDUCE = 1, /* pop S0, which has a head */
    FP_AE_LEFT = 2,   /* S0 <- B0 (or the virtual root) with a label, pop S0 */
    FP_AE_RIGHT = 3,  /* S0 -> B0 with a label, push B0 */
    FP_AE_BREAK = 4   /* end the sentence before B0: empty the stack, its lowest headless
                         token becoming the root with the move's label */
};

/* One entity found by the recognizer. */
typedef struct fp_EntC {
    int start;        /* first token */
    int end;          /* one past the last token */
    fp_attr_t label;  /* StringStore key of the label */
} fp_EntC;

/* One move of a transition system. */
typedef struct fp_TransitionC {
    int action;       /* FP_AE_* or FP_NER_* */
    fp_attr_t label;  /* StringStore key of the label; 0 for unlabelled moves */
} fp_TransitionC;

/* Gold annotation of one example on the predicted tokens, built once per example. */
class fp_GoldC {
public:
    int length;                     /* number of predicted tokens */
    std::vector<int> heads;         /* gold head per token: a position, `length` = root, -1 = missing */
    std::vector<fp_attr_t> labels;  /* gold arc label key per token; 0 = any label is right */
    std::vector<int> kids_start;    /* length + 1 offsets: the gold dependents of i are kids[kids_start[i]:kids_start[i + 1]] */
    std::vector<int> kids;          /* gold dependents grouped by head, ascending */
    std::vector<uint8_t> sent_starts; /* 1 where a gold sentence starts (token 0 excepted);
                                       0 inside a sentence or where missing heads hide it */
    std::vector<uint8_t> ner_tags;  /* gold BILUO action per token (FP_NER_*); FP_NER_MISSING = unknown */
    std::vector<fp_attr_t> ner_labels; /* gold entity label key per token; 0 for OUT and missing */
    std::vector<fp_EntC> negs;      /* spans known not to be entities (the ner's incorrect_spans_key);
                                       label 0 = not an entity of any label */

    fp_GoldC() : length(0) {}
};

class fp_StateC {
public:
    const fp_TokenC* sent;          /* borrowed: the Doc's token array; the Doc outlives the state */
    int length;                     /* number of tokens */
    int feature_set;                /* FP_FEATS_PARSER or FP_FEATS_NER */
    int b0;                         /* first buffer token; `length` = only the virtual root is left */
    std::vector<int> stack;         /* token positions, top at the back */
    std::vector<int> heads;         /* head per token: a position, `length` = root, -1 = none yet */
    std::vector<fp_attr_t> labels;  /* arc label key per token; 0 = none yet */
    std::vector<int> lkids;         /* 2 per token: leftmost and second leftmost child, -1 = none */
    std::vector<int> rkids;         /* 2 per token: rightmost and second rightmost child, -1 = none */
    std::vector<uint8_t> on_stack;  /* 1 while the token is on the stack */
    std::vector<int> sent_of;       /* preset sentence of each token: the number of preset
                                       sentence starts (sent_start == 1) after token 0 up to it */
    int ent_start;                  /* first token of the open entity; -1 = none open */
    fp_attr_t ent_label;            /* label key of the open entity */
    std::vector<fp_EntC> ents;      /* entities closed so far, left to right */

    fp_StateC() : sent(NULL), length(0), feature_set(FP_FEATS_PARSER), b0(0),
                  ent_start(-1), ent_label(0) {}

    fp_StateC(const fp_TokenC* tokens, int n, int features)
        : sent(tokens), length(n), feature_set(features), b0(0), ent_start(-1), ent_label(0) {
        if (features == FP_FEATS_PARSER) {
            heads.assign(n, -1);
            labels.assign(n, 0);
            lkids.assign(2 * n, -1);
            rkids.assign(2 * n, -1);
            on_stack.assign(n, 0);
            stack.reserve(16);
            sent_of.assign(n, 0);
            int k = 0;
            for (int i = 1; i < n; i++) {
                if (tokens[i].sent_start == 1)
                    k++;
                sent_of[i] = k;
            }
        }
    }

    /* -- reading ------------------------------------------------------------------------- */

    inline int S(int i) const {          /* i-th token from the stack top, -1 if none */
        int k = (int)stack.size() - 1 - i;
        return k >= 0 ? stack[k] : -1;
    }
    inline int B(int i) const {          /* i-th token of the buffer, -1 past the last token */
        int k = b0 + i;
        return (k >= 0 && k < length) ? k : -1;
    }
    inline int stack_depth() const { return (int)stack.size(); }
    inline bool buffer_empty() const { return b0 >= length; }  /* only the virtual root left */
    inline bool has_head(int i) const { return heads[i] != -1; }
    inline int L(int i, int idx) const { /* idx-th (1 or 2) leftmost child of token i */
        return (i < 0 || i >= length || feature_set != FP_FEATS_PARSER) ? -1 : lkids[2 * i + idx - 1];
    }
    inline int R(int i, int idx) const { /* idx-th (1 or 2) rightmost child of token i */
        return (i < 0 || i >= length || feature_set != FP_FEATS_PARSER) ? -1 : rkids[2 * i + idx - 1];
    }

    /* Fill ids[0:n_feats] with the feature set's tokens (see the top of this file). */
    void set_context_tokens(int* ids, int n_feats) const {
        int f[FP_N_PARSER_FEATS];
        int n_set;
        if (feature_set == FP_FEATS_NER) {
            n_set = FP_N_NER_FEATS;
            f[0] = B(0);
            f[1] = ent_start;
            f[2] = (b0 >= 1 && b0 - 1 < length) ? b0 - 1 : -1;
            f[3] = B(1);
        } else {
            n_set = FP_N_PARSER_FEATS;
            int s0 = S(0), s1 = S(1), b = B(0);
            f[0] = s0; f[1] = s1; f[2] = b; f[3] = B(1);
            f[4] = L(s0, 1); f[5] = R(s0, 1); f[6] = L(b, 1); f[7] = S(2);
            f[8] = B(2); f[9] = L(s0, 2); f[10] = R(s0, 2);
            f[11] = L(s1, 1); f[12] = R(s1, 1);
        }
        for (int i = 0; i < n_feats; i++)
            ids[i] = i < n_set ? f[i] : -1;
    }

    /* -- parser primitives ---------------------------------------------------------------- */

    inline void push() {                 /* move B0 onto the stack */
        on_stack[b0] = 1;
        stack.push_back(b0);
        b0++;
    }
    inline void pop() {
        on_stack[stack.back()] = 0;
        stack.pop_back();
    }
    /* Attach child to head (`length` = the virtual root) with a label, keeping the two
     * outermost children on each side of the head. */
    void add_arc(int head, int child, fp_attr_t label) {
        heads[child] = head;
        labels[child] = label;
        if (head >= length)
            return;
        if (child < head) {
            int* k = &lkids[2 * head];
            if (k[0] == -1 || child < k[0]) { k[1] = k[0]; k[0] = child; }
            else if (k[1] == -1 || child < k[1]) { k[1] = child; }
        } else {
            int* k = &rkids[2 * head];
            if (k[0] == -1 || child > k[0]) { k[1] = k[0]; k[0] = child; }
            else if (k[1] == -1 || child > k[1]) { k[1] = child; }
        }
    }

    /* -- entity primitives ---------------------------------------------------------------- */

    inline void open_entity(fp_attr_t label) { ent_start = b0; ent_label = label; }
    inline void close_entity() {         /* close the open entity after B0 */
        fp_EntC ent;
        ent.start = ent_start;
        ent.end = b0 + 1;
        ent.label = ent_label;
        ents.push_back(ent);
        ent_start = -1;
        ent_label = 0;
    }
};

#endif /* FASTPIPE_PARSER_STATE_H */
