"""English special cases: contractions, abbreviations and emoticons.

Each entry maps an exact chunk to its tokens. The tables below are written in lower case
once; ``_variants`` adds the Title-case and UPPER-case spellings and the typographic
apostrophe, so "don't", "Don't", "DON'T" and "don’t" all get the same split.
"""
from ...errors import Errors
from ..char_classes import EMOTICONS

APOSTROPHES = ("'", "\u2019")

# Contractions written with an apostrophe: (form, [(orth, norm), ...]). "ca" + "n't" follows
# the treebank ("can't" -> "ca n't", "won't" -> "wo n't").
_CONTRACTIONS = [
    ("can't", [("ca", "can"), ("n't", "not")]),
    ("won't", [("wo", "will"), ("n't", "not")]),
    ("shan't", [("sha", "shall"), ("n't", "not")]),
    ("ain't", [("ai", "am"), ("n't", "not")]),
    ("don't", [("do", None), ("n't", "not")]),
    ("doesn't", [("does", None), ("n't", "not")]),
    ("didn't", [("did", None), ("n't", "not")]),
    ("isn't", [("is", None), ("n't", "not")]),
    ("aren't", [("are", None), ("n't", "not")]),
    ("wasn't", [("was", None), ("n't", "not")]),
    ("weren't", [("were", None), ("n't", "not")]),
    ("haven't", [("have", None), ("n't", "not")]),
    ("hasn't", [("has", None), ("n't", "not")]),
    ("hadn't", [("had", None), ("n't", "not")]),
    ("couldn't", [("could", None), ("n't", "not")]),
    ("wouldn't", [("would", None), ("n't", "not")]),
    ("shouldn't", [("should", None), ("n't", "not")]),
    ("mightn't", [("might", None), ("n't", "not")]),
    ("mustn't", [("must", None), ("n't", "not")]),
    ("needn't", [("need", None), ("n't", "not")]),
    ("i'm", [("i", None), ("'m", "am")]),
    ("let's", [("let", None), ("'s", "us")]),
    ("y'all", [("y'all", "you all")]),
    ("ya'll", [("ya'll", "you all")]),
    ("ma'am", [("ma'am", "madam")]),
    ("o'clock", [("o'clock", None)]),
    ("'cause", [("'cause", "because")]),
    ("'em", [("'em", "them")]),
    ("'til", [("'til", "until")]),
    ("'n", [("'n", "and")]),
    ("i'ma", [("i", None), ("'m", "am"), ("a", "going to")]),
    ("yahoo!", [("yahoo!", None)]),
    # the clitics written as words of their own ("Elena 's")
    ("'s", [("'s", None)]),
    ("'m", [("'m", "am")]),
    ("'re", [("'re", "are")]),
    ("'ve", [("'ve", "have")]),
    ("'ll", [("'ll", "will")]),
    ("'d", [("'d", None)]),
    ("n't", [("n't", "not")]),
    ("'tis", [("'t", "it"), ("is", None)]),
    ("'twas", [("'t", "it"), ("was", None)]),
]

# Pronoun + auxiliary contractions: every pronoun with every clitic it commonly takes.
_CLITIC_NORMS = {"'s": "'s", "'m": "am", "'re": "are", "'ve": "have", "'ll": "will", "'d": "'d"}
_PRONOUN_CLITICS = {
    "i": ["'m", "'ve", "'ll", "'d"],
    "you": ["'re", "'ve", "'ll", "'d"],
    "we": ["'re", "'ve", "'ll", "'d"],
    "they": ["'re", "'ve", "'ll", "'d"],
    "he": ["'s", "'ll", "'d"],
    "she": ["'s", "'ll", "'d"],
    "it": ["'s", "'ll", "'d"],
    "that": ["'s", "'ll", "'d"],
    "there": ["'s", "'re", "'ll", "'d", "'ve"],
    "here": ["'s"],
    "what": ["'s", "'re", "'ll", "'d", "'ve"],
    "who": ["'s", "'re", "'ll", "'d", "'ve"],
    "where": ["'s", "'d"],
    "when": ["'s"],
    "why": ["'s", "'d"],
    "how": ["'s", "'d"],
    "could": ["'ve"],
    "would": ["'ve"],
    "should": ["'ve"],
    "might": ["'ve"],
    "must": ["'ve"],
}

