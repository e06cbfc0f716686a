from django.middleware.locale import LocaleMiddleware


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose English with the language switch.

    The browser's Accept-Language is ignored: the people using fanzha work in
    Chinese, and a page should not change language because of how a borrowed
    or shared computer is set up. The switch sets the language cookie.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class AreaGuardMiddleware:
    """The page each area of the role-access table opens is refused to a role the table leaves out.

    Views are guarded by `@area_view`; this is the safety net for an area's own
    page (its menu entry or tab) whose view is not marked yet, so the table in
    `fanzha.core.access` is what decides, never a forgotten decorator.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.contrib.auth.views import redirect_to_login
        from django.core.exceptions import PermissionDenied

        from fanzha.core.access import areas_of_url, can_open

        if getattr(view_func, "fanzha_access", None):
            return None  # guarded by its own decorator
        match = request.resolver_match
        keys = areas_of_url(match.view_name) if match else ()
        if not keys:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not any(can_open(request.user, k) for k in keys):
            raise PermissionDenied
        return None

    def process_exception(self, request, exception):
        """A page (other than the resident list, which shows it in place) that ran into the number-search
        limit or a stale save answers with the message: 429 / 409, never a 500."""
        from django.http import HttpResponse
        from django.utils.html import escape

        from fanzha.core.ratelimit import SearchLimited
        from fanzha.core.versioning import Conflict

        if isinstance(exception, SearchLimited):
            response = HttpResponse(f"<p role=\"alert\">{escape(exception.message)}</p>", status=429)
            response["Retry-After"] = str(exception.retry_after)
            return response
        if isinstance(exception, Conflict):
            return HttpResponse(f"<p role=\"alert\">{escape(str(exception))}</p>", status=409)
        return None


TEXT_COOKIE = "fz_text"
TEXT_SIZES = ("normal", "large")


class TextSizeMiddleware:
    """The larger-text setting (适老化): `?fz_text=large|normal` on any page stores the choice in a cookie and
    reloads the same page without the parameter; base.html reads the cookie (context processor) and scales the
    whole page. Works with JavaScript off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        choice = request.GET.get(TEXT_COOKIE) if request.method == "GET" else None
        if choice in TEXT_SIZES:
            from django.http import HttpResponseRedirect
            from django.utils.http import url_has_allowed_host_and_scheme

            rest = request.GET.copy()
            del rest[TEXT_COOKIE]
            target = request.path + (f"?{rest.urlencode()}" if rest else "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            response = HttpResponseRedirect(target)
            response.set_cookie(TEXT_COOKIE, choice, max_age=365 * 24 * 3600, samesite="Lax",
                                httponly=True, secure=request.is_secure())
            return response
        return self.get_response(request)
