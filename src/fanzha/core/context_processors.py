from django.conf import settings


def fanzha(request):
    from fanzha.core.scoping import scope_of

    user = getattr(request, "user", None)
    ctx = {"FANZHA_VERSION": __import__("fanzha").__version__, "LANGUAGES": settings.LANGUAGES}
    if user is not None and user.is_authenticated:
        ctx["scope"] = scope_of(user)
    return ctx
