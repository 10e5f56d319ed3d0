"""How the API's authentication shows in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.accounts.access.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "From POST /api/v1/auth/login/"}


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "portal.accounts.access.VerifiedSessionAuthentication"
    name = "staffSession"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "session"}
