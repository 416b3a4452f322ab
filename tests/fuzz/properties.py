"""What fuzzing checks, shared by the property tests here (a few thousand inputs in CI) and
bin/fuzz.py (millions): for each target a generator of inputs from a ``random.Random`` and a
check that raises AssertionError when the code under test misbehaves on one.

The contract each check holds the code to: a reader or parser either returns a result that is
whole (a Doc whose text, heads, entities and spans can all be read; a config) or raises its
coded error (a ValueError whose message starts with ``[Exxx]``). Any other exception type, a
traceback from inside, is a failure.
"""
import math
import random
import re
import tempfile
import warnings
from pathlib import Path

import zlib

import srsly

import fastpipe
from fastpipe.config import load_config_from_str
from fastpipe.errors import ConfigError
from fastpipe.gold.converters import ConversionError, conllu_to_docs, read_lines
from fastpipe.tokens import Doc, DocBin, Span, iter_docs
from fastpipe.tokens import _docbin_codec as codec

ROOT = Path(__file__).resolve().parents[2]
CODED = re.compile(r"\[E\d{3}\] ")
TARGETS = ("tokenizer", "fastpipe", "spacy", "conllu", "config")


def coded(err: BaseException) -> bool:
    return isinstance(err, ValueError) and bool(CODED.match(str(err)))


# -- text for the tokenizer -------------------------------------------------------------------

_PIECES = (
    "don't", "U.S.", "e.g.", ":)", "<3", "http://x.co/a?b=c", "a@b.org", "$1,000.50", "10km",
    "'s", "n't", "...", "--", "(a)", "\"q\"", "C++", "#tag", "@user", "3.14", "1/2", "A.",
    " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2028", "\u3000", "\u200b", "\ufeff",
    "\u0301", "e\u0301", "\U0001F600", "\U0001F44D\U0001F3FD", "\u4e2d\u6587", "\u05e9\u05dc",
    "\ud800", "\udfff", "\x00", "\x7f", "\u0130", "\u00df", "\ufb01", "\u2019s", "\u201cq\u201d",
)


def gen_text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 30)):
        roll = rng.random()
        if roll < 0.45:
            parts.append(rng.choice(_PIECES))
        elif roll < 0.75:
            parts.append("".join(rng.choice("abcXYZ019.,;:!?'\"-()[]/\\&%*+=_~`^|<> ")
                                 for _ in range(rng.randint(1, 8))))
        else:
            limit = rng.choice((0x7F, 0xFFFF, 0x10FFFF))
            parts.append("".join(chr(rng.randint(0, limit)) for _ in range(rng.randint(1, 4))))
    return "".join(parts)


def check_tokenizer(nlp, text: str) -> None:
    doc = nlp.make_doc(text)
    assert doc.text == text, (doc.text, text)
    offset = 0
    for token in doc:
        assert token.text, f"an empty token at {token.i}"
        assert token.idx == offset, (token.i, token.idx, offset)
        offset += len(token.text_with_ws)
    assert offset == len(text)


# -- DocBin files: valid ones, mutated at every layer -----------------------------------------

def sample_docs(vocab):
    """A few Docs with every kind of annotation a DocBin stores."""
    words = ["Ada", "Lovelace", "wrote", "notes", ".", "Then", "she", "left", "!"]
    doc = Doc(vocab, words=words, spaces=[True] * 8 + [False],
              tags=["NNP", "NNP", "VBD", "NNS", ".", "RB", "PRP", "VBD", "."],
              pos=["PROPN", "PROPN", "VERB", "NOUN", "PUNCT", "ADV", "PRON", "VERB", "PUNCT"],
              lemmas=["Ada", "Lovelace", "write", "note", ".", "then", "she", "leave", "!"],
              morphs=["Number=Sing", None, "Tense=Past", None, None, None, "Case=Nom", None, None],
              heads=[1, 2, 2, 2, 2, 7, 7, 7, 7],
              deps=["compound", "nsubj", "ROOT", "dobj", "punct", "advmod", "nsubj", "ROOT", "punct"],
              ents=["B-PER", "I-PER", "O", "O", "O", "O", "O", "O", ""])
    doc.cats = {"HISTORY": 1.0, "SPORT": 0.0}
    doc.spans["sc"] = [Span(doc, 0, 2, label="PERSON"), Span(doc, 2, 4, label="VP", kb_id="kb")]
    doc.user_data = {"n": 1, ("a", "b"): [1, "two", None]}
    other = Doc(vocab, words=["short", "one"], spaces=[True, False])
    empty = Doc(vocab, words=[])
    return [doc, other, empty, Doc(vocab, words=["x\ud800", "y"], ents=["B-X", "I-X"])]


