from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("obligations/", views.obligation_list, name="obligation-list"),
    path("providers/", views.provider_list, name="provider-list"),
    path("providers/<int:pk>/", views.provider_detail, name="provider-detail"),
    path("providers/<int:provider_pk>/affiliates/new/", views.AffiliateEditView.as_view(),
         name="affiliate-create"),
    path("providers/<int:provider_pk>/affiliates/<int:pk>/edit/",
         views.AffiliateEditView.as_view(), name="affiliate-edit"),
    path("profile/", views.profile, name="profile"),
]
