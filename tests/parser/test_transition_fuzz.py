"""Invalid moves are never offered: random valid move sequences (fixed seeds) always end in a
well-formed analysis, on many documents including degenerate ones."""
import numpy
import pytest

from fastpipe.gold.example import Example
from fastpipe.gold.nonproj import is_nonproj_tree
from fastpipe.pipeline._parser_internals.arc_eager import ArcEager
from fastpipe.pipeline._parser_internals.ner import BiluoPushDown
from fastpipe.tokens.doc import Doc

from tests.parser.parser_helpers import check_forest, random_walk, seeded

IOB_CODES = {"": 0, "I": 1, "O": 2, "B": 3}


@pytest.fixture(scope="module")
def vocab(en):
    return en.vocab


def fuzz_docs(en, rng):
    vocab = en.vocab
    yield Doc(vocab, words=[])
    yield Doc(vocab, words=["one"])
    yield en("!!! ... ?!")                       # punctuation only
    yield en("   \n\n  ")                        # whitespace only
    for _ in range(200):
        n = rng.choice([1, 2, 3, rng.randint(4, 40)])
        yield Doc(vocab, words=[rng.choice(["a", "b", ".", "!", "the"]) for _ in range(n)])


@pytest.fixture(scope="module")
def parser_moves(vocab):
    moves = ArcEager(vocab, labels=["nsubj", "obj", "punct", "nmod||nsubj", "det||obj"])
    moves.add_label("root", root=True)
    return moves


def test_random_valid_parser_moves_end_well_formed(en, parser_moves):
    rng = seeded(7)
    for doc in fuzz_docs(en, rng):
        state = parser_moves.init_state(doc)
        steps = random_walk(parser_moves, state, rng)
        # every token pushed once and popped once (a BREAK pops the whole stack in one move)
        assert len(doc) <= steps <= 2 * len(doc)
        assert -1 not in state.heads
        assert state.stack == [] and state.b0 == len(doc)
        heads = [i if h is None else h for i, h in enumerate(state.heads)]
        assert not is_nonproj_tree(heads)
        assert all(state.labels[i] == "root" for i, h in enumerate(state.heads) if h is None)
        parser_moves.set_annotations(state)   # deprojectivizes decorated labels
        if len(doc):
            check_forest(doc)
            assert all("||" not in t.dep_ for t in doc)


@pytest.mark.slow
def test_ten_thousand_tokens(en, parser_moves):
    rng = seeded(8)
    words = [rng.choice(["a", "b", ".", "!", "the", "dog"]) for _ in range(10_000)]
    doc = Doc(en.vocab, words=words)
    state = parser_moves.init_state(doc)
    assert 10_000 <= random_walk(parser_moves, state, rng) <= 20_000
    assert state.stack == [] and -1 not in state.heads
    parser_moves.set_annotations(state)
    check_forest(doc)
    ner = BiluoPushDown(en.vocab, labels=["PER", "ORG"])
    state = ner.init_state(doc)
    assert random_walk(ner, state, rng) == 10_000
    ner.set_annotations(state)
    assert all(t.ent_iob_ in ("B", "I", "O") for t in doc)


def test_oracle_on_nonprojective_and_random_golds(en, parser_moves):
    """The oracle only picks valid moves, whatever the gold (here: random, non-projective
    trees given without projectivizing)."""
    rng = seeded(9)
    vocab = en.vocab
    golds, states, docs = [], [], []
    for _ in range(300):
        n = rng.randint(1, 30)
        words = [f"w{i}" for i in range(n)]
        # a tree: every head to the left or the token itself (a root)
        heads = [rng.randrange(i) if i and rng.random() < 0.8 else i for i in range(n)]
        deps = [rng.choice(["nsubj", "obj", "punct"]) if h != i else "root"
                for i, h in enumerate(heads)]
        order = list(range(n))
        rng.shuffle(order)   # relabel positions: arcs cross
        pos = {old: new for new, old in enumerate(order)}
        new_heads = [0] * n
        new_deps = [None] * n
        for old in range(n):
            new_heads[pos[old]] = pos[heads[old]]
            new_deps[pos[old]] = deps[old]
        ref = Doc(vocab, words=words, heads=new_heads, deps=new_deps)
        pred = Doc(vocab, words=words)
        eg = Example(pred, ref, id="fuzz")
        golds.append(parser_moves.init_gold(Unprojectivized(eg)))
        states.append(parser_moves.init_state(pred))
        docs.append(pred)
    steps = parser_moves.follow_oracle(states, golds)
    n_tokens = sum(len(d) for d in docs)
    assert n_tokens <= steps <= 2 * n_tokens   # a BREAK may pop several tokens at once
    for state, doc in zip(states, docs):
        parser_moves.set_annotations(state)
        check_forest(doc)


class Unprojectivized:
    """An example whose gold parse is handed over as it is, non-projective arcs included."""

    def __init__(self, eg):
        self.eg = eg
        self.id = eg.id
        self.predicted = eg.predicted

    def get_aligned_parse(self, projectivize=True):
        return self.eg.get_aligned_parse(projectivize=False)


def random_iob(rng, n, labels):
    tags = []
    for _ in range(n):
        r = rng.random()
        if r < 0.5:
            tags.append(("", 0))
        elif r < 0.7:
            tags.append(("O", 0))
        else:
            tags.append((rng.choice(["B", "I"]), rng.choice(labels)))
    return tags


def test_random_valid_entity_moves_keep_presets(en):
    rng = seeded(10)
    vocab = en.vocab
    moves = BiluoPushDown(vocab, labels=["PER", "ORG", "LOC"])
    keys = [vocab.strings.add(label) for label in ["PER", "ORG", "GPE"]]   # GPE: unknown here
    for doc in fuzz_docs(en, rng):
        n = len(doc)
        codes = random_iob(rng, n, keys)
        if n:
            array = numpy.array([[IOB_CODES[c], key] for c, key in codes], dtype="uint64")
            doc.from_array(["ENT_IOB", "ENT_TYPE"], array)
        preset_ents = [(e.start, e.end, e.label_) for e in doc.ents]
        preset_o = [t.i for t in doc if t.ent_iob_ == "O"]
        state = moves.init_state(doc)
        assert random_walk(moves, state, rng) == n
        assert state.open_entity is None
        found = state.ents
        for start, end, label in found:
            assert 0 <= start < end <= n
            assert not any(start <= i < end for i in preset_o)
        for a, b in zip(found, found[1:]):
            assert a[1] <= b[0]
        for ent in preset_ents:
            if ent[2] in moves.labels:
                assert ent in found
        moves.set_annotations(state)
        ents = [(e.start, e.end, e.label_) for e in doc.ents]
        assert set(preset_ents) <= set(ents)
        assert set(found) <= set(ents)
        assert all(t.ent_iob_ in ("B", "I", "O") for t in doc)
        assert [t.i for t in doc if t.ent_iob_ == "O"] == sorted(
            set(range(n)) - {i for s, e, _ in ents for i in range(s, e)})
