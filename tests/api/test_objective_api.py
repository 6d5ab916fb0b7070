from __future__ import annotations

from starlette.testclient import TestClient

from support import Api, Personas, assert_error, csrf_token, log_in


def test_it_labels_and_explains_an_objective(rita: Api) -> None:
    result = rita.post(
        "/objective-check", {"text": "I want to pitch our new suites", "channel": "phone"}
    ).json()
    assert result["label"] == "tell" and result["ok"] is False
    rules = {f["rule"]: f for f in result["findings"]}
    assert rules["tell_mode"]["rewrite"] is True
    start, end = rules["tell_mode"]["start"], rules["tell_mode"]["end"]
    assert "pitch" in "I want to pitch our new suites"[start:end].lower()


def test_advice_is_not_offered_as_a_rewrite(rita: Api) -> None:
    result = rita.post("/objective-check", {"text": "Touch base with Tom"}).json()
    assert result["label"] == "aimless"
    assert all(not f["rewrite"] for f in result["findings"])


def test_it_validates_its_input(rita: Api) -> None:
    assert_error(rita.post("/objective-check", {"text": "x" * 2001}), 422, "text")
    assert_error(rita.post("/objective-check", {"text": "ok", "channel": "fax"}), 422, "channel")


def test_the_planning_form_calls_it_with_the_session_and_csrf_header(
    client: TestClient, personas: Personas
) -> None:
    log_in(client, personas.rita)
    token = csrf_token(client, "/interactions/new")
    response = client.post(
        "/api/v1/objective-check", json={"text": "Learn who signs"}, headers={"X-CSRF-Token": token}
    )
    assert response.json()["label"] == "learning"
