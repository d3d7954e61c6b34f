from introloop.accounts.forms import ConfirmPasswordForm


class DeleteAccountForm(ConfirmPasswordForm):
    """Deleting everything asks for the password, so a borrowed browser cannot do it."""