# The same contractions written without an apostrophe, which the treebank also splits
# ("dont" -> "do nt", "im" -> "i m"). Only forms that are not ordinary words are listed:
# "its", "ill", "id", "wed", "hell", "shell", "well", "were", "cant" (kept: see below) ...
_NO_APOSTROPHE = [
    ("dont", [("do", None), ("nt", "not")]),
    ("doesnt", [("does", None), ("nt", "not")]),
    ("didnt", [("did", None), ("nt", "not")]),
    ("isnt", [("is", None), ("nt", "not")]),
    ("arent", [("are", None), ("nt", "not")]),
    ("arnt", [("ar", "are"), ("nt", "not")]),
    ("wasnt", [("was", None), ("nt", "not")]),
    ("werent", [("were", None), ("nt", "not")]),
    ("havent", [("have", None), ("nt", "not")]),
    ("hasnt", [("has", None), ("nt", "not")]),
    ("hadnt", [("had", None), ("nt", "not")]),
    ("couldnt", [("could", None), ("nt", "not")]),
    ("wouldnt", [("would", None), ("nt", "not")]),
    ("shouldnt", [("should", None), ("nt", "not")]),
    ("cant", [("ca", "can"), ("nt", "not")]),
    ("wont", [("wo", "will"), ("nt", "not")]),
    ("aint", [("ai", "am"), ("nt", "not")]),
    ("im", [("i", None), ("m", "am")]),
    ("ive", [("i", None), ("ve", "have")]),
    ("youre", [("you", None), ("re", "are")]),
    ("youve", [("you", None), ("ve", "have")]),
    ("youll", [("you", None), ("ll", "will")]),
    ("theyre", [("they", None), ("re", "are")]),
    ("theyve", [("they", None), ("ve", "have")]),
    ("thats", [("that", None), ("s", "'s")]),
    ("whats", [("what", None), ("s", "'s")]),
    ("theres", [("there", None), ("s", "'s")]),
    ("heres", [("here", None), ("s", "'s")]),
    ("hes", [("he", None), ("s", "'s")]),
    ("shes", [("she", None), ("s", "'s")]),
    ("lets", [("let", None), ("s", "us")]),
]

# Informal fused forms the treebank splits into their words.
_FUSED = [
    ("cannot", [("can", None), ("not", None)]),
    ("gonna", [("gon", "going"), ("na", "to")]),
    ("gotta", [("got", None), ("ta", "to")]),
    ("wanna", [("wan", "want"), ("na", "to")]),
    ("outta", [("out", None), ("ta", "of")]),
    ("hafta", [("haf", "have"), ("ta", "to")]),
    ("lemme", [("lem", "let"), ("me", None)]),
    ("gimme", [("gim", "give"), ("me", None)]),
    ("dunno", [("du", "do"), ("n", "not"), ("no", "know")]),
    ("alot", [("a", None), ("lot", None)]),
    ("thankyou", [("thank", None), ("you", None)]),
]

