from starlette.testclient import TestClient

from support import Personas, log_in


def test_a_rep_logs_in_and_sees_the_board(client: TestClient, personas: Personas) -> None:
    log_in(client, personas.rita)
    response = client.get("/deals/board")
    assert response.status_code == 200
    assert "Pipeline" in response.text
