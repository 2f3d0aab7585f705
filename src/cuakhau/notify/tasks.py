"""Background tasks of the notifier (django-tasks; the database backend's worker runs them)."""

from django_tasks import task


@task()
def send_message_task(message_id: int) -> str:
    from .services import send_message

    return send_message(message_id)
