from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bench.insert_site.models import Row


@csrf_exempt  # like the public API (DRF views are exempt): an anonymous JSON POST
@require_POST
def insert(request: HttpRequest) -> JsonResponse:
    """The baseline: read the posted body, insert one row (autocommit), answer 201."""
    row = Row.objects.create(size=len(request.body))
    return JsonResponse({"id": row.pk}, status=201)
