"""Account pages: keep-alive, sign out everywhere, two-factor set-up and check, and the
security administrator's page (lock-outs, signing accounts out)."""

from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import user_has_device

from portal.text import one_line

from . import services, two_factor


@require_safe
def keepalive(request):
    """Nothing but a request: the idle clock (middleware) starts again."""
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def end_my_sessions(request):
    """退出所有设备: every session of this account ends, this one too."""
    services.end_sessions(user=request.user, by=request.user)
    logout(request)
    messages.success(request, _("已在所有设备上退出登录。"))
    return redirect("login")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_page(request):
    user = request.user
    context = {"enabled": user_has_device(user, confirmed=True)}
    if request.method == "POST" and request.POST.get("action") == "disable" and context["enabled"]:
        if not two_factor.verify(request, request.POST.get("token", "")):
            messages.error(request, _("验证码错误，双因素认证未停用。"))
            return redirect("accounts:two_factor")
        two_factor.disable(request, user)
        messages.success(request, _("已停用双因素认证。"))
        return redirect("accounts:two_factor")
    if not context["enabled"]:
        device = two_factor.pending_device(user)
        if request.method == "POST" and request.POST.get("action") == "confirm":
            codes = two_factor.confirm_device(request, device, request.POST.get("token", ""))
            if codes is not None:
                return render(request, "accounts/recovery_codes.html", {"codes": codes})
            context["error"] = _("验证码不正确，请核对手机时间后重试。")
        context.update({"qr": two_factor.qr_svg(device), "secret": two_factor.secret_text(device)})
    response = render(request, "accounts/two_factor.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def otp_verify(request):
    """The second step of sign-in: a code from the authenticator or a recovery code."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    if not user_has_device(request.user, confirmed=True) or request.user.is_verified():
        return redirect(target or "home")
    error = ""
    if request.method == "POST":
        if two_factor.verify(request, request.POST.get("token", "")):
            return redirect(target or "home")
        if request.session.get(two_factor.FAILURES, 0) >= two_factor.MAX_FAILURES:
            logout(request)
            messages.error(request, _("验证码错误次数过多，已退出登录。"))
            return redirect("login")
        error = _("验证码不正确。")
    return render(request, "accounts/otp_verify.html", {"next": target, "error": error})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def security(request):
    """The security administrator's page: lock-outs in force and signing accounts out."""
    if not services.can_manage_security(request.user):
        raise Http404
    if request.method == "POST":
        try:
            if "release" in request.POST:
                # A typed or pasted name: control characters resolved (portal/text.py).
                username = one_line(request.POST.get("release", "")).strip()
                services.release_lockout(username=username, by=request.user)
                messages.success(request, _("已解除 %(u)s 的锁定。") % {"u": username})
            elif "sign_out" in request.POST:
                name = one_line(request.POST.get("sign_out", "")).strip()
                account = get_user_model().objects.filter(username=name).first()
                if account is None:
                    messages.error(request, _("没有账号 %(u)s。") % {"u": name})
                else:
                    services.end_sessions(user=account, by=request.user)
                    messages.success(request, _("%(u)s 已在所有设备上下线。") % {"u": name})
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return redirect("accounts:security")
    context = {"lockouts": services.locked_out_attempts().order_by("-attempt_time")[:200]}
    response = render(request, "accounts/security.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
