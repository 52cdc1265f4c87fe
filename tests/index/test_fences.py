import pytest

from index.fences import code_blocks, fence_lines, inside


def blocks_text(text: str) -> list[str]:
    return [text[a:b] for a, b in code_blocks(text)]


def test_a_block_runs_from_its_opening_fence_to_a_closing_one_of_the_same_kind():
    text = "Intro.\n\n```bash\necho hi\n~~~\n```\n\nAfter.\n"
    assert blocks_text(text) == ["```bash\necho hi\n~~~\n"]
    assert {text[a : text.index("\n", a)] for a in fence_lines(text)} == {"```bash", "```"}


def test_a_closing_fence_is_at_least_as_long_as_its_opening_one():
    text = "````md\n```js\nx = 1\n```\n````\nAfter.\n"
    assert blocks_text(text) == ["````md\n```js\nx = 1\n```\n"]
    # The inner fences are the block's text, not markup.
    assert len(fence_lines(text)) == 2


def test_inline_code_at_a_line_start_opens_no_block():
    text = "```x``` is inline code.\nSo is this line.\n"
    assert code_blocks(text) == ()


def test_a_fence_left_open_runs_to_the_end():
    text = "Intro.\n\n  ~~~ {.python}\nprint(1)\n"
    assert blocks_text(text) == ["  ~~~ {.python}\nprint(1)\n"]
    assert fence_lines(text) == {text.index("~~~")}


def test_inside_tells_whether_a_position_is_in_a_block():
    text = "a\n```\ncode\n```\nb\n```\nmore\n```\n"
    blocks = code_blocks(text)
    assert [inside(blocks, text.index(w)) for w in ("a", "code", "b", "more")] == [False, True, False, True]


def test_an_indented_block_after_a_paragraph_at_the_margin_is_code():
    text = (
        "To list them:\n\n"
        "    $ pyenv versions\n"
        "      system\n\n"
        "    * 3.3.3\n\n"
        "Then pick one.\n"
    )
    assert [text[a:b] for a, b in code_blocks(text, indented=True)] == ["    $ pyenv versions\n      system\n\n    * 3.3.3"]
    assert code_blocks(text) == ()  # only Markdown reads indented lines as code


@pytest.mark.parametrize("opener", ["- Battery swaps", "3. Battery swaps", '!!! note "Scope"', "[^1]: Board minutes.", ": A term's definition."])
def test_an_indented_block_under_a_list_item_footnote_definition_or_admonition_is_their_text(opener):
    text = f"{opener}\n\n    The fleet needs 96 swaps a day.\n\nAfter.\n"
    assert code_blocks(text, indented=True) == ()


def test_an_indented_line_that_runs_on_a_paragraph_is_no_code():
    text = "The fleet needs\n    96 swaps a day.\n"
    assert code_blocks(text, indented=True) == ()


def test_a_block_set_four_columns_past_a_list_items_text_is_code_and_at_its_indent_is_its_text():
    text = (
        "1. Push it:\n\n"
        "       docker push registry.example/app:1.4\n\n"
        "   Then wait for the build.\n\n"
        "- Battery swaps\n\n"
        "    The fleet needs 96 swaps a day.\n\n"
        "Back at the margin.\n\n"
        "    $ fleetctl status\n"
    )
    assert [text[a:b].strip() for a, b in code_blocks(text, indented=True)] == ["docker push registry.example/app:1.4", "$ fleetctl status"]
