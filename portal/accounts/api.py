"""`/api/v1/auth/`: token sign-in with both factors, sign-out, and who am I."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout as auth_logout
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.events import Action
from audit.record import record
from portal import vault
from portal.accounts import actions, signin
from portal.accounts.access import (
    PUBLIC,
    BearerCredentials,
    StaffAPIRequest,
    keys_or_locked,
    unlocked_keys,
)
from portal.errors import error_body
from portal.parsers import BoundedJSONParser


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=1024, trim_whitespace=False)
    otp_token = serializers.CharField(max_length=32)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class StaffAPIView(APIView):
    """A staff endpoint: it declares the capability it needs (`access_rule`), checked by
    `HasCapability`. Action outcomes, a locked vault and a missing desk key become the error
    shape in `portal.errors.api_exception_handler`."""

    access_rule: str | None = None
    # Staff clients send JSON only: one media type to parse, bound and document.
    parser_classes = [BoundedJSONParser]

    def keys(self, request: Request) -> vault.UnlockedKeys:
        return keys_or_locked(request)


class LoginView(StaffAPIView):
    access_rule = PUBLIC
    authentication_classes: list[Any] = []
    error_statuses = (401, 429)

    @extend_schema(request=LoginSerializer, responses={200: TokenSerializer})
    @method_decorator(sensitive_variables("fields", "unlocked", "issued"))
    def post(self, request: Request) -> Response:
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        try:
            user = signin.check_password(None, fields["username"], fields["password"])
            signin.check_second_factor(user, fields["otp_token"])
            unlocked = vault.unlock(user, fields["password"])
        except signin.LockedOutError as exc:
            return Response(error_body(429, str(exc)), status=status.HTTP_429_TOO_MANY_REQUESTS)
        except (signin.SignInError, vault.WrongPassword):
            return Response(
                error_body(401, str(signin.GENERIC_FAILURE), code="not_authenticated"),
                status=status.HTTP_401_UNAUTHORIZED,
            )
        issued = actions.do_issue_token(user, unlocked)
        signin.succeeded(user, channel="api")
        return Response({"token": issued.token, "expires_at": issued.expires_at})


class LogoutView(StaffAPIView):
    access_rule = "accounts.own_profile"

    @extend_schema(request=None, responses={204: None})
    def post(self, request: StaffAPIRequest) -> Response:
        if isinstance(request.auth, BearerCredentials):
            actions.do_revoke_token(request.auth.token, acting_user=request.user)
        else:
            record(Action.LOGGED_OUT, actor=request.user, target=request.user)
            auth_logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(StaffAPIView):
    access_rule = "accounts.own_profile"

    @extend_schema(responses={200: dict})
    def get(self, request: StaffAPIRequest) -> Response:
        user = request.user
        return Response(
            {
                "username": user.username,
                "role": user.role,
                "organization": user.organization.slug if user.organization else None,
                "vault_unlocked": _vault_unlocked(request),
            }
        )


def _vault_unlocked(request: Request) -> bool:
    return unlocked_keys(request) is not None
