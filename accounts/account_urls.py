"""Pages under /accounts/ of our own, and allauth's that this product does not offer."""

from allauth.account import views as allauth_views
from django.urls import path
from django.views.generic import RedirectView

from .views import invitations, security

urlpatterns = [
    # Old names of the sign-in and sign-out pages: the same allauth views.
    path("login/", allauth_views.login, name="login"),
    path("logout/", allauth_views.logout, name="logout"),
    path("invitation/<int:pk>-<str:secret>/", invitations.accept, name="invitation-accept"),
    path("2fa/reset/", security.reset_own_factor, name="mfa-reset"),
    # allauth's pages, keeping the last factor of a role that needs one.
    path("2fa/webauthn/keys/<int:pk>/remove/", security.remove_security_key,
         name="mfa_remove_webauthn"),
    path("2fa/totp/deactivate/", security.deactivate_authenticator_app,
         name="mfa_deactivate_totp"),
    # One e-mail address per person, set by whoever invited them: no address management.
    path("email/", RedirectView.as_view(pattern_name="profile"), name="account-email-closed"),
]
