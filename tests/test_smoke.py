from tests.conftest import login


def test_login_page_and_home(client, make_user):
    user = make_user(name="Els Peeters")
    assert client.get("/").status_code == 302
    login(client, user)
    page = client.get("/")
    assert page.status_code == 200
    assert "Els Peeters" in page.get_data(as_text=True)
