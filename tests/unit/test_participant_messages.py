"""The participant message catalogue: every key the pages use exists, and locales fall back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from app.services.notice import Purpose
from app.web import i18n

WEB = Path(i18n.__file__).parent
# message.html builds its keys from a state: these are all the states the router renders.
MESSAGE_PAGES = (
    "thanks",
    "closed.completed",
    "closed.expired",
    "closed.cancelled",
    "not_found",
    "forbidden",
)


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in [*WEB.rglob("*.html"), *WEB.rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"""\b_\(\s*['"]([a-z_.]+)['"]""", text))
        keys |= set(re.findall(r"""\bmessages\(\s*['"]([a-z_.]+)['"]""", text))
        keys |= set(re.findall(r"""['"](page\.intro_[a-z]+)['"]""", text))
    keys |= {f"{page}.{part}" for page in MESSAGE_PAGES for part in ("title", "heading", "body")}
    # The completion page says what happens next for the assessment's purpose.
    keys |= {f"thanks.next.{p.value}" for p in Purpose}
    return keys | e_mail_keys()


def e_mail_keys() -> set[str]:
    """The e-mails and the notice (app/services/mail.py, notice.py) say theirs with say("…"),
    some named after the message or the purpose."""
    from app.services.notice import Purpose
    from app.services.notifications import Message

    keys: set[str] = set()
    for name in ("mail.py", "notice.py"):
        text = (WEB.parent / "services" / name).read_text(encoding="utf-8")
        keys |= set(re.findall(r"""\bsay\(\s*['"]([a-z_.]+)['"]""", text))
    keys |= {f"email.{m.value}.{part}" for m in Message for part in ("subject", "intro")}
    keys |= {f"email.{m.value}.intro_by" for m in (Message.INVITATION, Message.REMINDER)}
    return keys | {f"notice.purpose.{p.value}" for p in Purpose}


def english() -> dict[str, object]:
    return dict(YAML(typ="safe").load((WEB / "messages" / "en.yaml").read_text(encoding="utf-8")))


def test_every_key_the_pages_use_is_in_the_english_catalogue() -> None:
    assert sorted(used_keys() - set(english())) == []


def test_the_catalogue_has_no_unused_messages() -> None:
    unused = set(english()) - used_keys()
    assert sorted(unused) == []


def test_placeholders_and_plurals() -> None:
    en = i18n.catalogue("en")
    assert en("welcome.time", minutes=20, items=150) == (
        "About 20 minutes. There are 150 questions."
    )
    assert en("page.minutes_left", count=1) == "about 1 minute left"
    assert en("page.minutes_left", count=14) == "about 14 minutes left"
    assert en("review.unanswered_intro", count=1).startswith("You have not answered 1 question.")
    assert en("review.unanswered_intro", count=3).startswith("You have not answered 3 questions.")


def test_a_second_language_is_a_file_and_falls_back_to_english_key_by_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "en.yaml").write_text((WEB / "messages" / "en.yaml").read_text("utf-8"), "utf-8")
    (tmp_path / "de.yaml").write_text('page.next: Weiter\npage.back: "Zurück"\n', "utf-8")
    monkeypatch.setattr(i18n, "MESSAGES_DIR", tmp_path)
    i18n._load.cache_clear()
    try:
        de = i18n.Catalogue("de")
        assert de.locale == "de"
        assert de("page.next") == "Weiter"
        assert de("page.saved") == "Saved"  # not translated yet: English
        assert i18n.Catalogue("fr").locale == "en"  # no file: English throughout
        with pytest.raises(KeyError):
            de("no.such.key")
    finally:
        i18n._load.cache_clear()
