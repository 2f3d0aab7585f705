"""Routes of the yard board and the performance page, to merge into the gate app's ``urls``
(``app_name = "gate"``)."""

from django.urls import path

from . import views_board

urlpatterns = [
    path("<str:code>/board/", views_board.board, name="board"),
    path("<str:code>/board/fragment/", views_board.board_fragment, name="board_fragment"),
    path("kpi/", views_board.kpi, name="kpi"),
]
