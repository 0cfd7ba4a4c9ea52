from __future__ import annotations

from tests.support.pii_scan import unmasked


def test_the_scanner_finds_unmasked_values_and_ignores_masked_ones() -> None:
    leaky = '{"items":[{"phone":"13807371234","id_card":"11010519491231002X"}]}'
    assert unmasked(leaky) == ["11010519491231002X", "13807371234"]
    masked = '{"items":[{"phone":"138****1234","id_card":"110105********002X","code":"430903001000"}]}'
    assert unmasked(masked) == []
    assert unmasked('{"target_investment":"6800000000.00","households":13807371234000}') == []
    assert unmasked('{"hash":"e3b0c44298fc1c149afb4c8996fb92427ae41e4649b934ca495991b7852b855"}') == []
    assert unmasked('{"hash":"ab13178857072cd"}') == []  # digits inside a hex string
    assert unmasked("联系电话13807371234，身份证11010519491231002X。") == ["11010519491231002X", "13807371234"]
