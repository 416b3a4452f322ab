# Attribute ids, usable from Cython (attr_id_t) and Python (fastpipe.attrs.AttrId, IDS).
# Ids below 64 are lexical flags: bit `id` of LexemeC.flags holds the flag's value.

cpdef enum attr_id_t:
    NULL_ATTR = 0
    IS_ALPHA
    IS_ASCII
    IS_DIGIT
    IS_LOWER
    IS_PUNCT
    IS_SPACE
    IS_TITLE
    IS_UPPER
    LIKE_URL
    LIKE_NUM
    LIKE_EMAIL
    IS_STOP
    IS_BRACKET
    IS_QUOTE
    IS_LEFT_PUNCT
    IS_RIGHT_PUNCT
    IS_CURRENCY
    IS_OOV
    # 64 and above: attributes with values
    ID = 64
    ORTH
    LOWER
    NORM
    SHAPE
    PREFIX
    SUFFIX
    LENGTH
    LANG
    LEMMA
    POS
    TAG
    DEP
    MORPH
    ENT_IOB
    ENT_TYPE
    ENT_KB_ID
    HEAD
    SENT_START
    SPACY
    IDX


cpdef int intify_attr(object attr) except -1  # the id of an attribute given by name or id
