"""The cases page: steps recorded, category and severity changed, overdue cases first."""

from __future__ import annotations

import datetime

from bot.access import users
from bot.service import Service
from tests.support.auth import add_user, client_for, sign_in
from tests.support.concerns import comment_after_repair
from tests.support.services import Clock


def test_an_officer_works_a_case_from_the_console(service: Service, clock: Clock) -> None:
    clock.now = datetime.datetime(2026, 5, 1, 10, 0, tzinfo=datetime.UTC)
    comment_after_repair(service, "the walls are mouldy")
    comment_after_repair(service, "I want to complain", address="+447700900124")
    clock.now = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.UTC)
    add_user(service, "officer@example.org", users.Role.OFFICER)
    with client_for(service) as client:
        csrf = sign_in(client, "officer@example.org")
        page = client.get("/console/concerns").text
        assert page.index("Case 1: Damp and mould") < page.index("Case 2: Complaint")
        assert "Overdue: overdue by 34 hours" in page and "anonymous" in page

        done = client.post(
            "/console/concerns/1/steps/investigated",
            data={"csrf": csrf, "status": "open"},
            follow_redirects=True,
        )
        assert "Case 1: investigated, recorded." in done.text
        case = client.get("/api/concerns", params={"status": "acknowledged"}).json()[0]
        assert case["steps"]["investigated"]["by"] == "officer@example.org"
        assert case["acknowledged_by"] == "officer@example.org"

        again = client.post(
            "/console/concerns/1/steps/investigated",
            data={"csrf": csrf, "status": "open"},
            follow_redirects=True,
        )
        assert "already has investigated recorded" in again.text

        changed = client.post(
            "/console/concerns/2/classify",
            data={"csrf": csrf, "status": "open", "category": "emergency", "severity": "emergency"},
            follow_redirects=True,
        )
        assert "Case 2 is now other emergency hazard, emergency." in changed.text
        nonsense = client.post(
            "/console/concerns/2/classify",
            data={"csrf": csrf, "category": "weather", "severity": "emergency"},
            follow_redirects=True,
        )
        assert "Choose a category and a severity from the lists." in nonsense.text
        still_open = client.get("/api/concerns", params={"status": "open"}).json()
        assert [c["severity"] for c in still_open] == ["emergency"]
