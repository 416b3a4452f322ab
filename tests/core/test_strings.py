"""StringStore: keys both ways, membership, order, serialization, bad input."""
import pickle

import pytest
import srsly

from fastpipe.strings import StringStore, hash_string


def test_add_returns_key_and_lookup_both_ways():
    strings = StringStore()
    key = strings.add("apple")
    assert isinstance(key, int) and key != 0
    assert strings[key] == "apple"
    assert strings["apple"] == key
    assert hash_string("apple") == key
    assert strings.add("apple") == key  # adding twice gives the same key
    assert len(strings) == 1


def test_str_lookup_does_not_add():
    strings = StringStore()
    key = strings["pear"]
    assert "pear" not in strings
    with pytest.raises(KeyError):
        strings[key]


def test_contains_by_str_and_key():
    strings = StringStore(["a"])
    assert "a" in strings
    assert strings["a"] in strings
    assert "b" not in strings
    assert strings["b"] not in strings
    assert 1.5 not in strings
    assert None not in strings


def test_len_and_iteration_order():
    words = ["zeta", "alpha", "mu", "alpha", "beta"]
    strings = StringStore(words)
    assert len(strings) == 4
    assert list(strings) == ["zeta", "alpha", "mu", "beta"]
    assert strings.keys() == [hash_string(w) for w in ["zeta", "alpha", "mu", "beta"]]


def test_empty_string_is_key_zero():
    strings = StringStore()
    assert strings.add("") == 0
    assert hash_string("") == 0
    assert strings[0] == ""
    assert "" in strings
    assert 0 in strings
    assert len(strings) == 0


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb", "\U0001F600", "e\u0301", "\x00"])
def test_unusual_strings_are_storable(text):
    strings = StringStore()
    key = strings.add(text)
    assert strings[key] == text
    restored = StringStore().from_bytes(strings.to_bytes())
    assert restored[key] == text


def test_bytes_roundtrip_keeps_strings_and_order():
    strings = StringStore(["b", "a", "\ud800", "long " * 100])
    data = strings.to_bytes()
    restored = StringStore().from_bytes(data)
    assert list(restored) == list(strings)
    assert restored.keys() == strings.keys()
    assert restored.to_bytes() == data


def test_from_bytes_adds_to_existing():
    strings = StringStore(["x"])
    strings.from_bytes(StringStore(["y"]).to_bytes())
    assert list(strings) == ["x", "y"]


def test_disk_roundtrip(tmp_path):
    strings = StringStore(["one", "two"])
    strings.to_disk(tmp_path / "strings.bin")
    assert list(StringStore().from_disk(tmp_path / "strings.bin")) == ["one", "two"]


def test_pickle():
    strings = StringStore(["one", "\ud800"])
    assert list(pickle.loads(pickle.dumps(strings))) == ["one", "\ud800"]


@pytest.mark.parametrize("value", [b"bytes", 1, 1.5, None, ["a"]])
def test_add_wrong_type_raises_type_error(value):
    with pytest.raises(TypeError):
        StringStore().add(value)


@pytest.mark.parametrize("key", [1.5, None, b"x", ("a",), True])
def test_getitem_wrong_type_raises_type_error(key):
    with pytest.raises(TypeError):
        StringStore(["a"])[key]


@pytest.mark.parametrize("key", [12345, -1, 2**64, 2**70])
def test_unknown_key_raises_key_error(key):
    with pytest.raises(KeyError):
        StringStore(["a"])[key]


@pytest.mark.parametrize("strings", ["abc", b"abc", 5])
def test_constructor_wrong_type(strings):
    with pytest.raises(TypeError):
        StringStore(strings)


def test_constructor_non_str_items():
    with pytest.raises(TypeError):
        StringStore(["a", 5])


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01",
        b"\xc1",
        srsly.msgpack_dumps({"a": 1}),
        srsly.msgpack_dumps([1, 2]),
        srsly.msgpack_dumps([b"\xff\xfe"]),
    ],
)
def test_corrupt_bytes_raise_value_error(data):
    with pytest.raises(ValueError):
        StringStore().from_bytes(data)


def test_truncated_bytes_raise_value_error():
    data = StringStore(["alpha", "beta", "gamma"]).to_bytes()
    for cut in range(1, len(data)):
        with pytest.raises(ValueError):
            StringStore().from_bytes(data[:cut])