# Abbreviations that keep their period. Dotted initialisms ("U.S.", "e.g.", "a.m.") and
# single capital initials ("M.") are kept by the suffix rule and need no entry.
_ABBREVIATIONS = """
Mr. Mrs. Ms. Messrs. Mmes. Dr. Drs. Prof. Rev. Fr. Sr. Jr. St. Ste. Hon. Esq. Gov. Sen. Rep.
Reps. Sens. Pres. Supt. Gen. Col. Lt. Maj. Capt. Cmdr. Sgt. Cpl. Pvt. Adm. Brig. Cdr. Spec.
Atty. Asst. Ass't. Assoc. Insp. Treas. Sec. Sect. Dept. Div. Bros. Inc. Corp. Co. Ltd.
Cos. Mfg. Intl. Natl. Assn. Univ. Inst. Ave. Blvd. Rd. Hwy. Pkwy. Ln. Mt. Ft. Pt. Sq. Apt.
Bldg. Fl. Rm. Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec. Mon. Tue.
Tues. Wed. Thu. Thur. Thurs. Fri. Sat. Ala. Ariz. Ark. Calif. Colo. Conn. Del. Fla.
Ga. Ind. Kan. Kans. Ky. La. Md. Mich. Minn. Mont. Neb. Nev. Okla. Ore. Pa. Penn. Tenn.
Tex. Va. Vt. Wis. Wisc. Wyo. Que. Ont. No. Nos. Vol. Vols. Fig. Figs. Eq. Ch. Chap. Pg.
Ed. Eds. Est. Approx. Attn. Encl. Ext. Tel. Fax. Ph. Mob. Conf. Para. Arrv. Dep. Govt. Re.
etc. vs. viz. cf. al. approx. esp. incl. excl. misc. dept. est. ext. tel. fig. ft. lb. lbs.
oz. yr. yrs. mo. mos. hr. hrs. min. mins. sec. secs. wk. wks. pt. pts. qt. tsp. tbsp.
nos. vol. pp. pg. ch. ed. eds. attn. arrv. eg. ie. ps. corp. ltd. dr. mr. mrs. ms. jr.
sr. prof. gov. sen. govt. jan. feb. apr. jun. jul. aug. sept. oct. nov. dec. inv. amt.
avg. max. ref. Ref. Pvt. Sts. PS. Ps. LLC. Llc.
INC. LTD. CO. CORP. PVT. LLC. ST. STS. DR. MR. MRS. MS. JR. SR. DEPT. GOVT. ASSN. BROS.
"""


def _spellings(form):
    """The lower, Title and UPPER spellings of a lower-case form ("'em" -> "'Em")."""
    first = next((i for i, c in enumerate(form) if c.isalpha()), 0)
    title = form[:first] + form[first].upper() + form[first + 1:]
    return [form, title, form.upper()]


def _variants(form, pieces, apostrophes=APOSTROPHES, skip=()):
    """Entries for every spelling of ``form``: each case variant with each apostrophe.

    ``pieces`` is [(orth, norm)] in lower case; a variant's pieces are cut from the variant
    at the same lengths, so they always spell their key exactly.
    """
    out = {}
    for apo in apostrophes:
        for spelling in _spellings(form.replace("'", apo)):
            if spelling in skip:
                continue
            tokens = []
            pos = 0
            for orth, norm in pieces:
                piece = spelling[pos:pos + len(orth)]
                pos += len(orth)
                token = {"ORTH": piece}
                norm = (norm if norm is not None else orth).replace(apo, "'")
                if norm != piece:
                    token["NORM"] = norm
                tokens.append(token)
            out[spelling] = tokens
    return out


def _pronoun_entries():
    out = {}
    for pronoun, clitics in _PRONOUN_CLITICS.items():
        for clitic in clitics:
            pieces = [(pronoun, None), (clitic, _CLITIC_NORMS[clitic])]
            out.update(_variants(pronoun + clitic, pieces))
    return out


def make_special_cases():
    table = {}
    for form, pieces in _CONTRACTIONS:
        table.update(_variants(form, pieces))
    table.update(_pronoun_entries())
    for form, pieces in _NO_APOSTROPHE + _FUSED:
        # "IM" (instant message) and "HES" are words of their own when written in capitals
        table.update(_variants(form, pieces, apostrophes=("'",), skip=("IM",)))
    for abbrev in _ABBREVIATIONS.split():
        table[abbrev] = [{"ORTH": abbrev}]
    for emoticon in EMOTICONS:
        table[emoticon] = [{"ORTH": emoticon}]
    _check(table)
    return table


def _check(table):
    for key, tokens in table.items():
        if "".join(t["ORTH"] for t in tokens) != key:
            raise ValueError(Errors.E031.format(key=key, pieces=tokens))
