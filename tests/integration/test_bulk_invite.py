"""Inviting reps from a CSV file over real HTTP: the preview with row errors, the confirmation
that invites all rows or none, encodings, a 5 MB file, formula injection, open invitations,
the e-mails through a real SMTP server, and 500 rows in under 5 s."""

from __future__ import annotations

import codecs
import html
import re
import threading
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.models import Assessment, InviteUpload, Organisation, OutboxMessage, Participant
from app.services.invite_csv import MAX_BYTES
from app.services.organisations import create_organisation, create_team
from app.services.users import create_user
from tests.conftest import TLS
from tests.integration.participant_client import ParsedPage, parse
from tests.integration.participant_client import Participant as Rep
from tests.integration.test_manager_auth import EMAIL, manager, sign_in  # noqa: F401 (fixture)
from tests.smtp_server import Mailbox, smtp_server

HEADER = "first_name,last_name,email,external_id,team\n"


def page_of(response: httpx.Response) -> ParsedPage:
    """The page as a reader sees it: entities such as &#39; read as the characters."""
    page = parse(response)
    page.html = html.unescape(page.html)
    return page


@pytest.fixture
def signed_in(http: httpx.Client, manager: str, mini_instrument_version: Any) -> httpx.Client:  # noqa: F811
    assert sign_in(http).status_code == 303
    return http


def upload(
    client: httpx.Client, content: bytes, filename: str = "reps.csv", **fields: str
) -> httpx.Response:
    data = {"send_email": "yes", "purpose": "development", **fields}
    return client.post(
        "/app/invite/bulk", data=data, files={"file": (filename, content, "text/csv")}
    )


def confirm(client: httpx.Client, preview: httpx.Response, **extra: str) -> httpx.Response:
    page = page_of(preview)
    action = next(f["action"] for f in page.forms if f["action"].startswith("/app/invite/bulk/"))
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page.html))
    return client.post(action, data={**fields, **extra})


def count(db: Session, model: Any) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_good_rows_are_previewed_then_invited_and_the_e_mail_link_opens_the_questionnaire(
    signed_in: httpx.Client, db: Session, org: Organisation, settings: Settings, deliver_outbox: Any
) -> None:
    team = create_team(db=db, organisation=org, name="Nordics")
    db.commit()
    content = (
        HEADER
        + "Ana,Kraus,Ana.Kraus@example.com,E-1,nordics\n"
        + "Ben,Lopez,ben@example.com,,\n"
        + "Zoë,O'Brien,zoe@example.com,E-3,Nordics\n"
    ).encode()
    preview = upload(signed_in, content, purpose="selection")
    page = page_of(preview)
    assert preview.status_code == 200, page.text
    assert "3 reps ready to invite" in page.text and "Invite 3 reps" in page.text
    assert "ana.kraus@example.com" in page.text and "Zoë O'Brien" in page.text
    assert count(db, Assessment) == 0  # a preview invites nobody

    done = page_of(confirm(signed_in, preview))
    assert done.status == 200 and "3 reps invited" in done.text
    db.rollback()
    invited = {a.participant.email: a for a in db.scalars(select(Assessment))}
    assert sorted(invited) == ["ana.kraus@example.com", "ben@example.com", "zoe@example.com"]
    assert invited["ana.kraus@example.com"].team_id == team.id
    assert invited["ben@example.com"].team_id is None
    assert invited["zoe@example.com"].participant.external_id == "E-3"
    assert {a.purpose for a in invited.values()} == {"selection"}
    assert count(db, InviteUpload) == 0  # the upload is used up

    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        deliver_outbox(
            settings=settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})
        )
        received = {m["To"].addresses[0].addr_spec: m for m in mailbox.wait_for(3)}
    text = received["zoe@example.com"].get_body(("plain",)).get_content()
    assert f"{EMAIL} of Test Org has invited you" in text  # the inviting manager
    assert "decision on your application" in text  # selection, as chosen
    assert "About 6 minutes" in text and "Your results are seen by Test Org" in text
    link = re.search(r"http://\S+/a/[A-Za-z0-9_-]+", text)
    assert link
    with Rep(settings.base_url, link.group(0).rsplit("/", 1)[-1]) as rep:
        welcome = rep.open()
        assert welcome.status == 200 and 'name="consent"' in welcome.html
        first = rep.consent()
        assert first.status == 200 and first.radios, "the questionnaire's first page"


