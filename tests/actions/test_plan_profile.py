"""``with_profile``: the profile goes right after each ``aws`` a plan's command runs."""

from __future__ import annotations

from actions.plan import with_profile


def test_aws_commands_get_the_profile_after_aws() -> None:
    assert (
        with_profile("aws ecs update-service --region r --cluster c", "payments")
        == "aws --profile payments ecs update-service --region r --cluster c"
    )
    assert (
        with_profile("MANIFEST=$(aws ecr batch-get-image --x y)", "team b")
        == "MANIFEST=$(aws --profile 'team b' ecr batch-get-image --x y)"
    )
    login = "aws ecr get-login-password --region r | docker login --password-stdin h"
    assert with_profile(login, "w").startswith("aws --profile w ecr get-login-password ")


def test_other_programs_and_the_only_profile_are_left_alone() -> None:
    for command in ("kubectl -n a rollout restart deploy/x", "docker push h/aws:1"):
        assert with_profile(command, "payments") == command
    assert with_profile("aws ecs list-services", "") == "aws ecs list-services"


def test_an_action_of_ones_own_shows_the_profile_it_runs_with_not_an_argument_it_lacks() -> None:
    from actions.custom import CustomAction

    # It runs its argv as written with AWS_PROFILE set: the line shown is still exactly
    # what runs, and pasted it acts on the same account.
    shown = CustomAction._with_profile("aws ecs describe-services --cluster c", "team b")
    assert shown == "AWS_PROFILE='team b' aws ecs describe-services --cluster c"
