"""A browser signed in as a user, and an API client with a token of theirs."""

from django.test import Client

from cuakhau.accounts.services import issue_token


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'test')[1]}")
