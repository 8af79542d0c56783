"""The foundation: health, problems, security headers, login basics."""

from fablab.platform import db


async def test_health_reports_database_ok(anon):
    response = await anon.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_unknown_api_path_is_a_problem_with_code(anon):
    response = await anon.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "not_found" and body["status"] == 404 and body["title"]


async def test_security_headers_on_pages_and_errors(anon):
    for path in ("/", "/api/me"):
        response = await anon.get(path)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"]


async def test_foreign_host_is_refused(anon):
    response = await anon.get("/health", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_host"


async def test_malformed_json_is_a_400_problem(anon):
    response = await anon.post("/api/auth/login", content=b"{not json", headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500
    assert response.json()["code"]


async def test_huge_body_is_refused(anon):
    response = await anon.post("/api/auth/login", content=b"x" * (7 * 1024 * 1024),
                               headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


async def test_login_me_logout(learner):
    me = (await learner.get("/api/me")).json()
    assert me["login"] == "learner1" and me["role"] == "learner" and me["site"] == "vlg"
    assert "password_hash" not in me
    assert (await learner.post("/api/auth/logout")).status_code == 204
    assert (await learner.get("/api/me")).status_code == 401


async def test_wrong_password_is_401(anon):
    response = await anon.post("/api/auth/login", json={"login": "learner1", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


async def test_unsafe_method_without_csrf_header_is_403(anon):
    del anon.headers["x-csrftoken"]
    response = await anon.post("/api/auth/login", json={"login": "learner1", "password": "fablab-demo"})
    assert response.status_code == 403


async def test_openapi_schema_is_served(anon):
    response = await anon.get("/schema/openapi.json")
    assert response.status_code == 200
    assert "/api/auth/login" in response.json()["paths"]


async def test_demo_reference_data(demo):
    assert await db.fetchval("SELECT count(*) FROM site") == 3
    counts = await db.fetch("SELECT kind, count(*) AS n FROM resource GROUP BY kind ORDER BY kind")
    assert {row["kind"]: row["n"] for row in counts} == {"laptop": 36, "printer_3d": 6, "room": 9}
    assert await db.fetchval("SELECT tag FROM resource WHERE tag = 'PFS-P3D-002'") == "PFS-P3D-002"
    assert await db.fetchval("SELECT count(*) FROM app_user WHERE role = 'learner'") == 30


async def call_with_headers(middleware_app, headers: list[tuple[bytes, bytes]]) -> tuple[int, dict]:
    import json
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/health", "raw_path": b"/health", "query_string": b"",
             "headers": headers, "root_path": "", "scheme": "http", "server": ("127.0.0.1", 80)}
    await middleware_app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], (json.loads(body) if body else {})


async def test_two_host_headers_are_refused_whichever_comes_last():
    from fablab.web.hosts import allowed_hosts_middleware

    async def ok_app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    guarded = allowed_hosts_middleware(("fablab.example.org",))(ok_app)
    assert (await call_with_headers(guarded, [(b"host", b"fablab.example.org")]))[0] == 200
    for pair in ([b"evil.example", b"fablab.example.org"], [b"fablab.example.org", b"evil.example"],
                 [b"fablab.example.org", b"fablab.example.org"]):
        status, body = await call_with_headers(guarded, [(b"host", value) for value in pair])
        assert (status, body["code"]) == (400, "invalid_host"), pair


def test_testserver_is_not_a_default_allowed_host():
    from fablab.platform.settings import load_settings

    settings = load_settings({"FABLAB_BASE_URL": "https://fablab.example.org", "FABLAB_SECRET_KEY": "k" * 40})
    assert "testserver" not in settings.allowed_hosts
    assert set(settings.allowed_hosts) == {"fablab.example.org", "127.0.0.1", "localhost"}


async def test_schema_page_loads_its_viewer_from_our_own_files(anon):
    import re

    page = await anon.get("/schema")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "https:" not in csp and "unsafe-inline" not in csp and "script-src 'self'" in csp
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith(("/schema/assets/", "/icons/")) for source in sources), sources
    assert "<script>" not in page.text, "no inline script"
    for source in sources:
        asset = await anon.get(source)
        assert asset.status_code == 200 and len(asset.content) > 100, source
    assert "SwaggerUIBundle" in (await anon.get("/schema/assets/swagger-ui-bundle.js")).text
    assert (await anon.get("/schema/assets/swagger-editor-bundle.js")).status_code == 404, "only what the page uses"
    assert (await anon.get("/schema/openapi.json")).json()["openapi"].startswith("3.1")
