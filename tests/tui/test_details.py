"""Details opened with enter: what a person needs to see about one resource."""

from __future__ import annotations

from tests.tui.conftest import AppFactory, settle
from tests.tui.helpers import console, detail_text, on_console, open_detail
from tui.screens.build_detail import BuildDetail
from tui.screens.deployment_detail import DeploymentDetail
from tui.screens.project_detail import ProjectDetail
from tui.screens.repository_detail import RepositoryDetail
from widgets.resource_table import ResourceTable


async def test_deployment_detail_shows_the_crash_and_its_log(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 60)) as pilot:
        await settle(pilot)
        await open_detail(app, pilot, "3", "services", "user-service")
        assert isinstance(app.screen, DeploymentDetail)
        text = detail_text(app)
        assert "CrashLoopBackOff" in text
        assert "CLICKHOUSE_URL must be set: NotPresent" in text
        assert "previous container" in text
        await pilot.press("escape")
        assert on_console(app)


async def test_image_pull_backoff_reason_in_detail(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        await open_detail(app, pilot, "3", "services", "cdn-service")
        text = detail_text(app)
        assert "ImagePullBackOff" in text
        assert "nova/cdn-service:latest" in text


async def test_repository_detail_lists_images_with_sizes(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await open_detail(app, pilot, "1", "repositories", "nova/feed-service")
        assert isinstance(app.screen, RepositoryDetail)
        text = detail_text(app)
        assert "buildcache" in text
        assert "1,225,557,261" in text
        assert "1.2 GB" in text
        assert "lifecycle policy" in text


async def test_project_detail_and_build_phases(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await open_detail(app, pilot, "2", "builds", "nova-ecr-build")
        assert isinstance(app.screen, ProjectDetail)
        text = detail_text(app)
        assert "L-4DDC4A99" in text
        assert "queue capacity" in text
        await pilot.press("escape")
        await open_detail(app, pilot, "2", "builds", "mangoo-build-deploy")
        builds = app.screen.query_one(ResourceTable)
        assert builds.shown_rows, "mangoo has a build history"
        # The history as a chart: duration against 20 min, outcome, success against 95 %.
        text = detail_text(app)
        assert "duration of the last 8 builds  last 19.3 min  threshold > 20 min (target)" in text
        assert "max 59.3 min" in text  # the build that timed out after an hour
        assert "succeeded 4 of 8 finished: 50% (target > 95%)" in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BuildDetail)
        text = detail_text(app)
        for phase in ("DOWNLOAD_SOURCE", "INSTALL", "BUILD"):
            assert phase in text
        await pilot.press("escape")
        assert isinstance(app.screen, ProjectDetail)


async def test_ecs_service_detail_shows_stopped_reasons(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        await open_detail(app, pilot, "3", "services", "frontend-service")
        text = detail_text(app)
        assert "CannotPullContainerError" in text
        assert "deployments" in text


async def test_lambda_detail(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await open_detail(app, pilot, "3", "services", "hr-chatbot-backend")
        text = detail_text(app)
        assert "hr-chatbot-backend:v0.6.0" in text
        assert "1024 MB" in text
        assert "30 s" in text


async def test_quota_detail_explains_zero(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        table = console(app).pane("quotas").table
        assert table.select_key("quota:codebuild/L-4DDC4A99@ap-northeast-1")
        await pilot.press("enter")
        await settle(pilot)
        text = detail_text(app)
        assert "applied value" in text
        assert "none" in text
        assert "AWS default     15" in text or "AWS default" in text
        assert "queue capacity" in text
        assert "5 x concurrency" in text
