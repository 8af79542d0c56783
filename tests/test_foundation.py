"""The foundation: health, problems, security headers, login basics."""

from fablab import db


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
