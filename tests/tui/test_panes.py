"""The four panes against the demo world: the seeded incidents are on screen, problems first."""

from __future__ import annotations

from tests.tui.conftest import AppFactory, settle
from tests.tui.helpers import console, pane, row_by_name, rows


async def test_startup_fetches_all_four_panes(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for name in ("repositories", "builds", "services", "quotas"):
            assert rows(app, name), f"{name} is empty"
            assert pane(app, name).read_at is not None
        assert console(app).current == "findings"  # the console opens on what is wrong
        assert rows(app, "findings")


async def test_repositories_flag_missing_latest_and_buildcache(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        cdn = row_by_name(app, "repositories", "nova/cdn-service")
        assert cdn["latest"] == "NO"
        assert "latest" in cdn["flags"]
        assert cdn["severity"] in ("critical", "warning")
        feed = row_by_name(app, "repositories", "nova/feed-service")
        assert feed["latest"] == "yes"
        assert "buildcache 1.2" in feed["flags"]
        assert "22x" in feed["flags"]
        auth = row_by_name(app, "repositories", "nova/auth-service")
        assert auth["scan"] == "no"
        assert auth["lifecycle"] == "no"
        mangoo = row_by_name(app, "repositories", "mangoo-backend")
        assert mangoo["scan"] == "yes"


async def test_critical_rows_come_first(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for name in ("repositories", "builds", "services"):
            ranks = {"critical": 0, "warning": 1, "info": 2, None: 3}
            order = [ranks[r.severity] for r in rows(app, name)]
            assert order == sorted(order), name


async def test_builds_show_the_blocked_project(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        assert console(app).current == "builds"
        nova = row_by_name(app, "builds", "nova-ecr-build")
        assert nova["severity"] == "critical"
        assert "cannot start builds" in nova["flags"].lower() or "0" in nova["flags"]
        assert rows(app, "builds")[0].key == "codebuild:nova-ecr-build@ap-northeast-1"


async def test_services_show_crashloop_and_image_pull(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        user = row_by_name(app, "services", "user-service")
        assert user["kind"] == "k8s"
        assert user["ready"] == "0/4"
        assert "CrashLoopBackOff" in user["flags"]
        cdn = row_by_name(app, "services", "cdn-service")
        assert "ImagePullBackOff" in cdn["flags"]
        kinds = {
            r["kind"]
            for r in (
                row_by_name(app, "services", n)
                for n in ("query-service", "hr-chatbot-backend", "user-service")
            )
        }
        assert kinds == {"ecs", "lambda", "k8s"}


async def test_quota_with_no_applied_value(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        table = pane(app, "quotas").table
        found = [
            r for r in table.shown_rows if r.key == "quota:codebuild/L-4DDC4A99@ap-northeast-1"
        ]
        assert found, [r.key for r in table.shown_rows]
        from tests.tui.helpers import row_cells

        cells = row_cells(table, found[0])
        assert cells["applied"] == "none"
        assert cells["default"] == "15"
        assert cells["effective"] == "0"
        assert cells["queue"] == "0"
        assert cells["severity"] == "critical"


async def test_region_column_only_with_several_regions(make_app: AppFactory) -> None:
    app = make_app(regions=("ap-northeast-1",))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        keys = [c.key for c in pane(app, "repositories").table.table_columns]
        assert "region" not in keys
        names = {r.key for r in rows(app, "repositories")}
        assert names and all(key.endswith("@ap-northeast-1") for key in names)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        keys = [c.key for c in pane(app, "repositories").table.table_columns]
        assert "region" in keys
