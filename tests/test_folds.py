"""Cross-validation by file (issue #3): which nlu/ files are held out together."""

import pytest

from privacydesk.evaluate import _file_folds, _stem, training_examples
from privacydesk.folds import family, file_folds


def test_halves_of_one_file_are_one_family() -> None:
    assert family("requests_email_a") == family("requests_email_b") == "requests_email"
    assert family("requests_situations") == "requests_situations"


def test_families_fill_folds_of_similar_size_and_dialogue_is_never_held_out() -> None:
    sizes = {"a": 900, "b": 800, "c": 700, "d": 400, "e": 300, "dialogue": 450}
    folds = file_folds(sizes, 3)
    assert [sorted(fold) for fold in folds] == [["a"], ["b", "e"], ["c", "d"]]  # largest to the smallest fold
    assert all("dialogue" not in fold for fold in folds)
    assert file_folds(sizes, 3) == folds  # deterministic


def test_too_few_families_is_an_error() -> None:
    with pytest.raises(ValueError, match="cannot fill 3 folds"):
        file_folds({"a": 1, "b": 2, "dialogue": 5}, 3)


def test_training_files_split_by_family_in_both_languages() -> None:
    items = training_examples()
    always, parts = _file_folds(items, 3)
    assert {_stem(item) for item in always} == {"dialogue"}
    families = [{family(_stem(item)) for item in part} for part in parts]
    assert all(families) and not set.intersection(*families)
    # A family is held out whole: its Swedish and English files land in the same fold.
    for part in parts:
        stems = {(family(_stem(item)), item.lang) for item in part}
        for name in {name for name, _ in stems}:
            langs = {lang for n, lang in stems if n == name}
            files_in_both = {item.lang for item in items if family(_stem(item)) == name}
            assert langs == files_in_both
    assert sum(map(len, parts)) + len(always) == len(items)