def seed_files(vocab):
    """Valid files to mutate: (format, bytes)."""
    docs = sample_docs(vocab)
    seeds = [("fastpipe", DocBin(docs=docs, store_user_data=True).to_bytes(chunk_docs=2)),
             ("fastpipe", DocBin(docs=docs[:2], attrs=["ORTH", "TAG"]).to_bytes()),
             ("spacy", DocBin(docs=docs[:2], store_user_data=True).to_bytes(format="spacy"))]
    for path in sorted((ROOT / "tests" / "data").glob("*.spacy")):
        if path.stat().st_size < 50_000:
            seeds.append(("spacy", path.read_bytes()))
    return seeds


_INTERESTING_INTS = (0, 1, -1, 2, 7, 255, 256, 65535, 65536, 65537, 2**31 - 1, 2**31, 2**32 - 1,
                     2**32, 2**63 - 1, -2**63, 2**64 - 1, 10**6)
_INTERESTING_BYTES = (0x00, 0x01, 0x7F, 0x80, 0x90, 0xA0, 0xC0, 0xC1, 0xC2, 0xC4, 0xC5, 0xC6,
                      0xCC, 0xCD, 0xCE, 0xCF, 0xD0, 0xDC, 0xDD, 0xDE, 0xDF, 0xE0, 0xFF)


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        pos = rng.randint(0, len(data))
        if op == 0 and data:
            data[min(pos, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1 and data:
            data[min(pos, len(data) - 1)] = rng.choice(_INTERESTING_BYTES)
        elif op == 2:
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 3:
            del data[pos:pos + rng.randint(1, 16)]
        elif op == 4:
            del data[pos:]
        elif op == 5 and data:
            start = rng.randrange(len(data))
            data[pos:pos] = data[start:start + rng.randint(1, 64)]
        else:
            value = rng.choice(_INTERESTING_INTS) & 0xFFFFFFFF
            data[pos:pos + 4] = value.to_bytes(4, rng.choice(("little", "big")))
    return bytes(data)


def _random_value(rng: random.Random, like=None):
    roll = rng.randrange(12)
    if roll == 0:
        return rng.choice(_INTERESTING_INTS)
    if roll == 1:
        return rng.choice((0.5, -0.0, math.inf, -math.inf, math.nan, 1e308))
    if roll == 2:
        return rng.choice(("", "x", "\ud800", "ORTH", "n", "docs", "strings"))
    if roll == 3:
        return rng.choice((b"", b"\x00" * rng.randint(1, 64), b"\xff\xfe"))
    if roll == 4:
        return []
    if roll == 5:
        return {}
    if roll == 6:
        return None
    if roll == 7:
        return rng.choice((True, False))
    if roll == 8 and like is not None:
        return [like] * rng.randint(2, 5)
    if roll == 9 and isinstance(like, bytes):
        return mutate_bytes(rng, like)
    if roll == 10 and isinstance(like, int) and not isinstance(like, bool):
        return like + rng.choice((-1, 1, 4, -4, 1 << 16))
    return [_random_value(rng)]


def _nodes(obj, path=()):
    yield path, obj
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _nodes(value, path + (key,))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _nodes(value, path + (i,))


def mutate_object(rng: random.Random, obj):
    """Replace, delete, duplicate or add a node or two of a msgpack tree (changes ``obj``)."""
    for _ in range(rng.choice((1, 1, 1, 2))):
        nodes = list(_nodes(obj))
        path, node = rng.choice(nodes)
        if not path:
            continue
        parent = obj
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        op = rng.randrange(4)
        if op == 0 and isinstance(parent, dict):
            del parent[key]
        elif op == 0 and isinstance(parent, list):
            del parent[key]
        elif op == 1 and isinstance(parent, list):
            parent.insert(key, node)
        elif op == 2 and isinstance(parent, dict):
            parent[rng.choice(("extra", "n", "cols", "user", "spans", "cats", "version"))] = _random_value(rng, node)
        else:
            parent[key] = _random_value(rng, node)
    return obj


def _split_fastpipe(data: bytes):
    """(header bytes, [payload, ...], end record) of a valid .fastpipe blob."""
    (size,) = codec.U32.unpack(data[8:12])
    head, pos, payloads = data[:12 + size], 12 + size, []
    while True:
        (size,) = codec.U32.unpack(data[pos:pos + 4])
        if size == 0:
            return head, payloads, data[pos:]
        payloads.append(data[pos + 8:pos + 8 + size])
        pos += 8 + size


def _join_fastpipe(head, payloads, end):
    out = [head]
    for payload in payloads:
        out.append(codec.U32.pack(len(payload)) + codec.U32.pack(zlib.crc32(payload)) + payload)
    out.append(end)
    return b"".join(out)


def mutate_docbin(rng: random.Random, fmt: str, data: bytes) -> bytes:
    """A mutation of a valid file: of its raw bytes, of its decompressed msgpack bytes, or of
    its msgpack objects; the framing (sizes, checksums) is kept valid for the inner two, so
    the decoder behind them is reached."""
    layer = rng.randrange(3)
    if layer:
        try:
            return _mutate_inside(rng, fmt, data, layer)
        except Exception:  # an earlier mutation broke the framing: mutate the bytes instead
            pass
    return mutate_bytes(rng, data)


def _mutate_inside(rng: random.Random, fmt: str, data: bytes, layer: int) -> bytes:

    def inner(raw):
        if layer == 1:
            return mutate_bytes(rng, raw)
        return srsly.msgpack_dumps(mutate_object(rng, srsly.msgpack_loads(raw)))

    if fmt == "spacy":
        return zlib.compress(inner(zlib.decompress(data)), rng.choice((1, 6, 9)))
    head, payloads, end = _split_fastpipe(data)
    roll = rng.random()  # mostly a chunk, sometimes the header or the end record
    which = rng.randrange(len(payloads)) if roll < 0.9 else len(payloads) + (roll < 0.95)
    if which == len(payloads):  # the header's msgpack
        return _join_fastpipe(head[:8] + _sized(inner(head[12:])), payloads, end)
    if which == len(payloads) + 1:  # the end record's count
        return _join_fastpipe(head, payloads, end[:4] + codec.U64.pack(rng.choice(_INTERESTING_INTS) % 2**64))
    payloads = list(payloads)
    payloads[which] = zlib.compress(inner(zlib.decompress(payloads[which])), rng.choice((1, 6, 9)))
    return _join_fastpipe(head, payloads, end)


def _sized(blob: bytes) -> bytes:
    return codec.U32.pack(len(blob)) + blob


def check_docbin(vocab, data: bytes, tmp_dir: Path) -> int:
    """Read ``data`` whole and streamed: a coded error or whole Docs. Returns the Docs read."""
    n_read = 0
    path = tmp_dir / "fuzzed.bin"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for read in (lambda: DocBin().from_bytes(data).get_docs(vocab), lambda: iter_docs(path, vocab)):
            try:
                for doc in read():
                    _check_doc(doc)
                    n_read += 1
            except Exception as err:
                if not coded(err):
                    raise AssertionError(f"{type(err).__name__}: {err}") from err
    return n_read


def _check_doc(doc) -> None:
    """Every part of a Doc a reader built can be read, and it survives a round-trip."""
    assert isinstance(doc.text, str)
    for token in doc:
        token.head.i, token.ent_iob_, token.ent_type_, token.tag_, token.lemma_, token.morph
        token.left_edge, token.right_edge, token.dep_, token.is_sent_start
    [(e.start, e.end, e.label_) for e in doc.ents]
    for group in doc.spans.values():
        [(s.start, s.end, s.label_, s.text) for s in group]
    assert all(isinstance(k, str) for k in doc.cats)
    again = Doc(doc.vocab).from_bytes(doc.to_bytes())
    assert again.text == doc.text and len(again) == len(doc)


# -- CoNLL-U ----------------------------------------------------------------------------------

_FORMS = ("Hi", "there", ".", "can't", "ca", "n't", "_", "a b", "\u00e9t\u00e9", "\ud800")
_CLEAN_MISC = ("_", "_", "SpaceAfter=No", "NER=B-PER", "NER=I-PER", "NER=O", "NER=B-LOC|SpaceAfter=No",
               "Other=1")
_BAD_MISC = ("NER=U-PER", "NER=", "NER=X", "SpaceAfter=Yes", "NER=O|NER=O", "=|", "SpaceAfter=No|SpaceAfter=No")
_BAD_LINES = ("x.y\ta\t_\t_\t_\t_\t_\t_\t_\t_", "1\ttoo\tfew", "\t" * 9, "1.x" + "\t_" * 9,
              "1\ta\t_\t_\t_\t_\t0\troot\t_\t_\t", "\u0661\ta" + "\t_" * 8, "# late comment",
              "01\ta" + "\t_" * 8, "3-2\tab" + "\t_" * 8, "1-2\tab\tab" + "\t_" * 7)


def _tree(rng, n):
    """HEAD values (1-based, 0 = root) of a random tree over n words; some missing (_)."""
    order = list(range(1, n + 1))
    rng.shuffle(order)
    heads = {order[0]: 0}
    for k, word in enumerate(order[1:], 1):
        heads[word] = rng.choice(order[:k])
    return [str(heads[i]) if rng.random() > 0.05 else "_" for i in range(1, n + 1)]


def _bad_head(rng, i, n):
    return rng.choice(("0", str(i), str(n + 1), "x", "-1", "\u0662", str(rng.randint(0, n))))


def gen_conllu(rng: random.Random) -> list:
    """Lines of a CoNLL-U file: well-formed sentences (random trees, multiword tokens, empty
    nodes), in about half of the files with a broken line or value among them."""
    lines = []
    broken = rng.random() < 0.5
    for _ in range(rng.choice((0, 1, 1, 2, 3, 4))):
        if rng.random() < 0.5:
            lines.append(rng.choice(("# sent_id = s1", "# text = Hi there", "#", "# sent_id=")))
        n = rng.randint(1, 6)
        heads = _tree(rng, n)
        i, range_end = 1, 0
        while i <= n:
            roll = rng.random()
            if roll < 0.08 and i < n and i > range_end:
                lines.append(f"{i}-{i + 1}\tcan't\t_\t_\t_\t_\t_\t_\t_\t{rng.choice(_CLEAN_MISC[:3])}")
                range_end = i + 1
            elif roll < 0.12:
                lines.append(f"{i - 1}.1\tghost\t_\t_\t_\t_\t_\t_\t{i}:dep\t_")
            misc = rng.choice(_CLEAN_MISC[:1] + _CLEAN_MISC[3:6] if i <= range_end else _CLEAN_MISC)
            head = heads[i - 1]
            if broken and rng.random() < 0.1:
                fault = rng.randrange(3)
                if fault == 0:
                    lines.append(rng.choice(_BAD_LINES))
                elif fault == 1:
                    misc = rng.choice(_BAD_MISC)
                else:
                    head = _bad_head(rng, i, n)
            lines.append("\t".join((str(i), rng.choice(_FORMS), rng.choice(("_", "hi")), rng.choice(("_", "INTJ")),
                                     "_", rng.choice(("_", "Number=Sing")), head,
                                     "root" if head == "0" else rng.choice(("dep", "_")), "_", misc)))
            i += 1
        lines.append("")
    return lines


def check_conllu(vocab, lines: list, tmp_dir: Path) -> int:
    """The lines, with any line ends, converted: a coded ConversionError naming file:line, or
    Docs holding every word line (none dropped). Returns the number of Docs."""
    path = tmp_dir / "fuzzed.conllu"
    end = random.Random(len(lines)).choice(("\n", "\r\n", "\r", None, None, None))
    if end is not None:  # a quarter through a file with some line end, to read_lines
        path.write_bytes(end.join(lines).encode("utf8", "surrogatepass"))
    try:
        docs = list(conllu_to_docs(read_lines(path) if end else lines, vocab, source=str(path), n_sents=2))
    except ConversionError as err:
        assert coded(err) and f"{path}:{err.line}: " in str(err), str(err)
        return 0
    except Exception as err:
        raise AssertionError(f"{type(err).__name__}: {err}") from err
    n_words = sum(1 for line in lines if line.split("\t")[0].isdigit())
    assert sum(len(doc) for doc in docs) == n_words
    for doc in docs:
        _check_doc(doc)
    return len(docs)


# -- configs ----------------------------------------------------------------------------------

_CONFIG_LINES = ("[paths]", "[nlp]", "[components.x]", "[components.x.model]", "[a.b.c]", "[]",
                 "[training", "x = ${paths.train}", "y = ${nlp.lang}", "z = ${z}", "w = ${",
                 "v = [1, 2", "u = {\"a\": 1}", "t = null", "s = 1e999", "r = \"\\u00e9\"",
                 "@architectures = \"fastpipe.Tagger.v1\"", "factory = {}", "q", "= 1", "%(x)s",
                 "p = ${paths.train}${paths.dev}", "o = \"${paths}\"", "lang = \"en\"", "  k = 1",
                 "[paths.train]", "n = ${components.x.model.width}", "m = 'single'", "l = True")


def config_seed() -> list:
    return (ROOT / "examples" / "tagger.cfg").read_text(encoding="utf8").splitlines()


def gen_config(rng: random.Random, seed: list) -> str:
    lines = list(seed)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(5)
        pos = rng.randint(0, len(lines))
        if op == 0 and lines:
            del lines[min(pos, len(lines) - 1)]
        elif op == 1:
            lines.insert(pos, rng.choice(_CONFIG_LINES))
        elif op == 2 and lines:
            lines.insert(pos, lines[rng.randrange(len(lines))])
        elif op == 3 and lines:
            i = rng.randrange(len(lines))
            line = lines[i]
            cut = rng.randint(0, len(line))
            lines[i] = line[:cut] + rng.choice(("$", "{", "}", "[", "]", "\"", "=", "\\", "\x00", "\ud800", "")) + line[cut:]
        else:
            lines.insert(pos, gen_text(rng).replace("\n", " "))
    return "\n".join(lines)


def check_config(text: str) -> bool:
    """A ConfigError with a code, or a Config. Returns whether it loaded."""
    for interpolate in (False, True):
        try:
            load_config_from_str(text, interpolate=interpolate)
        except ConfigError as err:
            assert coded(err), str(err)
            return False
        except Exception as err:
            raise AssertionError(f"{type(err).__name__}: {err}") from err
    return True


# -- running a target -------------------------------------------------------------------------

class Target:
    """One target's state (its nlp, seed files, a folder for temporary files) and ``run(rng)``,
    which makes one input and checks it. The nlp is made anew every RENEW_EVERY inputs: the
    words of millions of random texts would otherwise fill its vocab without end."""

    RENEW_EVERY = 5000

    def __init__(self, name: str, tmp_dir: Path):
        self.name = name
        self.tmp_dir = Path(tmp_dir)
        self.nlp = fastpipe.blank("en")
        self.n_run = 0
        if name in ("fastpipe", "spacy"):
            self.seeds = [data for fmt, data in seed_files(self.nlp.vocab) if fmt == name]
        elif name == "config":
            self.seeds = config_seed()

    def run(self, rng: random.Random):
        """Make one input from ``rng`` and check it; returns the input (for a report)."""
        self.n_run += 1
        if self.n_run % self.RENEW_EVERY == 0:
            self.nlp = fastpipe.blank("en")
        if self.name == "tokenizer":
            text = gen_text(rng)
            check_tokenizer(self.nlp, text)
            return text
        if self.name in ("fastpipe", "spacy"):
            data = rng.choice(self.seeds)
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                data = mutate_docbin(rng, self.name, data)
            check_docbin(self.nlp.vocab, data, self.tmp_dir)
            return data
        if self.name == "conllu":
            lines = gen_conllu(rng)
            check_conllu(self.nlp.vocab, lines, self.tmp_dir)
            return lines
        text = gen_config(rng, self.seeds)
        check_config(text)
        return text


def temp_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="fastpipe-fuzz-"))


__all__ = ["TARGETS", "Target", "check_config", "check_conllu", "check_docbin", "check_tokenizer",
           "gen_config", "gen_conllu", "gen_text", "mutate_docbin", "temp_dir"]
