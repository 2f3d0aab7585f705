from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("messages/", views.messages, name="messages"),
    path("messages/<int:pk>/", views.message, name="message"),
]
