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
