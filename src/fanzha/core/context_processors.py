from django.conf import settings


def fanzha(request):
    from fanzha.core.middleware import TEXT_COOKIE
    from fanzha.core.scoping import scope_of

    user = getattr(request, "user", None)
    large = request.COOKIES.get(TEXT_COOKIE) == "large"
    ctx = {
        "FANZHA_VERSION": __import__("fanzha").__version__,
        "LANGUAGES": settings.LANGUAGES,
        # The larger-text setting (适老化): base.html scales the page; the toggle flips it on the same page.
        "text_large": large,
        "text_toggle_query": _with_param(request, TEXT_COOKIE, "normal" if large else "large"),
    }
    if user is not None and user.is_authenticated:
        ctx["scope"] = scope_of(user)
    return ctx


def _with_param(request, key: str, value: str) -> str:
    query = request.GET.copy()
    query[key] = value
    return "?" + query.urlencode()
