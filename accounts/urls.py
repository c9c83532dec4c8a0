from django.urls import path

from .views import invitations, people, security

urlpatterns = [
    path("", people.people, name="people"),
    path("invite/", invitations.invite, name="people-invite"),
    path("invitations/<int:pk>/revoke/", invitations.revoke, name="invitation-revoke"),
    path("lockouts/", security.lockouts, name="lockouts"),
    path("lockouts/clear/", security.clear_lockout, name="lockout-clear"),
    path("<int:pk>/", people.person_detail, name="person-detail"),
    path("<int:pk>/role/", people.change_role, name="person-role"),
    path("<int:pk>/deactivate/", people.deactivate, name="person-deactivate"),
    path("<int:pk>/reactivate/", people.reactivate, name="person-reactivate"),
    path("<int:pk>/reset-factor/", people.reset_factor, name="person-reset-factor"),
]