def test_bad_rows_are_listed_by_line_and_nothing_is_imported(
    signed_in: httpx.Client, db: Session
) -> None:
    content = (
        HEADER
        + "Ana,Kraus,ana@example.com,,\n"
        + "Ben,=cmd|' /C calc'!A0,ben@example.com,,\n"
        + "Cleo,Diaz,ana@example.com,,\n"
        + "Dan,Ek,dan@example.com,,No Such Team\n"
    ).encode()
    preview = upload(signed_in, content)
    page = page_of(preview)
    assert preview.status_code == 422
    assert "Nobody has been invited yet" in page.text
    assert "Line 3, last name: the last name starts with '='" in page.text
    assert "Line 4, e-mail address: the same e-mail address as line 2" in page.text
    assert "Line 5, team: there is no team 'No Such Team'" in page.text
    assert not any(f["action"].startswith("/app/invite/bulk/") for f in page.forms)
    # Posting the confirmation anyway (a forged or stale form) re-checks and imports nothing.
    db.rollback()
    [stored] = db.scalars(select(InviteUpload)).all()
    forced = signed_in.post(f"/app/invite/bulk/{stored.id}", data={"send_email": "yes"})
    assert forced.status_code == 422 and "Nobody has been invited yet" in forced.text
    assert count(db, Assessment) == 0 and count(db, Participant) == 0


def test_confirmation_checks_again_and_imports_all_or_nothing(
    signed_in: httpx.Client, db: Session, org: Organisation, invite: Any
) -> None:
    create_team(db=db, organisation=org, name="Benelux")
    db.commit()
    rows = "".join(f"Rep,{i},rep{i}@example.com,X-{i},Benelux\n" for i in range(40))
    preview = upload(signed_in, (HEADER + rows).encode())
    assert preview.status_code == 200
    # Between preview and confirmation someone else takes the external id of line 41.
    invite(email="someone@example.com", external_id="X-39")
    refused = confirm(signed_in, preview)
    assert refused.status_code == 422
    assert "Line 41, external id: 'X-39' belongs to someone@example.com" in page_of(refused).text
    assert count(db, Assessment) == 1  # only the one invited directly: none of the 40


def test_utf8_with_bom_and_latin_1_files_keep_their_accents(
    signed_in: httpx.Client, db: Session
) -> None:
    text = "first_name;last_name;email\nJosé;Müller;jose@example.com\n"
    bom = upload(signed_in, codecs.BOM_UTF8 + text.encode("utf-8"))
    assert bom.status_code == 200 and "José Müller" in page_of(bom).text
    latin = upload(signed_in, text.replace("jose@", "jose2@").encode("latin-1"))
    assert latin.status_code == 200 and "read as Windows-1252" in page_of(latin).text
    confirm(signed_in, latin)
    db.rollback()
    [participant] = db.scalars(select(Participant)).all()
    assert (participant.first_name, participant.last_name) == ("José", "Müller")


