"""The password rules' refusals in every language of the site."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule, its refusal in this app's catalogues: Django 5.2 words it anew ("at least
    %d characters") and its own Vietnamese and Chinese catalogues have only the older wording,
    so a Vietnamese or Chinese page said it in English."""

    def get_error_message(self):
        return (
            ngettext(
                "This password is too short. It must contain at least %d character.",
                "This password is too short. It must contain at least %d characters.",
                self.min_length,
            )
            % self.min_length
        )
