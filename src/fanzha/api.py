"""The versioned JSON API (/api/v1/): same services and scoping as the pages."""

from ninja import NinjaAPI

api = NinjaAPI(title="fanzha API", version="1", urls_namespace="api-v1")