def test_a_5_mb_file_is_read_and_a_larger_one_refused_clearly(
    signed_in: httpx.Client, db: Session
) -> None:
    line = "Ana,Kraus,ana@example.com,," + "x" * 180 + ",\n"  # an over-long external id
    big = (HEADER + line * ((MAX_BYTES - 200) // len(line))).encode()
    assert MAX_BYTES - 500 < len(big) <= MAX_BYTES
    response = upload(signed_in, big)
    assert response.status_code == 422
    assert "at most 2000 can be invited at once" in page_of(response).text
    too_big = upload(signed_in, big + b"A,B,c@example.com,,\n" * 300)
    assert too_big.status_code == 422
    assert "files up to 5 MB can be uploaded" in page_of(too_big).text
    assert count(db, Assessment) == 0


def test_people_with_an_open_invitation_are_flagged_and_left_out_unless_asked(
    signed_in: httpx.Client, db: Session, invite: Any
) -> None:
    open_one = invite(email="ana@example.com", first_name="Ana", last_name="Kraus")
    content = (HEADER + "Ana,Kraus,ana@example.com,,\nBen,Lopez,ben@example.com,,\n").encode()
    preview = upload(signed_in, content)
    page = page_of(preview)
    assert "Already invited" in page.text and "Invite 1 rep" in page.text
    assert f"/app/assessments/{open_one.assessment.id}" in page.links
    done = page_of(confirm(signed_in, preview))
    assert "1 rep invited" in done.text and "1 already invited was left out" in done.text
    assert count(db, Assessment) == 2
    again = upload(signed_in, content)
    confirm(signed_in, again, invite_again="yes")
    assert count(db, Assessment) == 4  # Ana's second, and Ben's second


def test_an_upload_is_only_its_uploaders(
    signed_in: httpx.Client, db: Session, live_server: str
) -> None:
    preview = upload(signed_in, (HEADER + "Ana,Kraus,ana@example.com,,\n").encode())
    db.rollback()
    [stored] = db.scalars(select(InviteUpload)).all()
    other = create_organisation(db=db, name="Rival", slug="rival")
    create_user(
        db=db, organisation=other, email="boss@rival.example", role="admin", password="x" * 12
    )
    db.commit()
    with httpx.Client(base_url=live_server, timeout=30) as rival:
        assert sign_in(rival, "boss@rival.example", "x" * 12).status_code == 303
        response = rival.post(f"/app/invite/bulk/{stored.id}", data={"send_email": "yes"})
    assert response.status_code == 422 and "upload the file again" in response.text
    assert count(db, Assessment) == 0
    assert preview.status_code == 200


def test_500_rows_are_previewed_and_invited_in_one_go(signed_in: httpx.Client, db: Session) -> None:
    """The size of file the target names (its speed is measured by `python -m bench
    bulk_invite`, docs/performance.md, not checked here)."""
    rows = "".join(f"Rep,Number {i},rep{i}@example.com,EMP-{i},\n" for i in range(500))
    preview = upload(signed_in, (HEADER + rows).encode())
    assert preview.status_code == 200 and "Invite 500 reps" in page_of(preview).text
    done = confirm(signed_in, preview)
    assert done.status_code == 200 and "500 reps invited" in page_of(done).text
    assert count(db, Assessment) == 500 and count(db, OutboxMessage) == 500
    assert count(db, Participant) == 500


def test_a_double_clicked_confirmation_invites_the_file_once(
    signed_in: httpx.Client, db: Session, live_server: str
) -> None:
    rows = "".join(f"Rep,{i},twice{i}@example.com,,\n" for i in range(50))
    preview = upload(signed_in, (HEADER + rows).encode())
    page = page_of(preview)
    action = next(f["action"] for f in page.forms if f["action"].startswith("/app/invite/bulk/"))
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page.html))
    results: list[int] = []

    def click() -> None:
        with httpx.Client(
            base_url=live_server, cookies=signed_in.cookies, timeout=60, verify=TLS
        ) as client:
            results.append(client.post(action, data=fields).status_code)

    clicks = [threading.Thread(target=click) for _ in range(2)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join()
    assert sorted(results) == [200, 422]  # one invites, the other is told the file was used
    assert count(db, Assessment) == 50


def test_a_manager_invites_only_to_their_own_teams(db: Session, org: Organisation) -> None:
    """A manager sees only their teams' reps: a row for no team, or for a team they do not
    manage, is refused (the rep would otherwise be invited out of the manager's sight)."""
    from app.models import TeamManager
    from app.services import bulk_invite
    from app.services.access import scope_of
    from app.services.invite_csv import parse
    from app.services.sessions import SignedInUser
    from app.vocabulary import Role

    mine = create_team(db=db, organisation=org, name="Mine")
    create_team(db=db, organisation=org, name="Theirs")
    user = create_user(
        db=db, organisation=org, email="lead@test-org.example", role="manager", password="z" * 12
    )
    db.add(TeamManager(team_id=mine.id, user_id=user.id))
    db.flush()
    signed_in = SignedInUser(
        id=user.id,
        email=user.email,
        role=Role.MANAGER,
        organisation_id=org.id,
        organisation_name=org.name,
        session_id="s",
    )
    text = (
        "first_name,last_name,email,team\n"
        "Ann,One,ann@example.com,Mine\n"
        "Bo,Two,bo@example.com,Theirs\n"
        "Cy,Three,cy@example.com,\n"
    )
    checked = bulk_invite.check(
        db=db, scope=scope_of(db=db, user=signed_in), parsed=parse(text, "UTF-8"), default_team=None
    )
    assert [r.row.email for r in checked.rows] == ["ann@example.com"]
    assert [(e.line, e.field) for e in checked.errors] == [(3, "team"), (4, "team")]
